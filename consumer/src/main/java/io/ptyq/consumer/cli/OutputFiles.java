package io.ptyq.consumer.cli;

import io.ptyq.codec.cli.CliException;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks of an {@code -o FILE} option, made before any work: {@code ptyq export}, and {@code ptyq record}, which must
 * not run a whole session only to fail at the end about where its file goes.
 */
public final class OutputFiles
{
    private OutputFiles()
    {
    }

    /**
     * @param output the file to write.
     * @throws CliException if it is a directory, or its directory does not exist or is not writable.
     */
    public static void check(final Path output)
    {
        final Path parent = output.toAbsolutePath().getParent();
        if (Files.isDirectory(output))
        {
            throw CliException.usage("-o " + output + " is a directory");
        }
        if (null == parent || !Files.isDirectory(parent))
        {
            throw CliException.runtime("cannot write " + output + ": no directory " + parent);
        }
        if (!Files.isWritable(parent))
        {
            throw CliException.runtime("cannot write " + output + ": directory " + parent + " is not writable");
        }
    }
}
