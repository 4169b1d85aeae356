package io.ptyq.codec.cli;

/**
 * A failure to report to the user as one line, with the process exit code it should give.
 */
public final class CliException extends RuntimeException
{
    /**
     * Exit code for a runtime failure: no daemon, unknown session, unreadable journal.
     */
    public static final int RUNTIME = 1;

    /**
     * Exit code for a bad command line.
     */
    public static final int USAGE = 2;

    private static final long serialVersionUID = 1L;

    private final int exitCode;

    /**
     * @param exitCode the exit code to give.
     * @param message  one line for the user.
     */
    public CliException(final int exitCode, final String message)
    {
        super(message);
        this.exitCode = exitCode;
    }

    /**
     * @param message one line for the user about a bad argument.
     * @return a usage failure (exit code 2).
     */
    public static CliException usage(final String message)
    {
        return new CliException(USAGE, message);
    }

    /**
     * @param message one line for the user about a failure at run time.
     * @return a runtime failure (exit code 1).
     */
    public static CliException runtime(final String message)
    {
        return new CliException(RUNTIME, message);
    }

    /**
     * @return the exit code to give.
     */
    public int exitCode()
    {
        return exitCode;
    }
}
