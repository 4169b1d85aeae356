package io.ptyq.bridge.cli;

import io.ptyq.codec.cli.CommandProvider;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Registers the renderer-bridge's subcommands with {@code ptyq}.
 */
public final class BridgeCommands implements CommandProvider
{
    @Override
    public Map<String, Supplier<Object>> subcommands()
    {
        final Map<String, Supplier<Object>> commands = new LinkedHashMap<>();
        commands.put("serve", ServeCommand::new);

        return commands;
    }
}
