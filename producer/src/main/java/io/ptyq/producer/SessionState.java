package io.ptyq.producer;

/**
 * Lifecycle of a session inside the daemon.
 */
enum SessionState
{
    RUNNING,
    EXITED
}
