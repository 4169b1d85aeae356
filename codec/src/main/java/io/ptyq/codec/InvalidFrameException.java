package io.ptyq.codec;

/**
 * The one exception a frame decoder throws for bytes that are not a valid frame: truncated, corrupt or foreign.
 * Its message is a single line fit to show a user.
 */
public final class InvalidFrameException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong with the frame, one line.
     */
    public InvalidFrameException(final String message)
    {
        super(message);
    }
}
