package io.ptyq.codec.cli;

import java.util.List;

/**
 * Service a module registers in {@code META-INF/services/io.ptyq.codec.cli.CommandProvider} to add its subcommands
 * to {@code ptyq}; each subcommand is a picocli {@code @Command} object.
 */
public interface CommandProvider
{
    /**
     * @return new picocli command objects, one per subcommand this module owns.
     */
    List<Object> subcommands();

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
