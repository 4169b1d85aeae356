package io.ptyq.producer.cli;

import io.ptyq.codec.cli.TerminalSize;
import io.ptyq.codec.control.DaemonProxy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import java.util.function.Consumer;

/**
 * {@code ptyq resize}: changes a session's terminal size.
 */
@Command(name = "resize", mixinStandardHelpOptions = true, description = "Change a session's terminal size.")
final class ResizeCommand extends ControlCommand
{
    @Parameters(index = "0", paramLabel = "SESSION", description = "Session id or name.")
    private String session;

    @Parameters(index = "1", paramLabel = "COLSxROWS", description = "The new size, e.g. 120x40.")
    private String size;

    @Override
    Consumer<DaemonProxy> prepare()
    {
        final TerminalSize terminalSize = TerminalSize.parse(size);
        return daemon -> daemon.resize(session, terminalSize.cols(), terminalSize.rows());
    }
}
