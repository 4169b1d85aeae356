package io.ptyq.bench;

import io.ptyq.producer.Daemon;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code ptyq daemon} JVM on a journal of the harness's, with the project's JVM flags, started and awaited
 * until it serves its control socket; closing it stops the daemon (SIGTERM, then SIGKILL after a minute).
 */
final class BenchDaemon implements AutoCloseable
{
    private static final long START_TIMEOUT_MS = 60_000;

    private final Process process;
    private final DaemonLog log;
    private final Path journal;

    private BenchDaemon(final Process process, final DaemonLog log, final Path journal)
    {
        this.process = process;
        this.log = log;
        this.journal = journal;
    }

    /**
     * Start a daemon and wait until it is ready.
     *
     * @param workDir  where its native libraries, standard output ({@code NAME.out}) and error ({@code NAME.err}) go.
     * @param journal  its journal directory.
     * @param name     the base name of its log files.
     * @param jvmOpts  more JVM options, after the project's flags.
     * @return the running daemon.
     */
    static BenchDaemon start(final Path workDir, final Path journal, final String name, final List<String> jvmOpts)
        throws Exception
    {
        final Path nativeDir = workDir.resolve("native");
        Files.createDirectories(nativeDir);
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(BenchMain.jvmFlags()));
        command.add("-Dpty4j.tmpdir=" + nativeDir);
        command.add("-Djna.tmpdir=" + nativeDir);
        command.addAll(jvmOpts);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.ptyq.codec.cli.Ptyq",
            "daemon", "--journal", journal.toString()));
        final Path err = workDir.resolve(name + ".err");
        final Process process = new ProcessBuilder(command)
            .redirectInput(new File("/dev/null"))
            .redirectError(err.toFile())
            .start();
        final BenchDaemon daemon = new BenchDaemon(process, DaemonLog.start(process, workDir.resolve(name + ".out")),
            journal);
        if (!daemon.log.await("daemon started", START_TIMEOUT_MS) ||
            !Files.exists(journal.resolve(Daemon.CONTROL_SOCKET)))
        {
            daemon.close();
            throw new IllegalStateException("the daemon did not start on " + journal + "; see " + err);
        }

        return daemon;
    }

    /**
     * @return the daemon's standard output.
     */
    DaemonLog log()
    {
        return log;
    }

    /**
     * @return the daemon's process id.
     */
    long pid()
    {
        return process.pid();
    }

    /**
     * @return its journal directory.
     */
    Path journal()
    {
        return journal;
    }

    /**
     * Wait until the daemon logs that a session exited, which it does right after appending the SessionExited frame.
     *
     * @param sessionId the session.
     * @param timeoutMs how long to wait.
     * @throws IllegalStateException if it did not in time.
     */
    void awaitSessionExit(final long sessionId, final long timeoutMs) throws InterruptedException
    {
        if (!log.await("session " + sessionId + " exited:", timeoutMs))
        {
            throw new IllegalStateException("session " + sessionId + " did not end in " + timeoutMs + " ms");
        }
    }

    @Override
    public void close()
    {
        process.destroy();
        try
        {
            if (!process.waitFor(60, TimeUnit.SECONDS))
            {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
