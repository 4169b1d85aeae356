package io.ptyq.producer;

import io.ptyq.codec.control.DaemonProxy;
import io.ptyq.codec.control.SessionSpec;
import io.ptyq.consumer.SessionCatalog;
import io.ptyq.consumer.SessionRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.ptyq.producer.PtyqScript.quote;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Export and import against each other and against the real asciinema CLI (2.2): a v2 export of a daemon session
 * plays through {@code asciinema cat} as the bytes {@code ptyq cat} gives; a recording asciinema makes imports and
 * {@code ptyq cat} gives what {@code asciinema cat} gives; export then import round-trips bytes and timing; a bad
 * file leaves the journal untouched; import refuses a journal a daemon holds.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class AsciicastSystemTest
{
    /**
     * UTF-8 of 1 to 4 bytes, colours, a cursor movement, tabs and quotes, over enough lines to span many frames.
     */
    private static final String PROGRAM = String.join("; ",
        "printf 'h\\303\\251llo \\342\\202\\254 \\360\\235\\204\\236 \"q\" \\\\ \\t tab\\n'",
        "printf '\\033[1;31mred\\033[0m \\033[2;5Hmoved\\n'",
        "i=0; while [ $i -lt 3000 ]; do echo \"line $i \\303\\251\\342\\202\\254\\360\\235\\204\\236\"; i=$((i+1)); done",
        "sleep 0.3",
        "printf 'after a pause\\n'",
        "exit 5");

    @TempDir
    Path temp;

    private Path journal;
    private Path logs;
    private PtyqScript terminal;
    private DaemonProcess daemon;

    @BeforeEach
    void setUp() throws Exception
    {
        journal = temp.resolve("journal");
        logs = temp.resolve("logs");
        terminal = new PtyqScript(temp.resolve("terminal"));
    }

    @AfterEach
    void tearDown()
    {
        if (null != daemon)
        {
            daemon.close();
        }
    }

    @Test
    void shouldPlayAVersion2ExportThroughAsciinemaCatAsPtyqCatGivesIt() throws Exception
    {
        PtyqScript.assumeCommands("asciinema", "script");
        daemon = DaemonProcess.start(journal, logs);
        final long session = runSession("mixed");
        final byte[] catBytes = ptyq("cat", String.valueOf(session)).stdout();
        assertTrue(catBytes.length > 50_000, "the session wrote " + catBytes.length + " bytes");

        final Path cast = temp.resolve("mixed.cast");
        final DaemonProcess.Result export = ptyq("export", "mixed", "-o", cast.toString());
        assertEquals(0, export.exitCode(), export.stderr());
        assertEquals("", export.stderr(), "a valid UTF-8 session exports without loss");

        assertArrayEquals(catBytes, asciinemaCat(cast), "asciinema cat of the v2 export");
    }

    @Test
    void shouldFailWithOneLineWhenStandardOutputIsFull() throws Exception
    {
        daemon = DaemonProcess.start(journal, logs);
        final long session = runSession("full");
        for (final String command : List.of("export", "cat"))
        {
            final DaemonProcess.Result full = DaemonProcess.run(logs, "exec >/dev/full;", command, "--journal",
                journal.toString(), String.valueOf(session));
            assertEquals(1, full.exitCode(), command + ": " + full.stderr());
            assertEquals("ptyq: cannot write to standard output: No space left on device", full.stderr().strip(),
                command + ": one line, no stack trace");
        }
    }

    @Test
    void shouldImportARecordingAsciinemaMadeAsTheBytesAsciinemaCatGives() throws Exception
    {
        PtyqScript.assumeCommands("asciinema", "script");
        final Path program = temp.resolve("program.sh");
        Files.writeString(program, PROGRAM + "\n");
        final Path cast = temp.resolve("asciinema.cast");
        final PtyqScript.Result recorded = terminal.run(
            "asciinema rec --quiet -c " + quote("sh " + quote(program)) + " " + quote(cast), asciinemaEnv());
        assertTrue(Files.size(cast) > 50_000, "asciinema recorded " + Files.size(cast) + " bytes: " +
            recorded.screen());

        final DaemonProcess.Result imported = ptyq("import", cast.toString());
        assertEquals(0, imported.exitCode(), imported.stderr());
        final long session = Long.parseLong(imported.out().trim());
        final SessionRecord record = record(session);
        assertEquals(SessionRecord.State.EXITED, record.state());
        assertEquals("asciinema", record.name());

        assertArrayEquals(asciinemaCat(cast), ptyq("cat", String.valueOf(session)).stdout(),
            "ptyq cat of the imported recording");
    }

    @Test
    void shouldRoundTripBytesAndTimingThroughExportAndImport() throws Exception
    {
        daemon = DaemonProcess.start(journal, logs);
        final long session = runSession("original");
        final byte[] original = ptyq("cat", "original").stdout();
        final Path v2 = temp.resolve("v2.cast");
        final Path v3 = temp.resolve("v3.cast");
        assertEquals(0, ptyq("export", "original", "-o", v2.toString()).exitCode());
        assertEquals(0, ptyq("export", "original", "--format", "asciicast-v3", "-o", v3.toString()).exitCode());
        daemon.terminate();
        daemon = null;

        final long fromV2 = importFile(v2);
        final long fromV3 = importFile(v3);
        assertTrue(fromV2 > session && fromV3 > fromV2, "session ids continue: " + session + ", " + fromV2 + ", " +
            fromV3);
        for (final long imported : List.of(fromV2, fromV3))
        {
            assertArrayEquals(original, ptyq("cat", String.valueOf(imported)).stdout(), "bytes of " + imported);
        }

        // Every time, to the microsecond, and the header: exporting the imported session gives the same file.
        assertEquals(Files.readString(v2), exportText(fromV2, "asciicast-v2"));
        assertEquals(Files.readString(v3), exportText(fromV3, "asciicast-v3"));
        assertEquals(Integer.valueOf(5), record(fromV3).exitCode(), "v3 carries the exit status");
        assertEquals(record(session).startedAt().getEpochSecond(), record(fromV2).startedAt().getEpochSecond());
    }

    @Test
    void shouldLeaveTheJournalUntouchedByABadFileAndRefuseAJournalADaemonHolds() throws Exception
    {
        final Path good = temp.resolve("good.cast");
        Files.writeString(good, "{\"version\": 2, \"width\": 80, \"height\": 24, \"timestamp\": 1700000000}\n" +
            "[0.5, \"o\", \"fine\\r\\n\"]\n");
        importFile(good);
        final Path truncated = temp.resolve("truncated.cast");
        Files.writeString(truncated, "{\"version\": 2, \"width\": 80, \"height\": 24}\n" +
            "[0.5, \"o\", \"fine\\r\\n\"]\n[0.7, \"o\", \"cut sh");
        final Path missing = temp.resolve("missing.cast");

        final DaemonProcess.Result bad = ptyq("import", truncated.toString());
        assertEquals(1, bad.exitCode());
        assertEquals("ptyq: " + truncated + ": line 3: the file ends in the middle of a line (truncated?)\n",
            bad.stderr());
        final DaemonProcess.Result absent = ptyq("import", missing.toString());
        assertEquals("ptyq: " + missing + ": no such file\n", absent.stderr());
        assertEquals(1, SessionCatalog.load(journal).sessions(false).size(), "nothing of a bad file is journaled");

        daemon = DaemonProcess.start(journal, logs);
        final DaemonProcess.Result refused = ptyq("import", good.toString());
        assertEquals(1, refused.exitCode());
        assertEquals("ptyq: cannot import while a ptyq daemon or recording (pid " + daemon.pid() + ") holds " +
            journal + ": stop it first, or import into another journal with --journal\n", refused.stderr());
    }

    private long runSession(final String name) throws Exception
    {
        try (DaemonProxy proxy = DaemonProxy.connect(journal))
        {
            final long session = proxy.newSession(
                new SessionSpec(name, List.of("sh", "-c", PROGRAM), temp.toString(), Map.of(), 100, 30));
            final long deadlineMs = System.currentTimeMillis() + 60_000;
            while (null == record(session).endedAt())
            {
                if (System.currentTimeMillis() > deadlineMs)
                {
                    fail("session " + session + " did not end within 60 s");
                }
                Thread.sleep(50);
            }
            return session;
        }
    }

    private long importFile(final Path file) throws Exception
    {
        final DaemonProcess.Result imported = ptyq("import", file.toString());
        assertEquals(0, imported.exitCode(), imported.stderr());

        return Long.parseLong(imported.out().trim());
    }

    private String exportText(final long session, final String format) throws Exception
    {
        final DaemonProcess.Result export = ptyq("export", String.valueOf(session), "--format", format);
        assertEquals(0, export.exitCode(), export.stderr());

        return export.out();
    }

    private byte[] asciinemaCat(final Path cast) throws Exception
    {
        final Path out = temp.resolve(cast.getFileName() + ".asciinema-cat");
        final PtyqScript.Result result = terminal.run(
            "asciinema cat " + quote(cast) + " > " + quote(out), asciinemaEnv());
        assertEquals(0, result.exitCode(), "asciinema cat failed: " + result.screen());

        return Files.readAllBytes(out);
    }

    private Map<String, String> asciinemaEnv()
    {
        return Map.of("ASCIINEMA_CONFIG_HOME", temp.resolve("asciinema-config").toString(),
            "LANG", "C.UTF-8", "LC_ALL", "C.UTF-8");
    }

    private DaemonProcess.Result ptyq(final String command, final String... args) throws Exception
    {
        final String[] all = new String[args.length + 3];
        all[0] = command;
        all[1] = "--journal";
        all[2] = journal.toString();
        System.arraycopy(args, 0, all, 3, args.length);

        return DaemonProcess.run(logs, "", all);
    }

    private SessionRecord record(final long session)
    {
        for (final SessionRecord record : SessionCatalog.load(journal).sessions(null != daemon))
        {
            if (record.sessionId() == session)
            {
                return record;
            }
        }
        throw new AssertionError("no session " + session + " in the journal: " +
            new String(JournalContents.read(journal).output(session), StandardCharsets.UTF_8));
    }
}
