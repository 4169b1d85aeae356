package io.ptyq.consumer;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.VarHandle;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The stored position of a named durable consumer: a small file mapped into memory, so each update is one store that
 * outlives the process the moment it is made. The file is locked while a consumer has it open.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                     magic 'PTYQPOS1' (0 until initialised)    |  int64
 *  +---------------------------------------------------------------+
 *  |  committed index: last frame read and, if delivered, whose    |  int64
 *  |  callback returned; every frame up to it is done              |
 *  +---------------------------------------------------------------+
 *  |  in-flight index: the last frame whose callback was entered;  |  int64
 *  |  above committed only while that callback has not returned    |
 *  +---------------------------------------------------------------+
 *  |                          reserved                             |  40 bytes
 *  +---------------------------------------------------------------+
 * </pre>
 * Each field is an aligned 8-byte store, never torn; the magic is written last, so a file cut short by a crash at
 * creation reads as new. Little-endian (native on the platforms ptyq runs on).
 */
final class ConsumerPositionFile implements AutoCloseable
{
    static final String SUFFIX = ".position";
    static final int LENGTH = 64;
    static final long MAGIC = 0x31534F5051595450L;
    static final int MAGIC_OFFSET = 0;
    static final int COMMITTED_OFFSET = 8;
    static final int IN_FLIGHT_OFFSET = 16;

    private static final Set<PosixFilePermission> DIR_PERMISSIONS = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE_PERMISSIONS = PosixFilePermissions.fromString("rw-------");

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer buffer;
    private final boolean created;

    private ConsumerPositionFile(
        final Path file, final FileChannel channel, final FileLock lock, final MappedByteBuffer mapped,
        final boolean created)
    {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
        this.mapped = mapped;
        this.buffer = new UnsafeBuffer(mapped);
        this.created = created;
    }

    /**
     * Open and lock a consumer's position file, creating it (and its owner-only directory) if needed.
     *
     * @param file the position file.
     * @return the open file; {@link #isNew()} says whether it holds a position yet.
     * @throws IllegalStateException if another consumer of the same name has it open.
     */
    static ConsumerPositionFile open(final Path file)
    {
        FileChannel channel = null;
        try
        {
            final Path dir = file.getParent();
            if (!Files.isDirectory(dir))
            {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR_PERMISSIONS));
            }
            Files.setPosixFilePermissions(dir, DIR_PERMISSIONS);
            channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(FILE_PERMISSIONS));
            Files.setPosixFilePermissions(file, FILE_PERMISSIONS);
            final FileLock lock;
            try
            {
                lock = channel.tryLock();
            }
            catch (final OverlappingFileLockException ex)
            {
                throw new IllegalStateException("consumer position " + file + " is already open in this JVM");
            }
            if (null == lock)
            {
                throw new IllegalStateException("consumer position " + file + " is in use by another process");
            }
            final long size = channel.size();
            if (size != 0 && size != LENGTH)
            {
                throw new IllegalStateException("consumer position " + file + " is " + size + " bytes, not " + LENGTH);
            }
            final MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, LENGTH);
            final UnsafeBuffer view = new UnsafeBuffer(mapped);
            final long magic = view.getLongVolatile(MAGIC_OFFSET);
            if (0 != magic && MAGIC != magic)
            {
                IoUtil.unmap(mapped);
                throw new IllegalStateException("consumer position " + file + " is not a ptyq position file");
            }

            return new ConsumerPositionFile(file, channel, lock, mapped, 0 == magic);
        }
        catch (final IOException ex)
        {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot open consumer position " + file + ": " + ex.getMessage(), ex);
        }
        catch (final RuntimeException ex)
        {
            closeQuietly(channel);
            throw ex;
        }
    }

    /**
     * @return true if the file held no position when opened.
     */
    boolean isNew()
    {
        return created;
    }

    /**
     * Write the first position of a new consumer; the magic goes last, so a crash before it leaves a new file.
     */
    void initialise(final long committedIndex)
    {
        buffer.putLongVolatile(COMMITTED_OFFSET, committedIndex);
        buffer.putLongVolatile(IN_FLIGHT_OFFSET, committedIndex);
        buffer.putLongVolatile(MAGIC_OFFSET, MAGIC);
    }

    long committedIndex()
    {
        return buffer.getLongVolatile(COMMITTED_OFFSET);
    }

    long inFlightIndex()
    {
        return buffer.getLongVolatile(IN_FLIGHT_OFFSET);
    }

    /**
     * A callback for the frame at {@code index} is about to run: recorded before any of its effects.
     */
    void begin(final long index)
    {
        buffer.putLongVolatile(IN_FLIGHT_OFFSET, index);
        // A volatile store may still be reordered with later plain stores of the callback; the fence forbids it.
        VarHandle.fullFence();
    }

    /**
     * The frame at {@code index} is done: its callback returned, or it had none. Release: after every effect before it.
     */
    void commit(final long index)
    {
        buffer.putLongRelease(COMMITTED_OFFSET, index);
    }

    Path file()
    {
        return file;
    }

    @Override
    public void close()
    {
        IoUtil.unmap(mapped);
        try
        {
            lock.release();
        }
        catch (final IOException ex)
        {
            // Closing the channel releases the lock too.
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(final FileChannel channel)
    {
        if (null != channel)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ex)
            {
                // Nothing more can be done; the file descriptor is released with the process.
            }
        }
    }
}
