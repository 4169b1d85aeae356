package io.ptyq.consumer.cli;

import io.ptyq.codec.cli.CommandProvider;

import java.util.List;

/**
 * Registers the consumer's subcommands with {@code ptyq}.
 */
public final class ConsumerCommands implements CommandProvider
{
    @Override
    public List<Object> subcommands()
    {
        return List.of(new LsCommand(), new CatCommand(), new AttachCommand(), new ReplayCommand(),
            new ExportCommand());
    }
}
