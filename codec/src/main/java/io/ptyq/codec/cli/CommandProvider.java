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
}
