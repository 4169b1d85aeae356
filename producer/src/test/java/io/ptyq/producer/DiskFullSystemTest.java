package io.ptyq.producer;

import io.ptyq.codec.control.DaemonProxy;
import io.ptyq.codec.control.SessionSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
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
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The daemon on a 160 MiB tmpfs mounted by the test, a session flooding its PTY until the disk reaches the daemon's
 * free-space floor: one clear error line, output paused (not dropped, no SIGBUS, no JVM crash), readers still work,
 * output resumes once space is freed, and the journal reads back whole afterwards. Needs root to mount; elsewhere it
 * is skipped with a message saying so.
 */
@Tag("slow")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DiskFullSystemTest
{
    private static final long BALLAST_BYTES = 32L << 20;

    @TempDir
    Path temp;

    private Path mount;

    @AfterEach
    void unmount() throws Exception
    {
        if (null != mount)
        {
            new ProcessBuilder("umount", "-l", mount.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldPauseOutputOnAFullDiskAndResumeWhenSpaceIsFreed() throws Exception
    {
        final Path dir = temp.resolve("small-disk");
        Files.createDirectories(dir);
        final Process mounting = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=160m,mode=0700", "tmpfs",
            dir.toString()).redirectErrorStream(true).start();
        final String mountOutput = new String(mounting.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        final boolean mounted = mounting.waitFor(30, TimeUnit.SECONDS) && mounting.exitValue() == 0;
        Assumptions.assumeTrue(mounted, "skipped: cannot mount a tmpfs here (needs root and a kernel that allows " +
            "it): " + mountOutput.trim());
        mount = dir;

        final Path ballast = dir.resolve("ballast");
        Files.write(ballast, new byte[(int)BALLAST_BYTES]);
        final Path journal = dir.resolve("journal");
        final Path logs = temp.resolve("logs");
        try (DaemonProcess daemon = DaemonProcess.start(journal, logs);
            DaemonProxy proxy = DaemonProxy.connect(journal))
        {
            final long session = proxy.newSession(new SessionSpec("flood",
                List.of("yes", "a line of output that fills the disk"), null, Map.of(), 80, 24));
            await("the disk-full error line", 90, () -> logOf(daemon).contains("disk has less than"));
            final String errorLine = logOf(daemon).lines().filter(line -> line.contains("disk has less than"))
                .findFirst().orElseThrow();
            assertTrue(errorLine.contains("ERROR") && errorLine.contains("paused"), errorLine);

            final long pausedAt = outputBytes(journal, session);
            Thread.sleep(2000);
            assertEquals(pausedAt, outputBytes(journal, session), "output is paused on a full disk");
            assertTrue(daemon.process().isAlive(), "the daemon survives a full disk");
            final DaemonProcess.Result ls = DaemonProcess.run(logs, "", "ls", "--journal", journal.toString());
            assertEquals(0, ls.exitCode(), "readers work on a full disk: " + ls.stderr());
            assertTrue(ls.out().contains("flood"), ls.out());

            Files.delete(ballast);
            await("output to resume after space was freed", 60, () -> outputBytes(journal, session) > pausedAt);
            // (The flood may fill the freed space again before the daemon's next once-a-second look logs it.)

            proxy.signal("flood", Signals.number("KILL"));
            await("the flood's exit to be journaled", 60,
                () -> JournalContents.read(journal).reasons.containsKey(session));
            daemon.terminate();

            final JournalContents contents = JournalContents.read(journal);
            assertEquals(0, contents.invalidFrames);
            final long total = contents.totals.get(session);
            assertEquals(total, contents.output(session).length, "every byte journaled reads back, in order");
            assertTrue(total > pausedAt, "output went on after the pause");
            final String stderr = daemon.stderr();
            assertFalse(stderr.contains("SIGBUS") || stderr.contains("fatal error"), stderr);
            System.out.println("disk full: paused at " + pausedAt + " bytes, " + total + " bytes in all; " +
                errorLine.trim());
        }
        assertNoCrashFiles();
    }

    private static String logOf(final DaemonProcess daemon)
    {
        try
        {
            return daemon.stdout() + daemon.stderr();
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    private static long outputBytes(final Path journal, final long session)
    {
        return JournalContents.read(journal).output(session).length;
    }

    private static void assertNoCrashFiles() throws IOException
    {
        try (Stream<Path> files = Files.list(Path.of(".")))
        {
            final List<Path> crashes = files.filter(file -> file.getFileName().toString().startsWith("hs_err"))
                .collect(Collectors.toCollection(ArrayList::new));
            assertTrue(crashes.isEmpty(), "JVM crash files: " + crashes);
        }
    }

    private static void await(final String what, final int seconds, final BooleanSupplier condition)
        throws InterruptedException
    {
        final long deadlineMs = System.currentTimeMillis() + seconds * 1000L;
        while (!condition.getAsBoolean())
        {
            if (System.currentTimeMillis() > deadlineMs)
            {
                fail("timed out after " + seconds + " s waiting for " + what);
            }
            Thread.sleep(100);
        }
    }
}
