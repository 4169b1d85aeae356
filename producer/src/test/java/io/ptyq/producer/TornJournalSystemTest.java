package io.ptyq.producer;

import io.ptyq.codec.control.DaemonProxy;
import io.ptyq.codec.control.SessionSpec;
import io.ptyq.codec.sbe.ExitReason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A journal whose newest cycle file was cut short inside a frame, under a real daemon restart: the daemon must keep
 * the whole frames, keep the damaged file aside, and write new sessions where readers find them.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TornJournalSystemTest
{
    private static final int META_DATA = 0x4000_0000;
    private static final int LENGTH_MASK = 0x3FFF_FFFF;

    @TempDir
    Path temp;

    private DaemonProcess daemon;

    @AfterEach
    void tearDown()
    {
        if (null != daemon)
        {
            daemon.close();
        }
    }

    @Test
    void shouldRebuildATornNewestCycleSoNewSessionsStayReadable() throws Exception
    {
        final Path journal = temp.resolve("journal");
        final Path logs = temp.resolve("logs");
        daemon = DaemonProcess.start(journal, logs);
        final long first;
        try (DaemonProxy proxy = DaemonProxy.connect(journal))
        {
            first = proxy.newSession(spec("seq", "1", "50000"));
        }
        JournalContents.awaitExit(journal, first);
        daemon.terminate();
        final byte[] firstOutput = JournalContents.read(journal).output(first);

        // Cut the newest file 8 bytes into its last data document: the first session's SessionExited frame.
        final Path cycle = newestCycleFile(journal);
        final long lastDataDocument = lastDataDocumentPosition(cycle);
        try (FileChannel channel = FileChannel.open(cycle, StandardOpenOption.WRITE))
        {
            channel.truncate(lastDataDocument + 8);
        }

        daemon = DaemonProcess.start(journal, logs.resolve("second"));
        final long second;
        try (DaemonProxy proxy = DaemonProxy.connect(journal))
        {
            second = proxy.newSession(spec("echo", "after the tear"));
        }
        JournalContents.awaitExit(journal, second);
        daemon.terminate();
        final String log = daemon.stdout() + daemon.stderr();

        final JournalContents contents = JournalContents.read(journal);
        assertArrayEquals(firstOutput, contents.output(first), "every Output frame before the tear is kept");
        assertEquals(ExitReason.ABANDONED, contents.reasons.get(first), "its torn exit frame is gone: abandoned");
        assertEquals(firstOutput.length, contents.totals.get(first));
        assertEquals("after the tear\r\n", new String(contents.output(second), StandardCharsets.UTF_8));
        assertTrue(second > first, "ids continue");
        assertEquals(0, contents.invalidFrames);
        assertTrue(log.contains("ERROR: journal file " + cycle.getFileName() + " was cut short inside the frame at " +
            "byte " + lastDataDocument), log);
        try (Stream<Path> files = Files.list(journal))
        {
            final List<Path> kept = files.filter((path) -> path.getFileName().toString().startsWith(
                cycle.getFileName() + ".damaged-")).toList();
            assertEquals(1, kept.size(), "the damaged file is kept aside");
            assertEquals(lastDataDocument + 8, Files.size(kept.get(0)));
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cycle)));
        assertTrue(Files.notExists(journal.resolve(".salvage")));
    }

    @Test
    void shouldMoveAsideAMiddleCycleOfGarbageAndStartAtOnce() throws Exception
    {
        final Path journal = temp.resolve("journal");
        final Path logs = temp.resolve("logs");
        final List<String> secondly = List.of("-D" + JournalFiles.ROLL_CYCLE_PROPERTY + "=TEST_SECONDLY");
        daemon = DaemonProcess.start(journal, logs, secondly);
        final long[] sessions = new long[4];
        try (DaemonProxy proxy = DaemonProxy.connect(journal))
        {
            for (int i = 0; i < sessions.length; i++)
            {
                sessions[i] = proxy.newSession(spec("echo", "session " + i));
                JournalContents.awaitExit(journal, sessions[i]);
                Thread.sleep(1_100); // the next one in a later one-second cycle
            }
        }
        daemon.terminate();
        final List<Path> cycles;
        try (Stream<Path> files = Files.list(journal))
        {
            cycles = files.filter((path) -> path.getFileName().toString().endsWith(".cq4")).sorted().toList();
        }
        assertTrue(cycles.size() >= 4, "one cycle file per session at least: " + cycles);
        final Path garbage = cycles.get(cycles.size() / 2);
        final byte[] random = new byte[1 << 20];
        new java.util.Random(42).nextBytes(random);
        Files.write(garbage, random);

        // Chronicle's appender visits older cycles as it opens: before, this start failed or waited on the garbage.
        daemon = DaemonProcess.start(journal, logs.resolve("second"), secondly);
        final long after;
        try (DaemonProxy proxy = DaemonProxy.connect(journal))
        {
            after = proxy.newSession(spec("echo", "after the garbage"));
        }
        JournalContents.awaitExit(journal, after);
        daemon.terminate();
        final String log = daemon.stdout() + daemon.stderr();

        assertTrue(log.contains("ERROR: journal file " + garbage.getFileName() + " does not start with a journal " +
            "cycle's header: moved aside as " + garbage.getFileName() + ".damaged-"), log);
        assertTrue(after > sessions[sessions.length - 1], "ids continue");
        final JournalContents contents = JournalContents.read(journal);
        assertEquals("after the garbage\r\n", new String(contents.output(after), StandardCharsets.UTF_8));
        assertEquals("session 0\r\n", new String(contents.output(sessions[0]), StandardCharsets.UTF_8));
        assertEquals("session 3\r\n", new String(contents.output(sessions[3]), StandardCharsets.UTF_8));
    }

    private static Path newestCycleFile(final Path journal) throws Exception
    {
        try (Stream<Path> files = Files.list(journal))
        {
            return files.filter((path) -> path.getFileName().toString().endsWith(".cq4"))
                .max(Path::compareTo).orElseThrow();
        }
    }

    /**
     * Walk Chronicle's 4-byte document headers (length, metadata and not-complete bits; 4-byte aligned).
     */
    private static long lastDataDocumentPosition(final Path cycle) throws Exception
    {
        final ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(cycle)).order(ByteOrder.LITTLE_ENDIAN);
        long last = -1;
        int position = 0;
        while (position + 4 <= bytes.limit())
        {
            final int header = bytes.getInt(position);
            if (0 == header)
            {
                break;
            }
            if ((header & META_DATA) == 0)
            {
                last = position;
            }
            position = (position + 4 + (header & LENGTH_MASK) + 3) & ~3;
        }
        assertTrue(last > 0, "a data document in " + cycle);
        return last;
    }

    private static SessionSpec spec(final String... argv)
    {
        return new SessionSpec("", List.of(argv), null, Map.of(), 80, 24);
    }
}
