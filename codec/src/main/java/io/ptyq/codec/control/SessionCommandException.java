package io.ptyq.codec.control;

/**
 * A control request the daemon refused, with a one-line reason for the user.
 */
public final class SessionCommandException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * Why a request failed, as carried back to the client.
     */
    public enum Reason
    {
        /**
         * No running session has that id or name.
         */
        NOT_FOUND,
        /**
         * The request's values are not acceptable (bad size, empty command, duplicate name).
         */
        BAD_REQUEST,
        /**
         * The daemon could not do it (I/O error, shutting down).
         */
        FAILED
    }

    private final Reason reason;

    /**
     * @param reason  the kind of failure.
     * @param message one line for the user.
     */
    public SessionCommandException(final Reason reason, final String message)
    {
        super(message);
        this.reason = reason;
    }

    /**
     * @return the kind of failure.
     */
    public Reason reason()
    {
        return reason;
    }
}
