package io.ptyq.consumer;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Tells whether a daemon is alive on a journal: the daemon holds an exclusive lock on its mark file
 * ({@code daemon.mark}) for as long as it runs, and the lock dies with its process.
 */
public final class DaemonStatus
{
    private static final String MARK_FILE = "daemon.mark";

    private DaemonStatus()
    {
    }

    /**
     * @param journalDir the journal directory.
     * @return true if a daemon holds the journal now.
     */
    public static boolean isDaemonAlive(final Path journalDir)
    {
        final Path markFile = journalDir.resolve(MARK_FILE);
        if (!Files.exists(markFile))
        {
            return false;
        }
        try (FileChannel channel = FileChannel.open(markFile, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            try (FileLock lock = channel.tryLock())
            {
                return null == lock;
            }
            catch (final OverlappingFileLockException ex)
            {
                // This JVM runs the daemon itself.
                return true;
            }
        }
        catch (final IOException ex)
        {
            return false;
        }
    }
}
