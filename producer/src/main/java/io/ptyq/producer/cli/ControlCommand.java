package io.ptyq.producer.cli;

import io.ptyq.codec.cli.CliException;
import io.ptyq.codec.cli.JournalOption;
import io.ptyq.codec.control.DaemonProxy;
import io.ptyq.codec.control.SessionCommandException;
import picocli.CommandLine.Mixin;

import java.util.function.Consumer;

/**
 * A subcommand that talks to the running daemon: checks its arguments, then connects, runs one request and maps
 * failures to one line. Arguments are checked before connecting, so a bad command line is a usage error (exit 2)
 * whether or not a daemon runs.
 */
abstract class ControlCommand implements Runnable
{
    @Mixin
    JournalOption journal;

    @Override
    public final void run()
    {
        final Consumer<DaemonProxy> request = prepare();
        try (DaemonProxy daemon = DaemonProxy.connect(journal.resolve()))
        {
            request.accept(daemon);
        }
        catch (final SessionCommandException ex)
        {
            throw ex.reason() == SessionCommandException.Reason.BAD_REQUEST ?
                CliException.usage(ex.getMessage()) : CliException.runtime(ex.getMessage());
        }
    }

    /**
     * Check the arguments and say what to ask of the daemon.
     *
     * @return the request, run once connected.
     * @throws CliException (usage) for a bad argument.
     */
    abstract Consumer<DaemonProxy> prepare();
}
