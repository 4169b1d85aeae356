package io.ptyq.producer.cli;

import io.ptyq.codec.control.DaemonProxy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.function.Consumer;

/**
 * {@code ptyq send}: writes text to a session's terminal, as if typed.
 */
@Command(name = "send", mixinStandardHelpOptions = true,
    description = "Write TEXT to a session's terminal, as if typed. Several TEXT arguments are joined by spaces. " +
        "No newline is added: end with \\r to press Enter.",
    footer = Escapes.HELP)
final class SendCommand extends ControlCommand
{
    @Parameters(index = "0", paramLabel = "SESSION", description = "Session id or name.")
    private String session;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "TEXT", description = "Text to send, with escapes.")
    private List<String> text;

    @Override
    Consumer<DaemonProxy> prepare()
    {
        final byte[] data = Escapes.decode(String.join(" ", text));
        return daemon -> daemon.input(session, data);
    }
}
