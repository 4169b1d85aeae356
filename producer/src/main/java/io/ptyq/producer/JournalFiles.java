package io.ptyq.producer;

import io.ptyq.codec.FrameDescriptor;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.StoreFileListener;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The journal's on-disk form: one Chronicle Queue directory, owner-only, rolled hourly.
 * <p>
 * Hourly cycles ({@link RollCycles#FAST_HOURLY}) make retention precise to the hour and keep each file to one hour of
 * output, while leaving room for 2^32 frames an hour. The 16 MiB block size gives a 4 MiB contiguous overlap, four
 * times {@link FrameDescriptor#MAX_FRAME_LENGTH}, so every frame can be written and read in place.
 */
public final class JournalFiles
{
    /**
     * The journal's roll cycle.
     */
    public static final RollCycle ROLL_CYCLE = RollCycles.FAST_HOURLY;

    /**
     * Test-only system property naming another roll cycle (a {@link RollCycles} or {@link TestRollCycles} constant,
     * such as {@code TEST_SECONDLY}), so soak tests cross many cycles in minutes. Not for production journals.
     */
    public static final String ROLL_CYCLE_PROPERTY = "ptyq.test.roll.cycle";

    /**
     * Bytes Chronicle maps at a time; a quarter of it is the contiguous overlap that bounds a frame.
     */
    public static final long BLOCK_SIZE = 16L << 20;

    /**
     * Permissions of the journal directory.
     */
    public static final Set<PosixFilePermission> DIR_PERMISSIONS = PosixFilePermissions.fromString("rwx------");

    /**
     * Permissions of every file in the journal directory.
     */
    public static final Set<PosixFilePermission> FILE_PERMISSIONS = PosixFilePermissions.fromString("rw-------");

    static
    {
        if (BLOCK_SIZE / 4 < FrameDescriptor.MAX_FRAME_LENGTH)
        {
            throw new IllegalStateException("journal block overlap is smaller than the largest frame");
        }
    }

    private JournalFiles()
    {
    }

    /**
     * Create the journal directory if needed and make it and everything in it owner-only, whatever the umask.
     *
     * @param dir the journal directory.
     */
    public static void secureDirectory(final Path dir)
    {
        try
        {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, DIR_PERMISSIONS);
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir))
            {
                for (final Path file : files)
                {
                    if (Files.isRegularFile(file))
                    {
                        Files.setPosixFilePermissions(file, FILE_PERMISSIONS);
                    }
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot secure journal directory " + dir + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Make one journal file owner-only.
     *
     * @param file the file.
     */
    public static void secureFile(final File file)
    {
        try
        {
            if (file.exists())
            {
                Files.setPosixFilePermissions(file.toPath(), FILE_PERMISSIONS);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot secure journal file " + file + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * @param dir the journal directory.
     * @return the bytes its files take (their lengths; Chronicle's files are sparse, so the disk may hold less), or -1
     * if it cannot be listed.
     */
    public static long sizeOf(final Path dir)
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.mapToLong(file -> file.toFile().length()).sum();
        }
        catch (final IOException | UncheckedIOException ex)
        {
            return -1;
        }
    }

    /**
     * Open the journal for appending; every cycle file is made owner-only as it is acquired.
     *
     * @param dir the journal directory, already secured.
     * @return the queue.
     */
    public static SingleChronicleQueue openForWrite(final Path dir)
    {
        final SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(dir)
            .rollCycle(rollCycle())
            .blockSize(BLOCK_SIZE)
            .storeFileListener(new SecuringListener())
            .build();
        secureDirectory(dir);

        return queue;
    }

    /**
     * @return {@link #ROLL_CYCLE}, unless a test named another in {@link #ROLL_CYCLE_PROPERTY}.
     * @throws IllegalArgumentException if the property names no roll cycle.
     */
    public static RollCycle rollCycle()
    {
        final String name = System.getProperty(ROLL_CYCLE_PROPERTY);
        if (null == name || name.isEmpty())
        {
            return ROLL_CYCLE;
        }
        for (final TestRollCycles cycle : TestRollCycles.values())
        {
            if (cycle.name().equals(name))
            {
                return cycle;
            }
        }
        for (final RollCycles cycle : RollCycles.values())
        {
            if (cycle.name().equals(name))
            {
                return cycle;
            }
        }
        throw new IllegalArgumentException("-D" + ROLL_CYCLE_PROPERTY + "=" + name + " names no roll cycle");
    }

    /**
     * Owner-only permissions for each cycle file Chronicle creates.
     */
    static final class SecuringListener implements StoreFileListener
    {
        @Override
        public boolean isActive()
        {
            return true;
        }

        @Override
        public void onAcquired(final int cycle, final File file)
        {
            secureFile(file);
        }

        @Override
        public void onReleased(final int cycle, final File file)
        {
        }
    }
}
