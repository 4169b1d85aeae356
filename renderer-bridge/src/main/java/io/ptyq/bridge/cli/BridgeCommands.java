package io.ptyq.bridge.cli;

import io.ptyq.codec.cli.CommandProvider;

import java.util.List;

/**
 * Registers the renderer-bridge's subcommands with {@code ptyq}.
 */
public final class BridgeCommands implements CommandProvider
{
    @Override
    public List<Object> subcommands()
    {
        return List.of(new ServeCommand());
    }
}
