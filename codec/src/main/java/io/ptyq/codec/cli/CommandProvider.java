package io.ptyq.codec.cli;

import java.util.Map;
import java.util.function.Supplier;

/**
 * Service a module registers in {@code META-INF/services/io.ptyq.codec.cli.CommandProvider} to add its subcommands
 * to {@code ptyq}; each subcommand is a picocli {@code @Command} object.
 */
public interface CommandProvider
{
    /**
     * @return this module's subcommands by name (the name in each one's {@code @Command}), in the order the help
     * lists them; each supplier makes a new picocli command object, so a command line that needs one command makes
     * only that one (a command's class may take time to initialise).
     */
    Map<String, Supplier<Object>> subcommands();

    /**
     * Told, as soon as the provider is found and before the command line is parsed, which command the user asked
     * for, so that a module can start on a background thread what that command will need anyway (class
     * initialisation of a library, say) while the arguments are parsed. Must return at once, and must not change
     * what the command does.
     *
     * @param command the first argument that is not an option, or null when there is none.
     */
    default void prepare(final String command)
    {
    }
}
