package io.ptyq.consumer.cli;

import io.ptyq.codec.cli.CommandProvider;

import java.util.List;
import java.util.Set;

/**
 * Registers the consumer's subcommands with {@code ptyq}.
 */
public final class ConsumerCommands implements CommandProvider
{
    private static final Set<String> JOURNAL_READERS = Set.of("ls", "cat", "export", "replay", "attach");

    @Override
    public List<Object> subcommands()
    {
        return List.of(new LsCommand(), new CatCommand(), new AttachCommand(), new ReplayCommand(),
            new ExportCommand());
    }

    @Override
    public void prepare(final String command)
    {
        if (null != command && JOURNAL_READERS.contains(command))
        {
            JournalWarmUp.start();
        }
    }
}
