package io.ptyq.producer;

import io.ptyq.codec.control.SessionSpec;
import io.ptyq.codec.control.DaemonProxy;
import io.ptyq.codec.control.SessionCommandException;
import io.ptyq.codec.sbe.ExitReason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The daemon as users run it: a separate JVM with real PTYs, driven over its control socket, checked by reading the
 * journal back.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DaemonSystemTest
{
    @TempDir
    Path temp;

    private Path journal;
    private Path logs;
    private DaemonProcess daemon;

    @BeforeEach
    void setUp()
    {
        journal = temp.resolve("journal");
        logs = temp.resolve("logs");
    }

    @AfterEach
    void tearDown() throws Exception
    {
        if (null != daemon)
        {
            daemon.close();
        }
    }

    @Test
    void shouldJournalOutputByteExact() throws Exception
    {
        final Path binary = temp.resolve("random.bin");
        final byte[] random = new byte[256 * 1024];
        new Random(42).nextBytes(random);
        Files.write(binary, random);
        daemon = DaemonProcess.start(journal, logs);

        try (DaemonProxy proxy = DaemonProxy.connect(journal))
        {
            final long printf = proxy.newSession(spec("printf", "a\\tb\\nc\\001\\377\\n"));
            final long seq = proxy.newSession(spec("seq", "1", "20000"));
            final long cat = proxy.newSession(spec("sh", "-c", "stty raw -echo; cat " + binary));
            awaitExit(printf, seq, cat);

            final JournalContents contents = JournalContents.read(journal);
            assertArrayEquals(bytes("a\tb\r\nc\001\377\r\n"), contents.output(printf));
            final String expectedSeq = IntStream.rangeClosed(1, 20000).mapToObj(Integer::toString)
                .collect(Collectors.joining("\r\n", "", "\r\n"));
            assertArrayEquals(bytes(expectedSeq), contents.output(seq));
            assertArrayEquals(random, contents.output(cat), "raw-mode cat of a binary file is byte-exact");
            assertEquals(contents.output(seq).length, contents.totals.get(seq));
            assertEquals(0, contents.invalidFrames);
        }
    }

    @Test
    void shouldJournalExitCodesAndSignals() throws Exception
    {
        daemon = DaemonProcess.start(journal, logs);
        try (DaemonProxy proxy = DaemonProxy.connect(journal))
        {
            final long ok = proxy.newSession(spec("true"));
            final long three = proxy.newSession(spec("sh", "-c", "exit 3"));
            final long killed = proxy.newSession(spec("sh", "-c", "kill -TERM $$; sleep 5"));
            final long slept = proxy.newSession(spec("sleep", "60"));
            proxy.signal(String.valueOf(slept), Signals.number("KILL"));
            awaitExit(ok, three, killed, slept);

            final JournalContents contents = JournalContents.read(journal);
            assertEquals(0, contents.exitCodes.get(ok));
            assertEquals(ExitReason.EXITED, contents.reasons.get(ok));
            assertEquals(3, contents.exitCodes.get(three));
            assertEquals(15, contents.signals.get(killed));
            assertEquals(ExitReason.SIGNALED, contents.reasons.get(killed));
            assertEquals(9, contents.signals.get(slept));
        }
    }

    @Test
    void shouldDeliverInputAndResize() throws Exception
    {
        daemon = DaemonProcess.start(journal, logs);
        try (DaemonProxy proxy = DaemonProxy.connect(journal))
        {
            // pty4j applies the initial size just after the fork, so the child reads it only once it has input.
            final long session = proxy.newSession(new SessionSpec("shell", List.of("sh", "-c",
                "read start; stty size; read line; echo \"got:$line\"; stty size"), null, Map.of(), 100, 30));
            proxy.input("shell", bytes("go\r"));
            awaitOutput(session, "30 100");
            proxy.resize("shell", 132, 43);
            proxy.input("shell", bytes("hello\r"));
            awaitExit(session);

            final String output = new String(JournalContents.read(journal).output(session), StandardCharsets.UTF_8);
            assertTrue(output.contains("got:hello"), output);
            assertTrue(output.endsWith("43 132\r\n"), output);
        }
    }

    @Test
    void shouldDeliverInputLargerThanThePtyBufferAndRefuseInputNobodyReads() throws Exception
    {
        daemon = DaemonProcess.start(journal, logs);
        try (DaemonProxy proxy = DaemonProxy.connect(journal))
        {
            // Raw mode, so the line discipline passes every byte on and never discards a long line.
            final long reader = proxy.newSession(new SessionSpec("reader", List.of("sh", "-c",
                "stty raw -echo; echo ready; head -c 180000 | wc -c"), null, Map.of(), 80, 24));
            awaitOutput(reader, "ready");
            final byte[] chunk = new byte[60_000];
            java.util.Arrays.fill(chunk, (byte)'x');
            for (int i = 0; i < 3; i++)
            {
                proxy.input("reader", chunk);
            }
            awaitExit(reader);
            assertTrue(new String(JournalContents.read(journal).output(reader), StandardCharsets.UTF_8)
                .contains("180000"));

            final long sleeper = proxy.newSession(new SessionSpec("sleeper", List.of("sh", "-c",
                "stty raw -echo; echo ready; exec sleep 120"), null, Map.of(), 80, 24));
            awaitOutput(sleeper, "ready");
            final SessionCommandException refused = assertThrows(SessionCommandException.class, () ->
            {
                for (int i = 0; i < 20; i++)
                {
                    proxy.input("sleeper", chunk);
                }
            });
            assertTrue(refused.getMessage().contains("has not read its input"), refused.getMessage());
            proxy.signal("sleeper", 9);
            awaitExit(sleeper);
        }
    }

    @Test
    void shouldRefuseSecondDaemonOnSameJournal() throws Exception
    {
        daemon = DaemonProcess.start(journal, logs);
        final DaemonProcess.Result second = DaemonProcess.run(logs, "", "daemon", "--journal", journal.toString());

        assertEquals(1, second.exitCode());
        assertEquals("ptyq: a ptyq daemon (pid " + daemon.pid() + ") is already running on " + journal + "\n",
            second.stderr());
    }

    @Test
    void shouldKeepJournalOwnerOnlyUnderUmask000() throws Exception
    {
        final Path other = journal;
        try (DaemonProcess open = DaemonProcess.spawn(logs, "umask 000;",
            List.of("daemon", "--journal", other.toString())))
        {
            // The socket file appears at bind, a moment before the daemon listens and logs that it started.
            awaitCondition("a daemon started under umask 000", () -> Files.exists(other.resolve("control.sock")) &&
                stdoutOf(open).contains("daemon started"));
            assertTrue(open.process().isAlive(), "the daemon runs under umask 000");
            try (DaemonProxy proxy = DaemonProxy.connect(other))
            {
                awaitExit(other, proxy.newSession(spec("echo", "hi")));
            }
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(other)));
            try (Stream<Path> files = Files.list(other))
            {
                for (final Path file : files.collect(Collectors.toList()))
                {
                    final String permissions = PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
                    assertTrue(permissions.equals("rw-------") ||
                        (Files.isDirectory(file) && permissions.equals("rwx------")), file + " is " + permissions);
                }
            }
        }
    }

    @Test
    void shouldJournalEveryExitOnSigterm() throws Exception
    {
        daemon = DaemonProcess.start(journal, logs, "--grace", "300");
        final List<Long> sessions = new ArrayList<>();
        try (DaemonProxy proxy = DaemonProxy.connect(journal))
        {
            sessions.add(proxy.newSession(spec("sleep", "1000")));
            sessions.add(proxy.newSession(spec("sh", "-c", "trap '' HUP; sleep 1000")));
            sessions.add(proxy.newSession(spec("cat")));
        }
        daemon.terminate();

        final JournalContents contents = JournalContents.read(journal);
        for (final long session : sessions)
        {
            assertTrue(contents.reasons.containsKey(session), "no SessionExited for session " + session);
        }
        assertTrue(daemon.stdout().contains("daemon stopped"), daemon.stdout());
    }

    @Test
    void shouldMarkSessionsOfKilledDaemonAbandonedAndContinueIds() throws Exception
    {
        daemon = DaemonProcess.start(journal, logs);
        final long first;
        try (DaemonProxy proxy = DaemonProxy.connect(journal))
        {
            first = proxy.newSession(spec("sleep", "1000"));
        }
        daemon.kill9();
        daemon = DaemonProcess.start(journal, logs);
        try (DaemonProxy proxy = DaemonProxy.connect(journal))
        {
            final long second = proxy.newSession(spec("true"));
            assertEquals(first + 1, second, "session ids continue without reuse");
            awaitExit(second);
        }

        final JournalContents contents = JournalContents.read(journal);
        assertEquals(ExitReason.ABANDONED, contents.reasons.get(first));
    }

    @Test
    void shouldReportCommandThatCannotStart() throws Exception
    {
        daemon = DaemonProcess.start(journal, logs);
        final DaemonProcess.Result missing = DaemonProcess.run(logs, "",
            "new", "--journal", journal.toString(), "--", "/no/such/program");
        assertEquals(1, missing.exitCode());
        assertEquals(1, missing.stderr().lines().count(), missing.stderr());
        assertTrue(missing.stderr().startsWith("ptyq: cannot start '/no/such/program': not found"), missing.stderr());

        final JournalContents contents = JournalContents.read(journal);
        final long session = contents.reasons.keySet().iterator().next();
        assertEquals(ExitReason.SPAWN_FAILED, contents.reasons.get(session));
        assertEquals(127, contents.exitCodes.get(session));
    }

    @Test
    void shouldSayWhenNoDaemonRuns() throws Exception
    {
        Files.createDirectories(journal);
        final DaemonProcess.Result send = DaemonProcess.run(logs, "",
            "send", "--journal", journal.toString(), "1", "hello");

        assertEquals(1, send.exitCode());
        assertEquals(1, send.stderr().lines().count(), send.stderr());
        assertTrue(send.stderr().contains("no ptyq daemon is running"), send.stderr());
    }

    @Test
    void shouldListAndCatSessionsThroughTheCli() throws Exception
    {
        daemon = DaemonProcess.start(journal, logs);
        final DaemonProcess.Result created = DaemonProcess.run(logs, "",
            "new", "--journal", journal.toString(), "--name", "greeting", "--", "printf", "hello\\nworld\\n");
        assertEquals(0, created.exitCode(), created.stderr());
        final long session = Long.parseLong(created.out().trim());
        awaitExit(session);

        final DaemonProcess.Result cat = DaemonProcess.run(logs, "", "cat", "--journal", journal.toString(), "greeting");
        assertEquals(0, cat.exitCode(), cat.stderr());
        assertArrayEquals(bytes("hello\r\nworld\r\n"), cat.stdout());

        final DaemonProcess.Result ls = DaemonProcess.run(logs, "", "ls", "--journal", journal.toString(), "--json");
        assertEquals(0, ls.exitCode(), ls.stderr());
        final String json = ls.out();
        assertTrue(json.startsWith("[") && json.trim().endsWith("]"), json);
        assertTrue(json.contains("\"id\": " + session + ", \"name\": \"greeting\", \"state\": \"exited\", " +
            "\"exitCode\": 0, \"startedAt\": \""), json);
        assertTrue(json.contains("\"outputBytes\": 14, \"command\": \"printf 'hello\\\\nworld\\\\n'\"}"), json);

        final DaemonProcess.Result unknown = DaemonProcess.run(logs, "", "cat", "--journal", journal.toString(), "nope");
        assertEquals(1, unknown.exitCode());
        assertEquals("ptyq: no session 'nope' in " + journal + "\n", unknown.stderr());
    }

    @Test
    @Tag("slow")
    void shouldLoseNothingFromFiftyConcurrentSessions() throws Exception
    {
        daemon = DaemonProcess.start(journal, logs);
        final int sessionCount = 50;
        final int lines = 290_000;
        final List<Long> sessions = new ArrayList<>();
        try (DaemonProxy proxy = DaemonProxy.connect(journal))
        {
            for (int i = 0; i < sessionCount; i++)
            {
                sessions.add(proxy.newSession(spec("seq", String.valueOf(i), String.valueOf(i + lines))));
            }
            awaitExit(sessions.stream().mapToLong(Long::longValue).toArray());
        }

        final JournalContents contents = JournalContents.read(journal);
        for (int i = 0; i < sessionCount; i++)
        {
            final ByteArrayOutputStream expected = new ByteArrayOutputStream();
            for (int n = i; n <= i + lines; n++)
            {
                expected.writeBytes(bytes(n + "\r\n"));
            }
            final byte[] actual = contents.output(sessions.get(i));
            assertTrue(actual.length > 2_000_000, "session " + i + " wrote " + actual.length + " bytes");
            assertArrayEquals(expected.toByteArray(), actual, "session " + sessions.get(i));
        }
    }

    private static String stdoutOf(final DaemonProcess process)
    {
        try
        {
            return process.stdout();
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    private static SessionSpec spec(final String... argv)
    {
        return new SessionSpec("", List.of(argv), null, Map.of(), 80, 24);
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private void awaitExit(final long... sessions) throws InterruptedException
    {
        awaitExit(journal, sessions);
    }

    private static void awaitExit(final Path journal, final long... sessions) throws InterruptedException
    {
        JournalContents.awaitExit(journal, sessions);
    }

    private void awaitOutput(final long session, final String text) throws InterruptedException
    {
        awaitCondition("output '" + text + "' from session " + session, () ->
            new String(JournalContents.read(journal).output(session), StandardCharsets.UTF_8).contains(text));
    }

    private static void awaitCondition(final String what, final BooleanSupplier condition) throws InterruptedException
    {
        final long deadlineMs = System.currentTimeMillis() + 60_000;
        while (!condition.getAsBoolean())
        {
            if (System.currentTimeMillis() > deadlineMs)
            {
                fail("timed out after 60 s waiting for " + what);
            }
            Thread.sleep(50);
        }
    }
}
