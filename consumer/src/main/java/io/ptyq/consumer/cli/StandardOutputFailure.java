package io.ptyq.consumer.cli;

import io.ptyq.codec.cli.CliException;
import io.ptyq.consumer.asciicast.SessionExport;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * What a command that writes to standard output does when a write fails: a reader that went away (a pipe into
 * {@code head}) ends the command quietly, as {@code cat} does; any other failure (a full disk behind a redirect, an
 * I/O error) is the one error line and exit status 1, since the output is incomplete.
 */
final class StandardOutputFailure
{
    private static final String BROKEN_PIPE = "Broken pipe";

    private StandardOutputFailure()
    {
    }

    /**
     * @param ex the failed write.
     * @throws CliException unless the reader closed the pipe.
     */
    static void handle(final UncheckedIOException ex)
    {
        handle(ex.getCause());
    }

    /**
     * @param ex the failed write.
     * @throws CliException unless the reader closed the pipe.
     */
    static void handle(final IOException ex)
    {
        if (null == ex || !BROKEN_PIPE.equals(ex.getMessage()))
        {
            throw CliException.runtime("cannot write to standard output: " +
                (null == ex ? "unknown error" : SessionExport.describe(ex)));
        }
    }
}
