package io.ptyq.producer;

import io.ptyq.consumer.SessionCatalog;
import io.ptyq.consumer.SessionRecord;
import io.ptyq.consumer.asciicast.AsciicastFormat;
import io.ptyq.consumer.asciicast.AsciicastHeader;
import io.ptyq.consumer.asciicast.AsciicastParser;
import io.ptyq.consumer.asciicast.SessionExport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.ptyq.producer.PtyqScript.quote;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code ptyq record} in real terminals ({@code script}, tmux): exit codes as its own, the journal's session and
 * the {@code -o} file, keys and resizes reaching the session, a command that cannot start, and a journal a daemon
 * already holds (the session then runs in that daemon).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class RecordSystemTest
{
    private static final long DEADLINE_MS = 60_000;

    @TempDir
    Path temp;

    private Path journal;
    private Path logs;
    private PtyqScript terminal;
    private DaemonProcess daemon;
    private Path tmuxSocket;

    @BeforeEach
    void setUp() throws Exception
    {
        PtyqScript.assumeCommands("script", "stty");
        journal = temp.resolve("journal");
        logs = temp.resolve("logs");
        terminal = new PtyqScript(temp.resolve("terminal"));
    }

    @AfterEach
    void tearDown() throws Exception
    {
        if (null != tmuxSocket)
        {
            new ProcessBuilder("tmux", "-S", tmuxSocket.toString(), "kill-server").redirectErrorStream(true)
                .start().waitFor(10, TimeUnit.SECONDS);
        }
        if (null != daemon)
        {
            daemon.close();
        }
    }

    @Test
    void shouldRecordInATerminalExitWithTheCommandsCodeAndWriteTheCastFile() throws Exception
    {
        final Path cast = temp.resolve("out.cast");
        final PtyqScript.Result result = terminal.run(terminal.ptyq() + " record --journal " + quote(journal) +
            " --name rec -o " + quote(cast) + " -- sh -c " +
            quote("printf 'hi \\303\\251 \\360\\235\\204\\236\\n'; exit 7"), Map.of());

        assertEquals(7, result.exitCode(), result.screen());
        assertTrue(result.screen().contains("hi é 𝄞\r\n"), result.screen());
        assertTrue(result.screen().contains("[ptyq: session 1 exited with code 7; recorded in " + journal + "]"),
            result.screen());

        final SessionRecord record = only(SessionCatalog.load(journal).sessions(false));
        assertEquals("rec", record.name());
        assertEquals(SessionRecord.State.EXITED, record.state());
        assertEquals(Integer.valueOf(7), record.exitCode());
        assertEquals(List.of("sh", "-c", "printf 'hi \\303\\251 \\360\\235\\204\\236\\n'; exit 7"), record.argv());
        // The session starts at this terminal's size (the child's own view of it races pty4j's spawn: not asked).
        assertEquals(100, record.cols());
        assertEquals(30, record.rows());
        final byte[] output = JournalContents.read(journal).output(record.sessionId());
        assertEquals("hi é 𝄞\r\n", new String(output, StandardCharsets.UTF_8));

        final StringBuilder castOutput = new StringBuilder();
        final AsciicastHeader header;
        try (InputStream in = Files.newInputStream(cast))
        {
            header = AsciicastParser.parse(in, (timeNs, code, data) -> castOutput.append(data));
        }
        assertEquals(2, header.version());
        assertEquals(100, header.cols());
        assertEquals(30, header.rows());
        assertEquals("rec", header.title());
        assertEquals(record.startedAt().getEpochSecond(), header.timestampSec());
        assertArrayEquals(output, castOutput.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldGiveSignalsAndUnstartableCommandsTheirShellExitCodes() throws Exception
    {
        final PtyqScript.Result killed = terminal.run(terminal.ptyq() + " record --journal " + quote(journal) +
            " -- sh -c 'kill -TERM $$'", Map.of());
        assertEquals(143, killed.exitCode(), killed.screen());
        assertTrue(killed.screen().contains("was killed by signal 15 (exit code 143)"), killed.screen());

        final PtyqScript.Result missing = terminal.run(terminal.ptyq() + " record --journal " + quote(journal) +
            " -- no-such-command-here", Map.of());
        assertEquals(127, missing.exitCode(), missing.screen());
        assertTrue(missing.screen().contains("ptyq: cannot start 'no-such-command-here': command not found " +
            "(session 2)"), missing.screen());

        final List<SessionRecord> sessions = SessionCatalog.load(journal).sessions(false);
        assertEquals(2, sessions.size());
        assertEquals(Integer.valueOf(127), sessions.get(1).exitCode());
    }

    @Test
    void shouldSendKeysAndResizesToTheSessionInTmux() throws Exception
    {
        PtyqScript.assumeCommands("tmux");
        tmuxSocket = temp.resolve("tmux.sock");
        final String program = "read line; echo \"got $line\"; read again; stty size; exit 3";
        tmux("new-session", "-d", "-s", "main", "-x", "100", "-y", "30",
            terminal.ptyq() + " record --record-input --journal " + quote(journal) + " -- sh -c " + quote(program) +
            "; echo \"rc=$?\"; sleep 600");
        tmux("set-option", "-g", "remain-on-exit", "on");
        awaitCondition("the recording to start", () -> Files.exists(journal) &&
            !SessionCatalog.load(journal).sessions(true).isEmpty());

        tmux("send-keys", "-t", "main", "-l", "hello there");
        tmux("send-keys", "-t", "main", "Enter");
        awaitCondition("the typed line echoed", () -> screen().contains("got hello there"));
        tmux("resize-window", "-t", "main", "-x", "120", "-y", "40");
        awaitCondition("the resize journaled", () ->
        {
            final SessionRecord record = only(SessionCatalog.load(journal).sessions(true));
            return 120 == record.cols() && 40 == record.rows();
        });
        tmux("send-keys", "-t", "main", "Enter");
        awaitCondition("the session's end", () -> screen().contains("rc=3"));

        assertTrue(screen().contains("40 120"), screen());
        final String output = new String(
            JournalContents.read(journal).output(1), StandardCharsets.UTF_8);
        assertTrue(output.contains("got hello there\r\n") && output.contains("40 120\r\n"), output);
        final SessionRecord record = only(SessionCatalog.load(journal).sessions(false));
        assertEquals(Integer.valueOf(3), record.exitCode());

        // --record-input: what was typed is journaled, and exported as "i" events.
        final ByteArrayOutputStream cast = new ByteArrayOutputStream();
        SessionExport.export(journal, record, record.sessionId(), AsciicastFormat.ASCIICAST_V2, cast, done -> { });
        final StringBuilder input = new StringBuilder();
        AsciicastParser.parse(new ByteArrayInputStream(cast.toByteArray()), (timeNs, code, data) ->
        {
            if ('i' == code)
            {
                input.append(data);
            }
        });
        assertEquals("hello there\r\r", input.toString());
    }

    @Test
    void shouldRunTheSessionInTheDaemonThatHoldsTheJournal() throws Exception
    {
        daemon = DaemonProcess.start(journal, logs);
        final PtyqScript.Result result = terminal.run(terminal.ptyq() + " record --journal " + quote(journal) +
            " --name viadaemon -- sh -c 'echo through the daemon; exit 4'", Map.of());

        assertEquals(4, result.exitCode(), result.screen());
        assertTrue(result.screen().contains("through the daemon"), result.screen());
        final SessionRecord record = only(SessionCatalog.load(journal).sessions(true));
        assertEquals("viadaemon", record.name());
        assertEquals(Integer.valueOf(4), record.exitCode());
        assertTrue(daemon.stdout().contains("session 1 'viadaemon' started"), daemon.stdout());
        assertFalse(result.screen().contains("daemon started"), "no second daemon ran: " + result.screen());
    }

    private static SessionRecord only(final List<SessionRecord> sessions)
    {
        assertEquals(1, sessions.size(), sessions.toString());
        return sessions.get(0);
    }

    private String screen() throws Exception
    {
        return tmux("capture-pane", "-p", "-t", "main");
    }

    private String tmux(final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of("tmux", "-S", tmuxSocket.toString(), "-f", "/dev/null"));
        command.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("TERM", "xterm");
        builder.environment().put("LANG", "C.UTF-8");
        final Process process = builder.redirectErrorStream(true).start();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        process.getInputStream().transferTo(out);
        if (!process.waitFor(30, TimeUnit.SECONDS) || 0 != process.exitValue())
        {
            throw new AssertionError(String.join(" ", command) + " failed: " + out.toString(StandardCharsets.UTF_8));
        }

        return out.toString(StandardCharsets.UTF_8);
    }

    private void awaitCondition(final String what, final Check check) throws Exception
    {
        final long deadlineMs = System.currentTimeMillis() + DEADLINE_MS;
        while (!check.holds())
        {
            if (System.currentTimeMillis() > deadlineMs)
            {
                fail("timed out waiting for " + what + (null != tmuxSocket ? "; screen:\n" + screen() : ""));
            }
            Thread.sleep(100);
        }
    }

    /**
     * A condition polled until it holds.
     */
    @FunctionalInterface
    private interface Check
    {
        boolean holds() throws Exception;
    }
}
