package io.ptyq.producer.cli;

import io.ptyq.codec.cli.CommandProvider;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Registers the producer's subcommands with {@code ptyq}.
 */
public final class ProducerCommands implements CommandProvider
{
    @Override
    public Map<String, Supplier<Object>> subcommands()
    {
        final Map<String, Supplier<Object>> commands = new LinkedHashMap<>();
        commands.put("daemon", DaemonCommand::new);
        commands.put("new", NewCommand::new);
        commands.put("send", SendCommand::new);
        commands.put("resize", ResizeCommand::new);
        commands.put("kill", KillCommand::new);
        commands.put("mark", MarkCommand::new);
        commands.put("record", RecordCommand::new);
        commands.put("import", ImportCommand::new);
        commands.put("stats", StatsCommand::new);

        return commands;
    }
}
