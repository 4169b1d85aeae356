package io.ptyq.codec.control;

import java.util.List;
import java.util.Map;

/**
 * What to run in a new session.
 *
 * @param name       human name, may be empty; unique among running sessions when not empty.
 * @param argv       the command and its arguments, not empty.
 * @param workingDir working directory, or null for the daemon's.
 * @param env        environment overrides on top of the daemon's environment.
 * @param cols       initial columns.
 * @param rows       initial rows.
 */
public record SessionSpec(String name, List<String> argv, String workingDir, Map<String, String> env, int cols, int rows)
{
}
