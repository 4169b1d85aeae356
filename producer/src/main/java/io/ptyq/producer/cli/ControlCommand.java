package io.ptyq.producer.cli;

import io.ptyq.codec.cli.CliException;
import io.ptyq.codec.cli.JournalOption;
import io.ptyq.codec.control.DaemonProxy;
import io.ptyq.codec.control.SessionCommandException;
import picocli.CommandLine.Mixin;

/**
 * A subcommand that talks to the running daemon: connects, runs one request, maps failures to one line.
 */
abstract class ControlCommand implements Runnable
{
    @Mixin
    JournalOption journal;

    @Override
    public final void run()
    {
        try (DaemonProxy daemon = DaemonProxy.connect(journal.resolve()))
        {
            execute(daemon);
        }
        catch (final SessionCommandException ex)
        {
            throw ex.reason() == SessionCommandException.Reason.BAD_REQUEST ?
                CliException.usage(ex.getMessage()) : CliException.runtime(ex.getMessage());
        }
    }

    abstract void execute(DaemonProxy daemon);
}
