package io.ptyq.producer.cli;

import io.ptyq.codec.cli.CommandProvider;

import java.util.List;

/**
 * Registers the producer's subcommands with {@code ptyq}.
 */
public final class ProducerCommands implements CommandProvider
{
    @Override
    public List<Object> subcommands()
    {
        return List.of(new DaemonCommand(), new NewCommand(), new SendCommand(), new ResizeCommand(),
            new KillCommand(), new MarkCommand(), new RecordCommand(), new ImportCommand());
    }
}
