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

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code ptyq attach} in a real terminal: tmux runs it beside the same program run directly, and the screens
 * ({@code capture-pane}, with colours and cursor) must match, whether attach starts before the program draws or
 * after. Also detach, {@code --write}, exit codes, attach without a terminal, and a daemon that dies.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class AttachSystemTest
{
    private static final long DEADLINE_MS = 60_000;
    private static final int COLS = 100;
    private static final int ROWS = 30;

    /**
     * Scrolls, clears, then draws with cursor addressing, colours, reverse video and erase-to-end-of-line.
     * Waits for a go-file first so that an attach can start before anything is drawn.
     */
    private static final String DRAW_SCRIPT = String.join("\n",
        "while [ ! -e \"$1\" ]; do sleep 0.05; done",
        "for i in $(seq 1 60); do echo \"scrolling $i\"; done",
        "printf '\\033[2J\\033[H'",
        "for i in $(seq 1 20); do printf '\\033[%d;%dH\\033[3%dmline %d\\033[0m' $i $((i * 2)) $((i % 8)) $i; done",
        "printf '\\033[5;1Hxx\\033[K\\033[1;44m bold on blue \\033[0m'",
        "printf '\\033[30;1H\\033[7m status line \\033[0m\\033[12;40H'",
        "sleep 120",
        "");

    @TempDir
    Path temp;

    private Path journal;
    private Path logs;
    private Path launcher;
    private DaemonProcess daemon;
    private Path tmuxSocket;

    @BeforeEach
    void setUp() throws IOException
    {
        journal = temp.resolve("journal");
        logs = temp.resolve("logs");
        launcher = temp.resolve("ptyq.sh");
        Files.writeString(launcher, launcherScript());
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
    void shouldShowTheSameScreenAsTheProgramRunDirectlyWhetherAttachedEarlyOrLate() throws Exception
    {
        startTmux();
        daemon = DaemonProcess.start(journal, logs);
        final Path script = temp.resolve("draw.sh");
        Files.writeString(script, DRAW_SCRIPT);
        final Path go = temp.resolve("go");
        final long session = newSession("draw", "sh", script.toString(), go.toString());

        tmux("new-window", "-d", "-n", "direct", "sh " + quote(script) + " " + quote(go));
        tmux("new-window", "-d", "-n", "early", attachCommand(String.valueOf(session)));
        awaitRawMode("early");
        assertEquals(COLS + "x" + ROWS, tmux("display-message", "-p", "-t", "early", "#{pane_width}x#{pane_height}")
            .trim(), "the pane has the session's size");
        Files.createFile(go);
        awaitSameScreen("direct", "early");

        // Everything is drawn by now: a late attach replays the history onto a blank screen.
        tmux("new-window", "-d", "-n", "late", attachCommand("draw"));
        awaitSameScreen("direct", "late");
    }

    @Test
    void shouldDetachRestoreTheTerminalAndWriteOnlyWithWrite() throws Exception
    {
        startTmux();
        daemon = DaemonProcess.start(journal, logs);
        final long session = newSession("typing", "sh", "-c", "cat; exit 7");
        tmux("new-window", "-d", "-n", "shell", "env PS1='$ ' sh");

        // Read-only: keys never reach the session, and Ctrl-] gives the shell back with the terminal as it was.
        typeLine("shell", attachCommand("typing") + "; echo \"rc=$?\"");
        awaitRawMode("shell");
        tmux("send-keys", "-t", "shell", "-l", "ignored");
        tmux("send-keys", "-t", "shell", "Enter");
        tmux("send-keys", "-t", "shell", "C-]");
        awaitScreen("shell", "[ptyq: detached from session " + session + "]");
        awaitScreen("shell", "rc=0");
        assertSaneTerminal("shell");
        assertFalse(output(session).contains("ignored"), "a read-only attach sent keys: " + output(session));
        assertEquals(SessionRecord.State.RUNNING, record(session).state(), "detach leaves the session running");

        // --write: keys and size changes reach the session; its exit ends the attach with its code.
        tmux("send-keys", "-t", "shell", "clear", "Enter");
        typeLine("shell", attachCommand("--write", "typing") + "; echo \"rc=$?\"");
        awaitRawMode("shell");
        tmux("send-keys", "-t", "shell", "-l", "hello there");
        tmux("send-keys", "-t", "shell", "Enter");
        awaitCondition("typed text echoed by the session's cat", () ->
            output(session).contains("hello there\r\nhello there\r\n"));
        awaitScreen("shell", "hello there");

        tmux("resize-window", "-t", "shell", "-x", "90", "-y", "25");
        awaitCondition("the session resized to 90x25", () ->
        {
            final SessionRecord record = record(session);
            return 90 == record.cols() && 25 == record.rows();
        });

        tmux("send-keys", "-t", "shell", "C-d");
        awaitScreen("shell", "[ptyq: session " + session + " exited with code 7]");
        awaitScreen("shell", "rc=7");
        assertSaneTerminal("shell");
    }

    @Test
    void shouldPrintHistoryAndExitStatusWithoutATerminal() throws Exception
    {
        daemon = DaemonProcess.start(journal, logs);
        final long three = newSession("three", "sh", "-c", "printf 'done\\n'; exit 3");
        final long killed = newSession("killed", "sh", "-c", "printf partial; kill -TERM $$");
        awaitCondition("both sessions to end", () -> record(three).endedAt() != null &&
            record(killed).endedAt() != null);

        final DaemonProcess.Result attachThree = attach("three");
        assertEquals(3, attachThree.exitCode(), attachThree.stderr());
        assertEquals("done\r\n", attachThree.out());
        assertEquals("[ptyq: session " + three + " exited with code 3]\n", attachThree.stderr());

        final DaemonProcess.Result attachKilled = attach(String.valueOf(killed));
        assertEquals(143, attachKilled.exitCode(), attachKilled.stderr());
        assertEquals("partial", attachKilled.out());
        assertEquals("\n[ptyq: session " + killed + " was killed by signal 15 (exit code 143)]\n",
            attachKilled.stderr());

        final DaemonProcess.Result fromNow = attach("--from-now", "three");
        assertEquals(3, fromNow.exitCode(), fromNow.stderr());
        assertEquals("", fromNow.out());

        final DaemonProcess.Result unknown = attach("nope");
        assertEquals(1, unknown.exitCode());
        assertEquals("ptyq: no session 'nope' in " + journal + "\n", unknown.stderr());

        final DaemonProcess.Result both = attach("--from-start", "--from-now", "three");
        assertEquals(2, both.exitCode());
        assertEquals("ptyq: --from-start and --from-now exclude each other\n", both.stderr());
    }

    @Test
    void shouldFollowFromNowAndStopWithAClearMessageWhenTheDaemonDies() throws Exception
    {
        daemon = DaemonProcess.start(journal, logs);
        final long session = newSession("lines", "sh", "-c",
            "echo early; while read line; do echo \"late $line\"; done");
        awaitCondition("the session's first output", () -> output(session).contains("early"));

        final DaemonProcess attach = DaemonProcess.spawn(logs, "",
            List.of("attach", "--journal", journal.toString(), "--from-now", "--write", "lines"));
        try
        {
            // No readiness signal without a terminal: keep typing until a line written after the attach shows.
            final long deadlineMs = System.currentTimeMillis() + DEADLINE_MS;
            try (DaemonProxy proxy = DaemonProxy.connect(journal))
            {
                while (!attach.stdout().contains("late x"))
                {
                    if (System.currentTimeMillis() > deadlineMs || !attach.process().isAlive())
                    {
                        fail("attach --from-now never showed new output; stdout: " + attach.stdout() +
                            " stderr: " + attach.stderr());
                    }
                    proxy.input("lines", "x\r".getBytes(StandardCharsets.US_ASCII));
                    Thread.sleep(500);
                }
            }
            assertFalse(attach.stdout().contains("early"), "--from-now wrote old output: " + attach.stdout());

            daemon.kill9();
            assertTrue(attach.process().waitFor(30, TimeUnit.SECONDS), "attach did not notice the daemon's death");
            assertEquals(1, attach.process().exitValue(), attach.stderr());
            assertTrue(attach.stderr().strip().startsWith("ptyq: no ptyq daemon runs on " + journal +
                " any more; session " + session + " ended without an exit status"), attach.stderr());
        }
        finally
        {
            attach.close();
        }
    }

    private String launcherScript() throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(DaemonProcess.jvmFlags().split(" ")));
        command.add("-Djna.tmpdir=" + System.getProperty("java.io.tmpdir"));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("io.ptyq.codec.cli.Ptyq");

        final StringBuilder script = new StringBuilder("exec");
        for (final String word : command)
        {
            script.append(' ').append(quote(word));
        }

        return script.append(" \"$@\"\n").toString();
    }

    private String attachCommand(final String... args)
    {
        final StringBuilder command = new StringBuilder("sh ").append(quote(launcher))
            .append(" attach --journal ").append(quote(journal));
        for (final String arg : args)
        {
            command.append(' ').append(quote(arg));
        }

        return command.toString();
    }

    private DaemonProcess.Result attach(final String... args) throws Exception
    {
        final List<String> command = new ArrayList<>(List.of("attach", "--journal", journal.toString()));
        command.addAll(List.of(args));

        return DaemonProcess.run(logs, "", command.toArray(new String[0]));
    }

    private long newSession(final String name, final String... argv)
    {
        try (DaemonProxy proxy = DaemonProxy.connect(journal))
        {
            return proxy.newSession(new SessionSpec(name, List.of(argv), temp.toString(), Map.of(), COLS, ROWS));
        }
    }

    private SessionRecord record(final long session)
    {
        for (final SessionRecord record : SessionCatalog.load(journal).sessions(true))
        {
            if (record.sessionId() == session)
            {
                return record;
            }
        }
        throw new AssertionError("no session " + session + " in the journal");
    }

    private String output(final long session)
    {
        return new String(JournalContents.read(journal).output(session), StandardCharsets.UTF_8);
    }

    private void startTmux() throws Exception
    {
        assumeTrue(commandWorks("tmux", "-V"), "tmux is not installed: skipping the real-terminal attach tests " +
            "(.ci/run installs it)");
        assumeTrue(commandWorks("stty", "--version"), "stty is not installed");
        // A private server whose socket lives, and is deleted, with the test's directory.
        tmuxSocket = temp.resolve("tmux.sock");
        tmux("new-session", "-d", "-s", "main", "-x", String.valueOf(COLS), "-y", String.valueOf(ROWS), "sleep 600");
        // A pane whose command died keeps its last screen, so a failure message can show it.
        tmux("set-option", "-g", "remain-on-exit", "on");
        tmux("set-option", "-g", "history-limit", "100");
    }

    private static boolean commandWorks(final String... command)
    {
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor(10, TimeUnit.SECONDS) && 0 == process.exitValue();
        }
        catch (final IOException | InterruptedException ex)
        {
            return false;
        }
    }

    private String tmux(final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of("tmux", "-S", tmuxSocket.toString(), "-f", "/dev/null"));
        command.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("TERM", "xterm");
        final Process process = builder.start();
        final byte[] out = process.getInputStream().readAllBytes();
        final byte[] err = process.getErrorStream().readAllBytes();
        if (!process.waitFor(30, TimeUnit.SECONDS) || 0 != process.exitValue())
        {
            throw new AssertionError(String.join(" ", command) + " failed: " +
                new String(err, StandardCharsets.UTF_8).trim());
        }

        return new String(out, StandardCharsets.UTF_8);
    }

    private void typeLine(final String window, final String line) throws Exception
    {
        tmux("send-keys", "-t", window, "-l", line);
        tmux("send-keys", "-t", window, "Enter");
    }

    /**
     * The screen with colours and attributes, and where the cursor is.
     */
    private String screen(final String window) throws Exception
    {
        return tmux("capture-pane", "-p", "-e", "-t", window) +
            tmux("display-message", "-p", "-t", window, "cursor #{cursor_x},#{cursor_y} size #{pane_width}x" +
                "#{pane_height} #{?pane_dead,dead,alive}");
    }

    private void awaitSameScreen(final String expectedWindow, final String window) throws Exception
    {
        final long deadlineMs = System.currentTimeMillis() + DEADLINE_MS;
        while (true)
        {
            final String expected = screen(expectedWindow);
            final String actual = screen(window);
            if (expected.equals(actual) && expected.contains("status line") && actual.contains("alive"))
            {
                return;
            }
            if (System.currentTimeMillis() > deadlineMs)
            {
                fail("timed out after " + DEADLINE_MS + " ms waiting for window '" + window + "' to show the " +
                    "screen of window '" + expectedWindow + "'\n--- " + expectedWindow + ":\n" + visible(expected) +
                    "\n--- " + window + ":\n" + visible(actual));
            }
            Thread.sleep(100);
        }
    }

    private void awaitScreen(final String window, final String text) throws Exception
    {
        final long deadlineMs = System.currentTimeMillis() + DEADLINE_MS;
        while (true)
        {
            final String screen = tmux("capture-pane", "-p", "-t", window);
            if (screen.contains(text))
            {
                return;
            }
            if (System.currentTimeMillis() > deadlineMs)
            {
                fail("timed out after " + DEADLINE_MS + " ms waiting for '" + text + "' in window '" + window +
                    "':\n" + screen);
            }
            Thread.sleep(100);
        }
    }

    /**
     * attach has set up its terminal once java runs in the pane and the pane's tty is no longer canonical.
     */
    private void awaitRawMode(final String window) throws Exception
    {
        final String tty = tmux("display-message", "-p", "-t", window, "#{pane_tty}").trim();
        final long deadlineMs = System.currentTimeMillis() + DEADLINE_MS;
        while (!"java".equals(tmux("display-message", "-p", "-t", window, "#{pane_current_command}").trim()) ||
            !stty(tty).contains("-icanon"))
        {
            if (System.currentTimeMillis() > deadlineMs)
            {
                fail("timed out after " + DEADLINE_MS + " ms waiting for attach to put " + tty + " in raw mode; " +
                    "window '" + window + "' shows:\n" + tmux("capture-pane", "-p", "-t", window));
            }
            Thread.sleep(100);
        }
    }

    /**
     * The settings as a program the shell starts next sees them (a shell with line editing changes them at its prompt).
     */
    private void assertSaneTerminal(final String window) throws Exception
    {
        final Path file = temp.resolve("stty-" + System.nanoTime() + ".txt");
        final Path done = temp.resolve(file.getFileName() + ".done");
        typeLine(window, "stty -a > " + quote(file) + "; touch " + quote(done));
        awaitCondition("stty -a to run in window '" + window + "'", () -> Files.exists(done));
        final String settings = Files.readString(file);
        for (final String flag : List.of("icanon", "echo", "isig", "icrnl", "opost", "iexten", "ixon"))
        {
            assertTrue(settings.matches("(?s).*(^|\\s)" + flag + "(\\s|$).*"),
                "after attach, '" + flag + "' is not back on: " + settings);
        }
    }

    private static String stty(final String tty) throws Exception
    {
        final Process process = new ProcessBuilder("stty", "-a", "-F", tty).redirectErrorStream(true).start();
        final String settings = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(10, TimeUnit.SECONDS);

        return settings;
    }

    private static String visible(final String screen)
    {
        return screen.replace("\033", "^[");
    }

    private static String quote(final Object word)
    {
        return "'" + word.toString().replace("'", "'\\''") + "'";
    }

    private static void awaitCondition(final String what, final BooleanSupplier condition) throws InterruptedException
    {
        final long deadlineMs = System.currentTimeMillis() + DEADLINE_MS;
        while (!condition.getAsBoolean())
        {
            if (System.currentTimeMillis() > deadlineMs)
            {
                fail("timed out after " + DEADLINE_MS + " ms waiting for " + what);
            }
            Thread.sleep(50);
        }
    }
}
