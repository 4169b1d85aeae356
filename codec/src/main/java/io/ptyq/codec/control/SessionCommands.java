package io.ptyq.codec.control;

import java.util.List;

/**
 * What the control endpoint asks of the daemon. Implementations are thread safe; every method fails with
 * {@link SessionCommandException} carrying a one-line reason the client shows to its user.
 */
public interface SessionCommands
{
    /**
     * Start a session.
     *
     * @param spec what to run and how.
     * @return the new session's id; a command that cannot start still gets an id, and its SessionExited says why.
     */
    long newSession(SessionSpec spec);

    /**
     * Write bytes to a running session's PTY.
     *
     * @param session id or name of the session.
     * @param data    the bytes, as the child should read them.
     */
    void input(String session, byte[] data);

    /**
     * Resize a running session's terminal.
     *
     * @param session id or name of the session.
     * @param cols    columns, 1..65535.
     * @param rows    rows, 1..65535.
     */
    void resize(String session, int cols, int rows);

    /**
     * Send a signal to a running session's process.
     *
     * @param session id or name of the session.
     * @param signal  the signal number.
     */
    void signal(String session, int signal);

    /**
     * Journal a marker in a running session.
     *
     * @param session id or name of the session.
     * @param label   the marker's label.
     */
    void marker(String session, String label);

    /**
     * @return the daemon's running sessions.
     */
    List<SessionSummary> list();

    /**
     * @return the daemon's counters, in the order it lists them.
     */
    List<StatsCounter> stats();
}
