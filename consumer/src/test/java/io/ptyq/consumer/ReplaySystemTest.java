package io.ptyq.consumer;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ptyq replay} and {@code ptyq cat --from/--to} in a child JVM, the real command line, over a journal this test
 * writes: timing measured between the first and the last byte reaching the pipe, so JVM start-up does not count.
 */
class ReplaySystemTest
{
    private static final long DEMO = 1;
    private static final long OTHER = 2;
    private static final long LIVE = 3;
    private static final long RUN_DEADLINE_S = 60;

    private static final byte[] F0 = bytes("\u001b[2J\u001b[Hstart\r\n");
    private static final byte[] F1 = allByteValues();
    private static final byte[] F2 = bytes("middle \u00e9\r\n");
    private static final byte[] F3 = bytes("end\r\n");
    private static final byte[] LIVE_OUTPUT = bytes("still running\r\n");

    @TempDir
    static Path journal;

    @TempDir
    static Path logs;

    @BeforeAll
    static void writeJournal()
    {
        // "demo" spans 3 s: frames at 0, 1, 2 and 3 s; "other" interleaves; "live" never exits (and no daemon runs).
        try (TimedJournal writer = TimedJournal.open(journal))
        {
            writer.started(DEMO, 0, "demo")
                .output(DEMO, 0, F0)
                .started(OTHER, 200, "other")
                .output(OTHER, 500, "not demo")
                .output(DEMO, 1000, F1)
                .started(LIVE, 1500, "live")
                .output(LIVE, 1600, LIVE_OUTPUT)
                .output(DEMO, 2000, F2)
                .output(OTHER, 2500, "not demo either")
                .output(DEMO, 3000, F3)
                .exited(DEMO, 3100);
        }
    }

    @Test
    void shouldReplayAtSpeedTenInAboutATenthOfTheRecordedTime() throws Exception
    {
        final Run run = ptyq("replay", "demo", "--speed", "10");
        run.assertSucceeded();
        assertArrayEquals(concat(F0, F1, F2, F3), run.stdout, "replayed bytes");
        final double seconds = run.secondsBetween(1, run.stdout.length);
        assertTrue(seconds > 0.15 && seconds < 1.5, "3 s of recording at --speed 10 took " + seconds + " s");
    }

    @Test
    void shouldCapIdleGaps() throws Exception
    {
        final Run run = ptyq("replay", "demo", "--idle-limit", "100ms");
        run.assertSucceeded();
        assertArrayEquals(concat(F0, F1, F2, F3), run.stdout, "replayed bytes");
        final double seconds = run.secondsBetween(1, run.stdout.length);
        assertTrue(seconds > 0.15 && seconds < 1.5, "three 1 s gaps capped at 0.1 s took " + seconds + " s");
    }

    @Test
    void shouldWriteEverythingAtOnceWithNoWait() throws Exception
    {
        final Run run = ptyq("replay", "demo", "--no-wait");
        run.assertSucceeded();
        assertArrayEquals(concat(F0, F1, F2, F3), run.stdout, "replayed bytes");
        final double seconds = run.secondsBetween(1, run.stdout.length);
        assertTrue(seconds < 0.5, "--no-wait spread its output over " + seconds + " s");
    }

    @Test
    void shouldWriteWhatComesBeforeFromAtOnceThenPlay() throws Exception
    {
        final Run run = ptyq("replay", "demo", "--from", "2.5s");
        run.assertSucceeded();
        assertArrayEquals(concat(F0, F1, F2, F3), run.stdout, "replayed bytes");
        final int before = F0.length + F1.length + F2.length;
        final double atOnce = run.secondsBetween(1, before);
        final double played = run.secondsBetween(1, run.stdout.length);
        assertTrue(atOnce < 0.2, "the output before --from took " + atOnce + " s to arrive");
        assertTrue(played > 0.3 && played < 2.0, "the 0.5 s after --from 2.5s took " + played + " s");
    }

    @Test
    void shouldStopBeforeTo() throws Exception
    {
        final Run run = ptyq("replay", "demo", "--no-wait", "--to", "2");
        run.assertSucceeded();
        assertArrayEquals(concat(F0, F1), run.stdout, "bytes before 2 s");
    }

    @Test
    void shouldCatATimeWindow() throws Exception
    {
        final Run run = ptyq("cat", "demo", "--from", "1", "--to", "0m3s");
        run.assertSucceeded();
        assertArrayEquals(concat(F1, F2), run.stdout, "bytes in [1 s, 3 s)");
    }

    @Test
    void shouldCatAndReplayASessionThatNeverExited() throws Exception
    {
        final Run cat = ptyq("cat", "live", "--from", "0.1");
        cat.assertSucceeded();
        assertArrayEquals(LIVE_OUTPUT, cat.stdout, "cat of the live session");

        final Run replay = ptyq("replay", "live");
        replay.assertSucceeded();
        assertArrayEquals(LIVE_OUTPUT, replay.stdout, "replay of the live session");
    }

    @Test
    void shouldDocumentTheKeys() throws Exception
    {
        final Run run = ptyq("replay", "--help");
        run.assertSucceeded();
        final String help = new String(run.stdout, StandardCharsets.UTF_8);
        for (final String expected : List.of("--speed", "--idle-limit", "--from", "--to", "--no-wait", "space",
            "pause", "faster", "slower", "frame", "quit"))
        {
            assertTrue(help.contains(expected), "help mentions " + expected + ":\n" + help);
        }
    }

    @Test
    void shouldRejectBadArgumentsWithOneLine() throws Exception
    {
        ptyq("replay", "demo", "--speed", "-1").assertFailed(2, "--speed");
        ptyq("replay", "demo", "--speed", "0").assertFailed(2, "--speed");
        ptyq("replay", "demo", "--from", "1x").assertFailed(2, "--from");
        ptyq("replay", "demo", "--idle-limit", "0").assertFailed(2, "--idle-limit");
        ptyq("replay", "demo", "--from", "3", "--to", "1").assertFailed(2, "--to");
        ptyq("cat", "demo", "--to", "soon").assertFailed(2, "--to");
        ptyq("replay", "nosuch").assertFailed(1, "nosuch");
    }

    private static Run ptyq(final String... args) throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmFlags().split(" ")));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("io.ptyq.codec.cli.Ptyq");
        command.addAll(List.of(args));
        command.add("--journal");
        command.add(journal.toString());

        final Path err = Files.createTempFile(logs, "ptyq-", ".err");
        final Process process = new ProcessBuilder(command)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectError(err.toFile())
            .start();
        final Run run = new Run(String.join(" ", args));
        final Thread reader = new Thread(() -> run.read(process.getInputStream()), "ptyq-stdout");
        reader.start();
        if (!process.waitFor(RUN_DEADLINE_S, TimeUnit.SECONDS))
        {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("ptyq " + run.args + " did not finish in " + RUN_DEADLINE_S + " s");
        }
        reader.join(TimeUnit.SECONDS.toMillis(10));
        run.exitCode = process.exitValue();
        run.stderr = Files.readString(err);

        return run;
    }

    private static String jvmFlags() throws IOException
    {
        final Properties properties = new Properties();
        try (InputStream in = ReplaySystemTest.class.getResourceAsStream("/io/ptyq/launcher/launcher.properties"))
        {
            properties.load(in);
        }

        return properties.getProperty("jvm.flags").trim();
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] allByteValues()
    {
        final byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++)
        {
            all[i] = (byte)i;
        }

        return all;
    }

    private static byte[] concat(final byte[]... parts)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] part : parts)
        {
            out.writeBytes(part);
        }

        return out.toByteArray();
    }

    /**
     * One finished command: exit code, stdout with the arrival time of each piece, stderr.
     */
    private static final class Run
    {
        private final String args;
        private final List<long[]> arrivals = new ArrayList<>();
        private byte[] stdout;
        private String stderr;
        private int exitCode;

        Run(final String args)
        {
            this.args = args;
        }

        void read(final InputStream in)
        {
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            final byte[] buffer = new byte[64 * 1024];
            try (in)
            {
                int read;
                while ((read = in.read(buffer)) > 0)
                {
                    out.write(buffer, 0, read);
                    arrivals.add(new long[]{ System.nanoTime(), out.size() });
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            stdout = out.toByteArray();
        }

        /**
         * @return seconds from the arrival of the byte count {@code fromBytes} to that of {@code toBytes}.
         */
        double secondsBetween(final int fromBytes, final int toBytes)
        {
            return (arrivalNs(toBytes) - arrivalNs(fromBytes)) / 1e9;
        }

        private long arrivalNs(final int bytes)
        {
            for (final long[] arrival : arrivals)
            {
                if (arrival[1] >= bytes)
                {
                    return arrival[0];
                }
            }
            throw new AssertionError("ptyq " + args + " wrote " + stdout.length + " bytes, not " + bytes);
        }

        void assertSucceeded()
        {
            assertEquals(0, exitCode, "exit code of ptyq " + args + "; stderr: " + stderr);
            assertEquals("", stderr, "stderr of ptyq " + args);
        }

        void assertFailed(final int expectedExitCode, final String mentioned)
        {
            assertEquals(expectedExitCode, exitCode, "exit code of ptyq " + args + "; stderr: " + stderr);
            assertEquals(0, stdout.length, "stdout of ptyq " + args);
            final String[] lines = stderr.split("\n");
            assertEquals(1, lines.length, "one line on stderr from ptyq " + args + ": " + stderr);
            assertTrue(lines[0].contains(mentioned), "ptyq " + args + " names " + mentioned + ": " + stderr);
        }
    }
}
