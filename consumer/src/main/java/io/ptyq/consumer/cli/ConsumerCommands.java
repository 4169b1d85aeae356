package io.ptyq.consumer.cli;

import io.ptyq.codec.cli.CommandProvider;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Registers the consumer's subcommands with {@code ptyq}.
 */
public final class ConsumerCommands implements CommandProvider
{
    private static final Set<String> JOURNAL_READERS = Set.of("ls", "cat", "export", "replay", "attach");

    @Override
    public Map<String, Supplier<Object>> subcommands()
    {
        final Map<String, Supplier<Object>> commands = new LinkedHashMap<>();
        commands.put("ls", LsCommand::new);
        commands.put("cat", CatCommand::new);
        commands.put("attach", AttachCommand::new);
        commands.put("replay", ReplayCommand::new);
        commands.put("export", ExportCommand::new);

        return commands;
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
