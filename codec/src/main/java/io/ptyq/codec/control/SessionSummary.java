package io.ptyq.codec.control;

/**
 * A running session as the daemon reports it.
 *
 * @param sessionId the session's id.
 * @param name      its name, may be empty.
 * @param pid       its process id.
 * @param cols      current columns.
 * @param rows      current rows.
 */
public record SessionSummary(long sessionId, String name, int pid, int cols, int rows)
{
}
