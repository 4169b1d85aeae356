package io.ptyq.producer;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real {@code ptyq} JVM started from the test classpath: a daemon, or a one-shot command.
 */
final class DaemonProcess implements AutoCloseable
{
    /**
     * Given among the JVM options, not passed on: the command runs without JNA on its class path, as {@code bin/ptyq}
     * runs one-shot commands (the same jars left out: {@link #WITHOUT_JNA_JARS}).
     */
    static final String WITHOUT_JNA = "--ptyq-test-without-jna";

    /**
     * The jars {@code bin/ptyq} leaves out of a one-shot command's class path (its {@code lean_classpath}).
     */
    static final String WITHOUT_JNA_JARS = ".*/jna(-platform)?-[0-9][^/]*\\.jar";

    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private DaemonProcess(final Process process, final Path stdout, final Path stderr)
    {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * Start {@code ptyq daemon} on a journal and wait until its control socket answers.
     */
    static DaemonProcess start(final Path journal, final Path logDir, final String... extraArgs) throws Exception
    {
        return start(journal, logDir, List.of(), extraArgs);
    }

    /**
     * Start {@code ptyq daemon} with extra JVM options (such as {@code -Dptyq.test.roll.cycle=TEST_SECONDLY}) and wait
     * until its control socket answers.
     */
    static DaemonProcess start(
        final Path journal, final Path logDir, final List<String> jvmOptions, final String... extraArgs) throws Exception
    {
        return startUnder("", journal, logDir, jvmOptions, extraArgs);
    }

    /**
     * Start {@code ptyq daemon} under a shell prefix (such as {@code trap '' HUP;}, as {@code nohup} leaves it) and
     * wait until its control socket answers.
     */
    static DaemonProcess startUnder(
        final String shellPrefix,
        final Path journal,
        final Path logDir,
        final List<String> jvmOptions,
        final String... extraArgs) throws Exception
    {
        final List<String> args = new ArrayList<>(List.of("daemon", "--journal", journal.toString()));
        args.addAll(List.of(extraArgs));
        final DaemonProcess daemon = spawn(logDir, shellPrefix, jvmOptions, args);
        final long deadlineMs = System.currentTimeMillis() + 30_000;
        while (true)
        {
            if (!daemon.process.isAlive())
            {
                throw new AssertionError("daemon exited with " + daemon.process.exitValue() + " before its control " +
                    "socket appeared: " + daemon.stderr() + daemon.stdout());
            }
            if (Files.exists(journal.resolve(Daemon.CONTROL_SOCKET)) && daemon.stdout().contains("daemon started"))
            {
                return daemon;
            }
            if (System.currentTimeMillis() > deadlineMs)
            {
                daemon.close();
                throw new AssertionError("timed out waiting for the daemon's control socket in " + journal);
            }
            Thread.sleep(50);
        }
    }

    /**
     * Run {@code ptyq ARGS} to completion under a shell prefix such as {@code umask 000;}.
     */
    static Result run(final Path logDir, final String shellPrefix, final String... args) throws Exception
    {
        return run(logDir, shellPrefix, List.of(), args);
    }

    /**
     * Run {@code ptyq ARGS} to completion in a JVM with extra options (such as {@code -Xmx64m}).
     */
    static Result run(final Path logDir, final List<String> jvmOptions, final String... args) throws Exception
    {
        return run(logDir, "", jvmOptions, args);
    }

    static Result run(final Path logDir, final String shellPrefix, final List<String> jvmOptions, final String... args)
        throws Exception
    {
        try (DaemonProcess command = spawn(logDir, shellPrefix, jvmOptions, List.of(args)))
        {
            if (!command.process.waitFor(60, TimeUnit.SECONDS))
            {
                throw new AssertionError("ptyq " + String.join(" ", args) + " did not finish in 60 s");
            }
            return new Result(command.process.exitValue(), command.stdoutBytes(), command.stderr());
        }
    }

    static DaemonProcess spawn(final Path logDir, final String shellPrefix, final List<String> args)
        throws IOException
    {
        return spawn(logDir, shellPrefix, List.of(), args);
    }

    static DaemonProcess spawn(
        final Path logDir, final String shellPrefix, final List<String> jvmOptions, final List<String> args)
        throws IOException
    {
        Files.createDirectories(logDir);
        final Path out = Files.createTempFile(logDir, "ptyq-", ".out");
        final Path err = Files.createTempFile(logDir, "ptyq-", ".err");
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmFlags().split(" ")));
        command.add("-Dpty4j.tmpdir=" + System.getProperty("java.io.tmpdir"));
        command.add("-Djna.tmpdir=" + System.getProperty("java.io.tmpdir"));
        jvmOptions.stream().filter(option -> !WITHOUT_JNA.equals(option)).forEach(command::add);
        command.add("-cp");
        command.add(jvmOptions.contains(WITHOUT_JNA) ? classpathWithoutJna() : System.getProperty("java.class.path"));
        command.add("io.ptyq.codec.cli.Ptyq");
        command.addAll(args);

        final ProcessBuilder builder;
        if (shellPrefix.isEmpty())
        {
            builder = new ProcessBuilder(command);
        }
        else
        {
            final StringBuilder line = new StringBuilder(shellPrefix).append(" exec");
            for (final String word : command)
            {
                line.append(" '").append(word.replace("'", "'\\''")).append('\'');
            }
            builder = new ProcessBuilder("sh", "-c", line.toString());
        }
        builder.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);

        return new DaemonProcess(builder.start(), out, err);
    }

    /**
     * @return the test's class path without the jars {@link #WITHOUT_JNA} leaves out.
     */
    static String classpathWithoutJna()
    {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter(entry -> !entry.matches(WITHOUT_JNA_JARS))
            .collect(Collectors.joining(File.pathSeparator));
    }

    static String jvmFlags() throws IOException
    {
        final Properties properties = new Properties();
        try (InputStream in = DaemonProcess.class.getResourceAsStream("/io/ptyq/launcher/launcher.properties"))
        {
            properties.load(in);
        }

        return properties.getProperty("jvm.flags").trim();
    }

    Process process()
    {
        return process;
    }

    long pid()
    {
        return process.pid();
    }

    String stdout() throws IOException
    {
        return Files.readString(stdout);
    }

    byte[] stdoutBytes() throws IOException
    {
        return Files.readAllBytes(stdout);
    }

    String stderr() throws IOException
    {
        return Files.readString(stderr);
    }

    /**
     * SIGTERM and wait for a clean stop.
     *
     * @return the exit code.
     */
    int terminate() throws InterruptedException
    {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new AssertionError("daemon did not stop within 30 s of SIGTERM");
        }
        return process.exitValue();
    }

    /**
     * SIGKILL: the daemon gets no chance to journal anything.
     */
    void kill9() throws InterruptedException
    {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
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
    record Result(int exitCode, byte[] stdout, String stderr)
    {
        String out()
        {
            return new String(stdout, StandardCharsets.UTF_8);
        }
    }
}
