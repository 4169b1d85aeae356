package io.ptyq.producer.cli;

import io.ptyq.codec.control.DaemonProxy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import java.util.function.Consumer;

/**
 * {@code ptyq mark}: journals a bookmark in a session.
 */
@Command(name = "mark", mixinStandardHelpOptions = true, description = "Journal a marker (bookmark) in a session.")
final class MarkCommand extends ControlCommand
{
    @Parameters(index = "0", paramLabel = "SESSION", description = "Session id or name.")
    private String session;

    @Parameters(index = "1", paramLabel = "LABEL", description = "The marker's label.")
    private String label;

    @Override
    Consumer<DaemonProxy> prepare()
    {
        return daemon -> daemon.marker(session, label);
    }
}
