package io.ptyq.codec.cli;

/**
 * Marks an exception, from any module, whose message is already one clear line for the user about a runtime
 * failure (a damaged journal file, say): {@code ptyq} prints it as is and exits with {@link CliException#RUNTIME}.
 */
public interface UserFacingException
{
    /**
     * @return the one line for the user.
     */
    String getMessage();
}
