package io.ptyq.consumer;

import io.ptyq.codec.cli.UserFacingException;

import java.nio.file.Path;

/**
 * A journal file cannot be read: truncated, overwritten, not a journal file, or missing (the metadata file). The
 * message is one line that names the file.
 */
public final class JournalDamagedException extends RuntimeException implements UserFacingException
{
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    /**
     * @param file   the damaged file.
     * @param reason what is wrong, one line.
     * @param cause  what the reading raised, or null.
     */
    public JournalDamagedException(final Path file, final String reason, final Throwable cause)
    {
        super("journal file " + file + " is damaged: " + reason, cause);
        this.file = file;
    }

    /**
     * @param ex what reading a journal file raised.
     * @return one line saying what it means.
     */
    public static String reasonOf(final Throwable ex)
    {
        if (ex instanceof InternalError)
        {
            return "truncated, or changed while being read (a read of its mapped memory faulted)";
        }
        final String message = null == ex.getMessage() ? ex.getClass().getSimpleName() : ex.getMessage();

        return ex.getClass().getSimpleName() + ": " + message.replace('\n', ' ').trim();
    }

    /**
     * @return the damaged file.
     */
    public Path file()
    {
        return file;
    }
}
