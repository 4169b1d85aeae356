package io.ptyq.bridge;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code ptyq} JVM started from the test classpath (which holds every module): the daemon, or a command.
 */
final class PtyqProcess implements AutoCloseable
{
    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private PtyqProcess(final Process process, final Path stdout, final Path stderr)
    {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * Start {@code ptyq daemon} on a journal and wait until it says it started.
     */
    static PtyqProcess daemon(final Path journal, final Path logDir) throws Exception
    {
        final PtyqProcess daemon = start(logDir, List.of("daemon", "--journal", journal.toString()));
        final long deadlineMs = System.currentTimeMillis() + 60_000;
        while (!(Files.exists(journal.resolve("control.sock")) && daemon.stdout().contains("daemon started")))
        {
            if (!daemon.process.isAlive())
            {
                throw new AssertionError("daemon exited with " + daemon.process.exitValue() + ": " + daemon.stderr());
            }
            if (System.currentTimeMillis() > deadlineMs)
            {
                daemon.close();
                throw new AssertionError("timed out waiting for the daemon's control socket in " + journal);
            }
            Thread.sleep(50);
        }

        return daemon;
    }

    /**
     * Start {@code ptyq ARGS}.
     */
    static PtyqProcess start(final Path logDir, final List<String> args) throws IOException
    {
        Files.createDirectories(logDir);
        final Path out = Files.createTempFile(logDir, "ptyq-", ".out");
        final Path err = Files.createTempFile(logDir, "ptyq-", ".err");
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmFlags().split(" ")));
        command.add("-Dpty4j.tmpdir=" + System.getProperty("java.io.tmpdir"));
        command.add("-Djna.tmpdir=" + System.getProperty("java.io.tmpdir"));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("io.ptyq.codec.cli.Ptyq");
        command.addAll(args);
        final Process process = new ProcessBuilder(command)
            .redirectOutput(out.toFile()).redirectError(err.toFile()).start();

        return new PtyqProcess(process, out, err);
    }

    /**
     * Run {@code ptyq ARGS} to its end.
     *
     * @return the exit code, stdout and stderr.
     */
    static Result run(final Path logDir, final String... args) throws Exception
    {
        try (PtyqProcess command = start(logDir, List.of(args)))
        {
            if (!command.process.waitFor(60, TimeUnit.SECONDS))
            {
                throw new AssertionError("ptyq " + String.join(" ", args) + " did not finish in 60 s");
            }
            return new Result(command.process.exitValue(), command.stdout(), command.stderr());
        }
    }

    private static String jvmFlags() throws IOException
    {
        final Properties properties = new Properties();
        try (InputStream in = PtyqProcess.class.getResourceAsStream("/io/ptyq/launcher/launcher.properties"))
        {
            properties.load(in);
        }

        return properties.getProperty("jvm.flags").trim();
    }

    Process process()
    {
        return process;
    }

    String stdout() throws IOException
    {
        return Files.readString(stdout);
    }

    String stderr() throws IOException
    {
        return Files.readString(stderr);
    }

    @Override
    public void close()
    {
        try
        {
            if (process.isAlive())
            {
                process.destroy();
                if (!process.waitFor(30, TimeUnit.SECONDS))
                {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A finished command.
     */
    record Result(int exitCode, String stdout, String stderr)
    {
    }
}
