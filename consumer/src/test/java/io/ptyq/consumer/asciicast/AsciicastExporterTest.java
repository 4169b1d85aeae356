package io.ptyq.consumer.asciicast;

import io.ptyq.codec.sbe.ExitReason;
import io.ptyq.consumer.SessionCatalog;
import io.ptyq.consumer.SessionRecord;
import io.ptyq.consumer.TestJournal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AsciicastExporterTest
{
    private static final long START_NS = 1_700_000_000_123_456_789L;
    private static final String TEXT = "a é b € c 𝄞 d \u0800\uFFFF\uD800\uDC00\uDBFF\uDFFF";

    @TempDir
    Path dir;

    @Test
    void shouldJoinCharactersSplitAtEveryFrameBoundary() throws Exception
    {
        final byte[] utf8 = TEXT.getBytes(StandardCharsets.UTF_8);
        final List<int[]> splits = new ArrayList<>();
        for (int first = 1; first < utf8.length; first++)
        {
            // A second cut up to three bytes after the first splits 3- and 4-byte characters into three frames too.
            for (int second = first; second < Math.min(first + 4, utf8.length); second++)
            {
                splits.add(new int[]{first, second});
            }
        }
        try (TestJournal journal = TestJournal.open(dir))
        {
            long sessionId = 1;
            for (final int[] split : splits)
            {
                journal.sessionStarted(sessionId, START_NS, 80, 24, "split", "sh\0");
                journal.output(sessionId, 0, START_NS + 1000, utf8, 0, split[0]);
                journal.output(sessionId, split[0], START_NS + 2000, utf8, split[0], split[1] - split[0]);
                journal.output(sessionId, split[1], START_NS + 3000, utf8, split[1], utf8.length - split[1]);
                journal.exited(sessionId, START_NS + 4000, utf8.length);
                sessionId++;
            }
        }

        final List<SessionRecord> sessions = SessionCatalog.load(dir).sessions(false);
        assertEquals(splits.size(), sessions.size());
        for (final SessionRecord session : sessions)
        {
            for (final AsciicastFormat format : List.of(AsciicastFormat.ASCIICAST_V2, AsciicastFormat.ASCIICAST_V3))
            {
                final ByteArrayOutputStream out = new ByteArrayOutputStream();
                final AsciicastExporter exporter = exportBothWays(session, format, out);
                final StringBuilder output = new StringBuilder();
                AsciicastParser.parse(new ByteArrayInputStream(out.toByteArray()), (timeNs, code, data) ->
                {
                    if ('o' == code)
                    {
                        output.append(data);
                    }
                });

                final int[] split = splits.get((int)session.sessionId() - 1);
                assertEquals(TEXT, output.toString(), format + " split at " + Arrays.toString(split));
                assertEquals(0, exporter.replacements());
            }
        }
    }

    @Test
    void shouldWriteEveryEventOfVersion3WithIntervalsAndExit() throws Exception
    {
        try (TestJournal journal = TestJournal.open(dir))
        {
            journal.sessionStarted(7, START_NS, 100, 30, "title \"q\"", "vim\0a file\0");
            journal.sessionStarted(8, START_NS, 80, 24, "other", "sh\0");
            journal.output(7, 0, START_NS + 1_500, bytes("one\r\n"));
            journal.output(8, 0, START_NS + 1_600, bytes("not this session"));
            journal.input(7, 0, START_NS + 250_000_000L, bytes("q\u001b"));
            journal.resized(7, START_NS + 500_000_000L, 120, 40);
            journal.marker(7, START_NS + 750_000_499L, "mark");
            journal.output(7, 5, START_NS + 2_000_000_000L, bytes("\"two\"\\"));
            journal.exited(7, START_NS + 3_000_000_000L, 137, 9, ExitReason.SIGNALED, 11);
        }

        final String v3 = export(7, AsciicastFormat.ASCIICAST_V3);
        assertEquals(
            "{\"version\": 3, \"term\": {\"cols\": 100, \"rows\": 30}, \"timestamp\": 1700000000, " +
            "\"command\": \"vim 'a file'\", \"title\": \"title \\\"q\\\"\"}\n" +
            "[0.000002, \"o\", \"one\\r\\n\"]\n" +
            "[0.249998, \"i\", \"q\\u001b\"]\n" +
            "[0.250000, \"r\", \"120x40\"]\n" +
            "[0.250000, \"m\", \"mark\"]\n" +
            "[1.250000, \"o\", \"\\\"two\\\"\\\\\"]\n" +
            "[1.000000, \"x\", \"137\"]\n", v3);

        final String v2 = export(7, AsciicastFormat.ASCIICAST_V2);
        assertEquals(
            "{\"version\": 2, \"width\": 100, \"height\": 30, \"timestamp\": 1700000000, " +
            "\"command\": \"vim 'a file'\", \"title\": \"title \\\"q\\\"\"}\n" +
            "[0.000002, \"o\", \"one\\r\\n\"]\n" +
            "[0.250000, \"i\", \"q\\u001b\"]\n" +
            "[0.500000, \"r\", \"120x40\"]\n" +
            "[0.750000, \"m\", \"mark\"]\n" +
            "[2.000000, \"o\", \"\\\"two\\\"\\\\\"]\n", v2);

        assertEquals("one\r\n\"two\"\\", export(7, AsciicastFormat.RAW));
    }

    @Test
    void shouldReplaceInvalidBytesAndSayTheExportIsLossyWhileRawStaysExact() throws Exception
    {
        final byte[] invalid = {'a', (byte)0xFF, 'b', (byte)0xE2, (byte)0x82};
        try (TestJournal journal = TestJournal.open(dir))
        {
            journal.sessionStarted(1, START_NS, 80, 24, "", "sh\0");
            journal.output(1, 0, START_NS + 1000, invalid);
        }
        final SessionRecord session = SessionCatalog.load(dir).sessions(true).get(0);

        final ByteArrayOutputStream v2 = new ByteArrayOutputStream();
        final AsciicastExporter exporter = exportBothWays(session, AsciicastFormat.ASCIICAST_V2, v2);
        assertEquals(2, exporter.replacements());
        assertTrue(v2.toString(StandardCharsets.UTF_8).endsWith(
            "[0.000001, \"o\", \"a\uFFFDb\"]\n[0.000001, \"o\", \"\uFFFD\"]\n"), v2.toString(StandardCharsets.UTF_8));

        final ByteArrayOutputStream raw = new ByteArrayOutputStream();
        assertEquals(0, exportBothWays(session, AsciicastFormat.RAW, raw).replacements());
        assertArrayEquals(invalid, raw.toByteArray());
    }

    @Test
    void shouldWriteTheSameBytesOnTheWriterThreadAsOnTheCallersForAMixedSession() throws Exception
    {
        // Longer than a batch: frames of every kind, characters and invalid bytes split between frames, input, and
        // frames larger than a whole batch, which are split into pieces.
        final byte[] text = bytes(TEXT + "\u001b[1;31m\"x\"\\\r\n\t");
        final byte[] big = new byte[3 * ExportPipeline.BATCH_BYTES + 17];
        for (int i = 0; i < big.length; i++)
        {
            big[i] = text[i % text.length];
        }
        try (TestJournal journal = TestJournal.open(dir))
        {
            journal.sessionStarted(1, START_NS, 100, 30, "mixed", "sh\0-c\0x\0");
            long position = 0;
            long timeNs = START_NS;
            for (int i = 0; i < 20_000; i++)
            {
                final int cut = i % text.length;
                final int length = 1 + (i * 7) % (text.length - cut);
                timeNs += 1_000 + i % 3 * 500_000;
                journal.output(1, position, timeNs, text, cut, length);
                position += length;
                if (i % 7_919 == 0)
                {
                    journal.output(1, position, timeNs, big);
                    position += big.length;
                    journal.output(1, position, timeNs, new byte[]{ (byte)0xF0, (byte)0x9F });
                    position += 2;
                }
                if (i % 1_009 == 0)
                {
                    journal.input(1, i, timeNs, bytes("ls\r\u00e9"));
                    journal.resized(1, timeNs, 80 + i % 50, 24);
                    journal.marker(1, timeNs, "mark " + i);
                }
            }
            journal.output(1, position, timeNs + 1, new byte[]{ (byte)0xE2, (byte)0x82 });
            journal.exited(1, timeNs + 2, 3, 0, ExitReason.EXITED, position + 2);
        }
        final SessionRecord session = SessionCatalog.load(dir).sessions(false).get(0);
        for (final AsciicastFormat format : AsciicastFormat.values())
        {
            final ByteArrayOutputStream single = new ByteArrayOutputStream();
            final AsciicastExporter one = SessionExport.export(dir, session, 1, done -> { },
                new AsciicastExporter(1, format, single, 8 << 20, 1 << 16, 2));
            assertFalse(one.wroteOnWriterThread());
            for (final int[] sizes : List.of(new int[]{ 509, 3, 2 }, new int[]{ 4096, 64, 3 },
                new int[]{ ExportPipeline.BATCH_BYTES, ExportPipeline.BATCH_EVENTS, ExportPipeline.BATCH_COUNT }))
            {
                final ByteArrayOutputStream out = new ByteArrayOutputStream();
                final AsciicastExporter exporter = SessionExport.export(dir, session, 1, done -> { },
                    new AsciicastExporter(1, format, out, sizes[0], sizes[1], sizes[2]));
                assertTrue(exporter.wroteOnWriterThread(), Arrays.toString(sizes));
                assertArrayEquals(single.toByteArray(), out.toByteArray(), format + " " + Arrays.toString(sizes));
                assertEquals(one.replacements(), exporter.replacements());
                assertEquals(AsciicastFormat.RAW == format, 0 == exporter.replacements(), format.toString());
                assertTrue(exporter.exited());
                assertEquals(3, exporter.exitStatus());
            }
        }
        assertNoWriterThread();
    }

    @Test
    void shouldThrowTheSinksErrorOnTheCallersThreadAndStopTheWriter() throws Exception
    {
        final byte[] page = bytes("x".repeat(4096));
        try (TestJournal journal = TestJournal.open(dir))
        {
            journal.sessionStarted(1, START_NS, 80, 24, "", "sh\0");
            for (int i = 0; i < 1_000; i++)
            {
                journal.output(1, (long)i * page.length, START_NS + i, page);
            }
        }
        final SessionRecord session = SessionCatalog.load(dir).sessions(false).get(0);
        final java.io.OutputStream failing = new java.io.OutputStream()
        {
            @Override
            public void write(final int b) throws java.io.IOException
            {
                throw new java.io.IOException("Broken pipe");
            }

            @Override
            public void write(final byte[] b, final int off, final int len) throws java.io.IOException
            {
                throw new java.io.IOException("Broken pipe");
            }
        };
        for (final AsciicastFormat format : AsciicastFormat.values())
        {
            final java.io.UncheckedIOException ex = assertThrows(java.io.UncheckedIOException.class,
                () -> SessionExport.export(dir, session, 1, done -> { },
                    new AsciicastExporter(1, format, failing, 8192, 16, 2)), format.toString());
            assertEquals("Broken pipe", ex.getCause().getMessage());
            assertNoWriterThread();
        }
    }

    @Test
    void shouldWriteIntoAPipeGivenAsTheFileWithoutReplacingIt() throws Exception
    {
        try (TestJournal journal = TestJournal.open(dir))
        {
            journal.sessionStarted(1, START_NS, 80, 24, "", "sh\0");
            journal.output(1, 0, START_NS + 1000, bytes("through the pipe\r\n"));
            journal.exited(1, START_NS + 2000, 18);
        }
        final SessionRecord session = SessionCatalog.load(dir).sessions(false).get(0);
        final Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        final java.util.concurrent.CompletableFuture<byte[]> read = java.util.concurrent.CompletableFuture.supplyAsync(
            () ->
            {
                try
                {
                    return java.nio.file.Files.readAllBytes(fifo);
                }
                catch (final java.io.IOException ex)
                {
                    throw new java.io.UncheckedIOException(ex);
                }
            });

        SessionExport.exportToFile(dir, session, 1, AsciicastFormat.RAW, fifo, done -> { });

        assertEquals("through the pipe\r\n",
            new String(read.get(30, java.util.concurrent.TimeUnit.SECONDS), StandardCharsets.UTF_8));
        assertFalse(java.nio.file.Files.isRegularFile(fifo), "the pipe was replaced by a file");
        assertTrue(java.nio.file.Files.exists(fifo));
    }

    @Test
    void shouldDescribeAnIoFailureInOneLine()
    {
        assertEquals("No space left on device",
            SessionExport.describe(new java.io.IOException("No space left on device")));
        assertEquals("no such file /x/y", SessionExport.describe(new java.nio.file.NoSuchFileException("/x/y")));
        assertEquals("access denied /x", SessionExport.describe(new java.nio.file.AccessDeniedException("/x")));
    }

    @Test
    void shouldExportAnOutputFrameLargerThanItsBuffers() throws Exception
    {
        final byte[] big = new byte[1_000_000];
        Arrays.fill(big, (byte)'\n');
        try (TestJournal journal = TestJournal.open(dir))
        {
            journal.sessionStarted(1, START_NS, 80, 24, "", "sh\0");
            for (int i = 0; i < 10; i++)
            {
                journal.output(1, (long)i * big.length, START_NS + i, big);
            }
            journal.exited(1, START_NS + 20, 10L * big.length);
        }
        final SessionRecord session = SessionCatalog.load(dir).sessions(false).get(0);
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        SessionExport.export(dir, session, session.sessionId(), AsciicastFormat.ASCIICAST_V2, out, done -> { });

        final long[] newlines = {0};
        AsciicastParser.parse(new ByteArrayInputStream(out.toByteArray()),
            (timeNs, code, data) -> newlines[0] += data.chars().filter(c -> c == '\n').count());
        assertEquals(10L * big.length, newlines[0]);
    }

    private String export(final long sessionId, final AsciicastFormat format)
    {
        SessionRecord session = null;
        for (final SessionRecord candidate : SessionCatalog.load(dir).sessions(false))
        {
            session = candidate.sessionId() == sessionId ? candidate : session;
        }
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        exportBothWays(session, format, out);

        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * Export as {@code ptyq export} does (a session this short is written on the caller's thread), and again through
     * batches of a few bytes and events, which hand over to the writer thread many times and split every frame:
     * both must write the same bytes and count the same replacements.
     *
     * @return the first exporter, finished; its bytes in {@code out}.
     */
    private AsciicastExporter exportBothWays(
        final SessionRecord session, final AsciicastFormat format, final ByteArrayOutputStream out)
    {
        final AsciicastExporter exporter =
            SessionExport.export(dir, session, session.sessionId(), format, out, done -> { });
        final ByteArrayOutputStream batched = new ByteArrayOutputStream();
        final AsciicastExporter tiny = SessionExport.export(dir, session, session.sessionId(), done -> { },
            new AsciicastExporter(session.sessionId(), format, batched, 4, 2, 2));
        assertEquals(out.toString(StandardCharsets.UTF_8), batched.toString(StandardCharsets.UTF_8),
            format + " through tiny batches");
        assertArrayEquals(out.toByteArray(), batched.toByteArray());
        assertEquals(exporter.replacements(), tiny.replacements());
        assertNoWriterThread();

        return exporter;
    }

    private static void assertNoWriterThread()
    {
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            assertFalse("export-writer".equals(thread.getName()) && thread.isAlive(), "a writer thread was left");
        }
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
