package io.ptyq.codec.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.function.Supplier;

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
    /**
     * The command providers of ptyq's own modules, those on the class path found by name; each is also registered
     * as a service, for {@link #commandLine()}.
     */
    private static final List<String> OWN_PROVIDERS = List.of(
        "io.ptyq.consumer.cli.ConsumerCommands",
        "io.ptyq.producer.cli.ProducerCommands",
        "io.ptyq.bridge.cli.BridgeCommands");

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
        final CommandLine commandLine = commandLine(command);
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
        final List<Supplier<Object>> subcommands = new ArrayList<>();
        for (final CommandProvider provider : ServiceLoader.load(CommandProvider.class))
        {
            subcommands.addAll(provider.subcommands().values());
        }

        return commandLine(subcommands);
    }

    /**
     * The command line for what the user asked for: when the command is one of ptyq's own modules', only that one
     * is registered (picocli's model of the others, and their classes' initialisation, would cost start-up time and
     * not change a thing), and those modules are found by name. Otherwise (help, a mistyped command, another
     * module's command) every provider on the class path is found by {@link ServiceLoader}, which opens every jar
     * of the class path to look for them, and every subcommand is registered.
     * <p>
     * Each provider is told the command as soon as it is found ({@link CommandProvider#prepare}), so that what it
     * starts (Chronicle's start-up on another thread) runs while the rest is found and the arguments are parsed.
     *
     * @param command the command the user asked for, or null.
     */
    private static CommandLine commandLine(final String command)
    {
        if (null != command)
        {
            for (final String name : OWN_PROVIDERS)
            {
                final CommandProvider provider = ownProvider(name);
                if (null != provider)
                {
                    provider.prepare(command);
                    final Supplier<Object> only = provider.subcommands().get(command);
                    if (null != only)
                    {
                        return commandLine(List.of(only));
                    }
                }
            }
        }

        final List<Supplier<Object>> subcommands = new ArrayList<>();
        for (final CommandProvider provider : ServiceLoader.load(CommandProvider.class))
        {
            // Those of ptyq's own modules were told already, if there was a command to tell.
            if (null == command || !OWN_PROVIDERS.contains(provider.getClass().getName()))
            {
                provider.prepare(command);
            }
            subcommands.addAll(provider.subcommands().values());
        }

        return commandLine(subcommands);
    }

    private static CommandProvider ownProvider(final String className)
    {
        final Class<?> type;
        try
        {
            type = Class.forName(className, true, Ptyq.class.getClassLoader());
        }
        catch (final ClassNotFoundException ex)
        {
            // That module is not on the class path.
            return null;
        }
        try
        {
            return (CommandProvider)type.getConstructor().newInstance();
        }
        catch (final ReflectiveOperationException | ClassCastException ex)
        {
            throw new IllegalStateException("cannot make " + className + ": " + ex, ex);
        }
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

    private static CommandLine commandLine(final List<Supplier<Object>> subcommands)
    {
        final CommandLine commandLine = new CommandLine(new Ptyq(), new CommandFactory());
        subcommands.forEach(subcommand -> commandLine.addSubcommand(subcommand.get()));
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
     * Makes the objects picocli asks for (version providers, converters, mixins) with their no-argument constructor,
     * and leaves interfaces (collections, maps) to picocli's own factory. Not picocli's factory for everything: its
     * class initialisation looks for Groovy's {@code Closure}, a class no jar here has, and so opens every jar on
     * the class path before the first command can start.
     */
    private static final class CommandFactory implements CommandLine.IFactory
    {
        @Override
        public <K> K create(final Class<K> type) throws Exception
        {
            if (type.isInterface() || Modifier.isAbstract(type.getModifiers()))
            {
                return CommandLine.defaultFactory().create(type);
            }
            final Constructor<K> constructor = type.getDeclaredConstructor();
            constructor.setAccessible(true);

            return constructor.newInstance();
        }
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
