package io.ptyq.consumer;

import java.time.Instant;
import java.util.List;

/**
 * One session as the journal tells it.
 *
 * @param sessionId   the session's id.
 * @param name        its name, may be empty.
 * @param state       running, exited or abandoned.
 * @param exitCode    exit status, null while running.
 * @param signal      terminating signal, 0 if none.
 * @param startedAt   when it started.
 * @param endedAt     when it ended, null while running.
 * @param outputBytes output bytes journaled so far.
 * @param argv        the command and its arguments.
 * @param cols        current columns.
 * @param rows        current rows.
 * @param detail      why it ended, when the journal says (spawn failure, abandonment), else empty.
 */
public record SessionRecord(
    long sessionId,
    String name,
    State state,
    Integer exitCode,
    int signal,
    Instant startedAt,
    Instant endedAt,
    long outputBytes,
    List<String> argv,
    int cols,
    int rows,
    String detail)
{
    /**
     * Where a session is in its life.
     */
    public enum State
    {
        /**
         * Its daemon runs it.
         */
        RUNNING,
        /**
         * It ended and its end is journaled.
         */
        EXITED,
        /**
         * Its daemon died before journaling its end.
         */
        ABANDONED;

        /**
         * @return the state's name in lower case, as {@code ptyq ls} prints it.
         */
        public String label()
        {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
