package io.ptyq.consumer.cli;

import io.ptyq.codec.control.SessionCommands;

import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * This process's terminal joined to a session for {@code ptyq record}, which the producer runs: raw mode through
 * JLine, every key to the session, this terminal's size to it on every SIGWINCH, and its output from the journal
 * onto the terminal until it exits. The terminal is restored however it ends.
 */
public final class SessionTerminal
{
    private SessionTerminal()
    {
    }

    /**
     * Run until the session's exit is journaled; without a terminal, stdin is forwarded and output printed.
     *
     * @param journalDir the journal the session is written to.
     * @param start      starts the session at this terminal's size once the terminal is in raw mode, and gives its
     *                   id; what it throws (a {@code CliException}) comes out of here after the terminal is
     *                   restored.
     * @param cols       the columns it is started with.
     * @param rows       the rows it is started with.
     * @param commands   where keys and resizes go: the in-process daemon, or a daemon's control socket.
     * @return the session's exit code (128+signal when a signal ended it; 1 when it was abandoned).
     */
    public static int record(
        final Path journalDir, final LongSupplier start, final int cols, final int rows, final SessionCommands commands)
    {
        return AttachCommand.attach(journalDir, start, cols, rows, commands, false, true);
    }
}
