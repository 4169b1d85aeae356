package io.ptyq.codec.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.ServiceLoader;

/**
 * The {@code ptyq} entry point: dispatches to the subcommands that the modules on the classpath provide.
 * Every failure reaches the user as one line on stderr with exit code 2 (usage) or 1 (runtime).
 */
@Command(
    name = "ptyq",
    mixinStandardHelpOptions = true,
    versionProvider = Ptyq.VersionProvider.class,
    description = "Shared-memory terminal output pipeline: PTY sessions journaled as SBE frames, tailed by any " +
        "number of readers, replayable.",
    synopsisSubcommandLabel = "COMMAND",
    commandListHeading = "%nCommands:%n")
public final class Ptyq implements Runnable
{
    @Spec
    private CommandSpec spec;

    /**
     * Run a command line and return its exit code instead of exiting.
     *
     * @param args the arguments after {@code ptyq}.
     * @return the exit code.
     */
    public static int execute(final String... args)
    {
        final String command = commandName(args);
        // Each provider prepares as soon as it is found: finding the rest means looking through every jar on the
        // class path, and a provider's preparation (Chronicle's start-up on another thread) can run meanwhile.
        final List<CommandProvider> providers = new ArrayList<>();
        for (final CommandProvider provider : ServiceLoader.load(CommandProvider.class))
        {
            provider.prepare(command);
            providers.add(provider);
        }
        final CommandLine commandLine = commandLine(providers, command);
        try
        {
            return commandLine.execute(args);
        }
        catch (final InternalError ex)
        {
            // Chronicle maps journal files: a read past the end of a file truncated under it faults into this.
            return onFatal("a journal file was truncated or changed while it was read (" + ex.getMessage() + ")",
                ex, commandLine);
        }
        catch (final StackOverflowError | OutOfMemoryError | LinkageError | AssertionError ex)
        {
            return onFatal("internal error: " + ex, ex, commandLine);
        }
    }

    private static int onFatal(final String message, final Throwable ex, final CommandLine commandLine)
    {
        final PrintWriter err = commandLine.getErr();
        err.println("ptyq: " + message.replace('\n', ' '));
        if (null != System.getenv("PTYQ_DEBUG"))
        {
            ex.printStackTrace(err);
        }
        err.flush();

        return CliException.RUNTIME;
    }

    /**
     * @param args the arguments after {@code ptyq}.
     */
    public static void main(final String[] args)
    {
        final int exitCode = execute(args);
        System.out.flush();
        System.exit(exitCode);
    }

    /**
     * @return the command line with every module's subcommands and ptyq's error handling.
     */
    public static CommandLine commandLine()
    {
        return commandLine(providers(), null);
    }

    private static List<CommandProvider> providers()
    {
        final List<CommandProvider> providers = new ArrayList<>();
        ServiceLoader.load(CommandProvider.class).forEach(providers::add);

        return providers;
    }

    private static Object named(final List<Object> subcommands, final String command)
    {
        for (final Object subcommand : subcommands)
        {
            final Command annotation = subcommand.getClass().getAnnotation(Command.class);
            if (null != annotation &&
                (command.equals(annotation.name()) || Arrays.asList(annotation.aliases()).contains(command)))
            {
                return subcommand;
            }
        }

        return null;
    }

    private static String commandName(final String[] args)
    {
        for (final String arg : args)
        {
            if (!arg.startsWith("-"))
            {
                return arg;
            }
        }

        return null;
    }

    /**
     * @param command the command the user asked for: when it is one of the subcommands, only that one is registered
     *                (picocli's model of the others would cost start-up time and not change a thing); otherwise, or
     *                when null (help, a mistyped command), all of them.
     */
    private static CommandLine commandLine(final List<CommandProvider> providers, final String command)
    {
        final List<Object> subcommands = new ArrayList<>();
        for (final CommandProvider provider : providers)
        {
            subcommands.addAll(provider.subcommands());
        }
        final CommandLine commandLine = new CommandLine(new Ptyq());
        final Object only = null == command ? null : named(subcommands, command);
        if (null != only)
        {
            commandLine.addSubcommand(only);
        }
        else
        {
            subcommands.forEach(commandLine::addSubcommand);
        }
        commandLine.setParameterExceptionHandler(Ptyq::onParameterException);
        commandLine.setExecutionExceptionHandler(Ptyq::onExecutionException);

        return commandLine;
    }

    @Override
    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (see 'ptyq --help')");
    }

    private static int onParameterException(final CommandLine.ParameterException ex, final String[] args)
    {
        final PrintWriter err = ex.getCommandLine().getErr();
        final String name = ex.getCommandLine().getCommandSpec().qualifiedName();
        String message = ex.getMessage().replace('\n', ' ').trim();
        if (ex instanceof CommandLine.UnmatchedArgumentException && ex.getCommandLine().getSubcommands().size() > 0)
        {
            final var unmatched = ((CommandLine.UnmatchedArgumentException)ex).getUnmatched();
            if (!unmatched.isEmpty() && !unmatched.get(0).startsWith("-"))
            {
                message = "unknown command '" + unmatched.get(0) + "'";
            }
        }
        err.println(name + ": " + message + (message.contains("--help") ? "" : " (see '" + name + " --help')"));
        err.flush();

        return CliException.USAGE;
    }

    private static int onExecutionException(
        final Exception ex, final CommandLine commandLine, final CommandLine.ParseResult parseResult)
    {
        final PrintWriter err = commandLine.getErr();
        if (ex instanceof CliException)
        {
            err.println("ptyq: " + ex.getMessage());
            err.flush();
            return ((CliException)ex).exitCode();
        }
        if (ex instanceof UserFacingException)
        {
            err.println("ptyq: " + ex.getMessage().replace('\n', ' '));
            err.flush();
            return CliException.RUNTIME;
        }

        // Anything else is our bug: still one line for the user, the trace only on request.
        err.println("ptyq: internal error: " + ex);
        if (null != System.getenv("PTYQ_DEBUG"))
        {
            ex.printStackTrace(err);
        }
        err.flush();

        return CliException.RUNTIME;
    }

    /**
     * Reads the version the build wrote into the launcher resources.
     */
    static final class VersionProvider implements CommandLine.IVersionProvider
    {
        @Override
        public String[] getVersion() throws IOException
        {
            return new String[]{ "ptyq " + LauncherProperties.load().getProperty("version", "unknown") };
        }
    }

    /**
     * The launcher properties written by the build: version and JVM flags.
     */
    static final class LauncherProperties
    {
        private LauncherProperties()
        {
        }

        static Properties load() throws IOException
        {
            final Properties properties = new Properties();
            try (InputStream in = Ptyq.class.getResourceAsStream("/io/ptyq/launcher/launcher.properties"))
            {
                if (null != in)
                {
                    properties.load(in);
                }
            }

            return properties;
        }
    }
}
