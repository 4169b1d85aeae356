package io.ptyq.consumer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running a main class of the test classpath with the project's JVM flags, for cross-process tests.
 */
final class ChildJvm implements AutoCloseable
{
    private final String name;
    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private ChildJvm(final String name, final Process process, final Path stdout, final Path stderr)
    {
        this.name = name;
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * Start {@code mainClass} with {@code args}; its stdout and stderr go to files in {@code logDir}.
     */
    static ChildJvm start(final Path logDir, final String name, final Class<?> mainClass, final String... args)
    {
        try
        {
            Files.createDirectories(logDir);
            final Path out = Files.createTempFile(logDir, name + "-", ".out");
            final Path err = Files.createTempFile(logDir, name + "-", ".err");
            final List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(List.of(jvmFlags().split(" ")));
            // Many small JVMs on a small machine: start fast, stay small.
            command.add("-XX:+UseSerialGC");
            command.add("-XX:TieredStopAtLevel=1");
            command.add("-Xmx256m");
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(mainClass.getName());
            command.addAll(List.of(args));
            final Process process = new ProcessBuilder(command)
                .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE)
                .start();

            return new ChildJvm(name, process, out, err);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static String jvmFlags() throws IOException
    {
        final Properties properties = new Properties();
        try (InputStream in = ChildJvm.class.getResourceAsStream("/io/ptyq/launcher/launcher.properties"))
        {
            properties.load(in);
        }

        return properties.getProperty("jvm.flags").trim();
    }

    long pid()
    {
        return process.pid();
    }

    boolean isAlive()
    {
        return process.isAlive();
    }

    String stdout()
    {
        return read(stdout);
    }

    String stderr()
    {
        return read(stderr);
    }

    /**
     * Wait until the child prints {@code text}.
     */
    void awaitOutput(final String text, final long timeoutMs) throws InterruptedException
    {
        final long deadlineMs = System.currentTimeMillis() + timeoutMs;
        while (!stdout().contains(text))
        {
            if (!process.isAlive())
            {
                throw new AssertionError(name + " exited with " + process.exitValue() + " before printing '" + text +
                    "': " + stderr());
            }
            if (System.currentTimeMillis() > deadlineMs)
            {
                throw new AssertionError(name + " did not print '" + text + "' within " + timeoutMs + " ms: " +
                    stderr());
            }
            Thread.sleep(10);
        }
    }

    /**
     * Wait for the child to exit by itself.
     *
     * @return its exit code.
     */
    int awaitExit(final long timeoutMs) throws InterruptedException
    {
        if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS))
        {
            throw new AssertionError(name + " did not exit within " + timeoutMs + " ms: " + stderr());
        }

        return process.exitValue();
    }

    /**
     * SIGKILL: the child gets no chance to run anything.
     */
    void kill9() throws InterruptedException
    {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS))
        {
            throw new AssertionError(name + " survived SIGKILL for 30 s");
        }
    }

    /**
     * SIGSTOP: the child is frozen mid-whatever until {@link #resume()}.
     */
    void suspend() throws Exception
    {
        signal("STOP");
    }

    /**
     * SIGCONT.
     */
    void resume() throws Exception
    {
        signal("CONT");
    }

    private void signal(final String signal) throws Exception
    {
        final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || 0 != kill.exitValue())
        {
            throw new AssertionError("kill -" + signal + " " + process.pid() + " failed" +
                (process.isAlive() ? "" : ": " + name + " exited with " + process.exitValue() + ": " + stderr()));
        }
    }

    private static String read(final Path file)
    {
        try
        {
            return Files.readString(file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    @Override
    public void close()
    {
        if (process.isAlive())
        {
            // SIGKILL works on a stopped process too.
            process.destroyForcibly();
            try
            {
                process.waitFor(30, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
