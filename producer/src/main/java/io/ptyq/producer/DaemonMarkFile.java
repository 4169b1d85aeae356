package io.ptyq.producer;

import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The daemon's mark file in the journal directory: who runs the journal, since when, and a heartbeat, as in Aeron's
 * {@code ArchiveMarkFile}. The daemon holds an exclusive lock on it for its whole life, so a second daemon is refused
 * and a killed daemon's lock vanishes with it.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                          pid (int64)                          |
 *  +---------------------------------------------------------------+
 *  |                  start time, epoch ms (int64)                 |
 *  +---------------------------------------------------------------+
 *  |        heartbeat, epoch ms (int64); 0 once stopped cleanly    |
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class DaemonMarkFile implements AutoCloseable
{
    /**
     * The mark file's name in the journal directory.
     */
    public static final String FILE_NAME = "daemon.mark";

    /**
     * A heartbeat older than this means the daemon is gone even if the file says otherwise.
     */
    public static final long HEARTBEAT_TIMEOUT_MS = 5000;

    static final int PID_OFFSET = 0;
    static final int START_TIME_OFFSET = 8;
    static final int HEARTBEAT_OFFSET = 16;
    static final int LENGTH = 64;

    private final FileChannel channel;
    private final FileLock lock;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer buffer;

    private DaemonMarkFile(final FileChannel channel, final FileLock lock, final MappedByteBuffer mapped)
    {
        this.channel = channel;
        this.lock = lock;
        this.mapped = mapped;
        this.buffer = new UnsafeBuffer(mapped);
    }

    /**
     * Take the journal for this process.
     *
     * @param journalDir  the journal directory.
     * @param pid         this process.
     * @param startTimeMs when it started.
     * @return the held mark file.
     * @throws DaemonRunningException if another live daemon holds it.
     */
    public static DaemonMarkFile acquire(final Path journalDir, final long pid, final long startTimeMs)
        throws IOException
    {
        final Path file = journalDir.resolve(FILE_NAME);
        final FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE);
        try
        {
            Files.setPosixFilePermissions(file, JournalFiles.FILE_PERMISSIONS);
            FileLock lock;
            try
            {
                lock = channel.tryLock();
            }
            catch (final OverlappingFileLockException ex)
            {
                lock = null;
            }
            if (null == lock)
            {
                final long otherPid = channel.size() >= LENGTH ? readPid(channel) : -1;
                channel.close();
                throw new DaemonRunningException(otherPid, journalDir);
            }

            final MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, LENGTH);
            final DaemonMarkFile markFile = new DaemonMarkFile(channel, lock, mapped);
            markFile.buffer.putLong(PID_OFFSET, pid);
            markFile.buffer.putLong(START_TIME_OFFSET, startTimeMs);
            markFile.heartbeat(startTimeMs);

            return markFile;
        }
        catch (final IOException | RuntimeException ex)
        {
            if (channel.isOpen())
            {
                channel.close();
            }
            throw ex;
        }
    }

    private static long readPid(final FileChannel channel) throws IOException
    {
        final java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.nativeOrder());
        channel.read(bytes, PID_OFFSET);

        return bytes.getLong(0);
    }

    /**
     * @param nowMs the time to record as the latest heartbeat.
     */
    public void heartbeat(final long nowMs)
    {
        buffer.putLongVolatile(HEARTBEAT_OFFSET, nowMs);
    }

    /**
     * Record a clean stop and release the journal.
     */
    @Override
    public void close()
    {
        try
        {
            buffer.putLongVolatile(HEARTBEAT_OFFSET, 0);
            mapped.force();
            lock.release();
            channel.close();
        }
        catch (final IOException ex)
        {
            // The lock goes with the channel, and the process exits next; nothing left to undo.
        }
    }

    /**
     * Thrown when the journal already has a live daemon.
     */
    public static final class DaemonRunningException extends IOException
    {
        private static final long serialVersionUID = 1L;

        private final long pid;

        DaemonRunningException(final long pid, final Path journalDir)
        {
            super("a ptyq daemon" + (pid > 0 ? " (pid " + pid + ")" : "") + " is already running on " + journalDir);
            this.pid = pid;
        }

        /**
         * @return the running daemon's pid, or -1 if unknown.
         */
        public long pid()
        {
            return pid;
        }
    }
}
