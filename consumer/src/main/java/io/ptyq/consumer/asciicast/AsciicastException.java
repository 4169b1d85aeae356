package io.ptyq.consumer.asciicast;

/**
 * A file that is not valid asciicast, with the line where the problem is: one line for the user.
 */
public final class AsciicastException extends Exception
{
    private static final long serialVersionUID = 1L;

    private final long line;

    /**
     * @param line    the 1-based line of the file, or 0 when no line applies.
     * @param message what is wrong there.
     */
    public AsciicastException(final long line, final String message)
    {
        super((line > 0 ? "line " + line + ": " : "") + message);
        this.line = line;
    }

    /**
     * @return the 1-based line of the file, or 0 when no line applies.
     */
    public long line()
    {
        return line;
    }
}
