package io.ptyq.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A harness's child JVM, started with this JVM's flags and class path, talking one line at a time on its stdout.
 */
final class ChildJvm implements AutoCloseable
{
    private final Process process;
    private final BufferedReader stdout;

    private ChildJvm(final Process process)
    {
        this.process = process;
        this.stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /**
     * Start {@code mainClass} with {@code args}; its stderr goes to this JVM's stderr.
     */
    static ChildJvm start(final Class<?> mainClass, final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        try
        {
            return new ChildJvm(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start " + mainClass.getSimpleName() + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * @return the next line of the child's stdout that starts with {@code prefix}, without the prefix; other lines
     * are echoed.
     */
    String awaitLine(final String prefix)
    {
        try
        {
            String line;
            while (null != (line = stdout.readLine()))
            {
                if (line.startsWith(prefix))
                {
                    return line.substring(prefix.length()).trim();
                }
                System.out.println("  child: " + line);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        throw new IllegalStateException("child ended (exit " + exitCode() + ") before printing " + prefix);
    }

    /**
     * Write a line to the child's stdin.
     */
    void send(final String line)
    {
        try
        {
            process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().flush();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write to a child: " + ex.getMessage(), ex);
        }
    }

    private int exitCode()
    {
        try
        {
            return process.waitFor(5, TimeUnit.SECONDS) ? process.exitValue() : -1;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Override
    public void close()
    {
        try
        {
            process.getOutputStream().close(); // a child that reads its stdin sees the end of it
        }
        catch (final IOException ignore)
        {
            // it has gone already
        }
        if (-1 == exitCode())
        {
            process.destroyForcibly();
        }
    }
}
