package io.ptyq.producer.cli;

import io.ptyq.codec.cli.CliException;
import io.ptyq.codec.control.DaemonProxy;
import io.ptyq.producer.Signals;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import java.util.function.Consumer;

/**
 * {@code ptyq kill}: sends a signal to a session's process group.
 */
@Command(name = "kill", mixinStandardHelpOptions = true,
    description = "Send a signal (default TERM) to a session's process group.")
final class KillCommand extends ControlCommand
{
    @Parameters(index = "0", paramLabel = "SESSION", description = "Session id or name.")
    private String session;

    @Option(names = "--signal", paramLabel = "NAME", defaultValue = "TERM",
        description = "Signal name or number: HUP, INT, QUIT, KILL, TERM, USR1, ... (default: ${DEFAULT-VALUE}).")
    private String signal;

    @Override
    Consumer<DaemonProxy> prepare()
    {
        final int number = Signals.number(signal);
        if (number < 0)
        {
            throw CliException.usage("unknown signal '" + signal + "'");
        }
        return daemon -> daemon.signal(session, number);
    }
}
