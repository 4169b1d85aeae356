package io.ptyq.bench;

import org.openjdk.jmh.Main;
import org.openjdk.jmh.runner.NoBenchmarksException;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * Entry point of {@code benchmarks.jar}: takes the normal JMH command line and runs every fork with the project's JVM
 * flags (the root pom's {@code ptyq.jvm.flags}, read from {@code /io/ptyq/launcher/launcher.properties}) prepended.
 * <p>
 * The prepended flags replace any {@code @Fork(jvmArgsPrepend)}, so benchmarks leave that attribute empty.
 */
public final class BenchMain
{
    /**
     * Classpath resource the codec module filters the root pom's JVM flags into.
     */
    public static final String LAUNCHER_PROPERTIES = "/io/ptyq/launcher/launcher.properties";

    private BenchMain()
    {
    }

    /**
     * Run JMH as {@code org.openjdk.jmh.Main} would, with the project's JVM flags in front of any given with
     * {@code -jvmArgsPrepend}.
     *
     * @param args JMH command line.
     */
    public static void main(final String[] args) throws IOException, RunnerException
    {
        final CommandLineOptions cmdOptions;
        try
        {
            cmdOptions = new CommandLineOptions(args);
        }
        catch (final CommandLineOptionException ex)
        {
            System.err.println("Error parsing command line: " + ex.getMessage());
            System.exit(1);
            return;
        }

        if (cmdOptions.shouldHelp() || cmdOptions.shouldList() || cmdOptions.shouldListWithParams() ||
            cmdOptions.shouldListProfilers() || cmdOptions.shouldListResultFormats())
        {
            // Help and listings start no fork, so JMH's own main serves them unchanged.
            Main.main(args);
            return;
        }

        // Options of the command line override their parent's wholesale, so keep any -jvmArgsPrepend given there.
        final String[] projectFlags;
        try
        {
            projectFlags = jvmFlags();
        }
        catch (final IllegalStateException ex)
        {
            System.err.println(ex.getMessage());
            System.exit(1);
            return;
        }
        final List<String> prepend = new ArrayList<>(Arrays.asList(projectFlags));
        prepend.addAll(cmdOptions.getJvmArgsPrepend().orElse(List.of()));
        final Options options = new OptionsBuilder()
            .parent(cmdOptions)
            .jvmArgsPrepend(prepend.toArray(new String[0]))
            .build();

        try
        {
            new Runner(options).run();
        }
        catch (final NoBenchmarksException ex)
        {
            System.err.println("No matching benchmarks; list them with -l.");
            System.exit(1);
        }
        catch (final RunnerException ex)
        {
            System.err.println("Benchmark run failed: " + ex.getMessage() +
                (null == ex.getCause() ? "" : " (" + ex.getCause() + ")"));
            System.exit(1);
        }
    }

    /**
     * @return the project's JVM flags, one per element, as the build wrote them.
     */
    public static String[] jvmFlags() throws IOException
    {
        try (InputStream in = BenchMain.class.getResourceAsStream(LAUNCHER_PROPERTIES))
        {
            if (null == in)
            {
                throw new IllegalStateException(LAUNCHER_PROPERTIES + " is not on the classpath; build ptyq-codec first");
            }
            final Properties properties = new Properties();
            properties.load(in);
            final String flags = properties.getProperty("jvm.flags", "").trim();
            if (flags.isEmpty() || flags.contains("${"))
            {
                throw new IllegalStateException(LAUNCHER_PROPERTIES + " has no filtered jvm.flags: '" + flags + "'");
            }

            return flags.split("\\s+");
        }
    }
}
