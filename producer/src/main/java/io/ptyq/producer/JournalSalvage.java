package io.ptyq.producer;

import io.ptyq.codec.FrameDescriptor;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.text.SimpleDateFormat;
import java.util.Comparator;
import java.util.Optional;
import java.util.TimeZone;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Before a writer opens the journal: if the newest cycle file was cut short inside a frame (a copy that stopped, a
 * disk that filled under a crash), appending to it would put new frames behind the tear where no reader finds them.
 * The frames before the tear are copied, in order and with their sequence numbers, into a new file for the same
 * cycle; the damaged file is kept beside it as {@code NAME.cq4.damaged-MILLIS}, out of the journal's listing.
 * <p>
 * A cut that falls exactly between two frames looks like a clean end and is not detected here.
 */
final class JournalSalvage
{
    private static final String SUFFIX = ".cq4";
    private static final int HEADER_LENGTH = 4;
    private static final int LENGTH_MASK = 0x3FFF_FFFF;
    private static final int META_DATA = 0x4000_0000;
    private static final int NOT_COMPLETE = 0x8000_0000;

    private JournalSalvage()
    {
    }

    /**
     * Check the newest cycle file of {@code dir} and rebuild it if it is torn. Call while holding the journal's mark
     * file and before opening the journal for writing.
     *
     * @param dir       the journal directory.
     * @param rollCycle the journal's roll cycle.
     * @param log       told what was rebuilt, in one line.
     * @return true if a file was rebuilt.
     */
    static boolean salvageNewestCycle(final Path dir, final RollCycle rollCycle, final Consumer<String> log)
    {
        final Optional<Path> newest = newestCycleFile(dir);
        if (newest.isEmpty())
        {
            return false;
        }
        final Path file = newest.get();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final long size = channel.size();
            if (size > Integer.MAX_VALUE)
            {
                return false; // larger than any cycle this journal writes
            }
            final MappedByteBuffer map = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
            map.order(ByteOrder.LITTLE_ENDIAN);
            final long tornAt = tornDocumentPosition(map);
            if (tornAt < 0)
            {
                return false;
            }
            final long copied = rebuild(dir, file, rollCycle, map, tornAt);
            final Path kept = file.resolveSibling(file.getFileName() + ".damaged-" + System.currentTimeMillis());
            Files.move(file, kept, StandardCopyOption.ATOMIC_MOVE);
            Files.move(dir.resolve(".salvage").resolve(file.getFileName()), file, StandardCopyOption.ATOMIC_MOVE);
            JournalFiles.secureFile(file.toFile());
            deleteRecursively(dir.resolve(".salvage"));
            log.accept("ERROR: journal file " + file.getFileName() + " was cut short inside the frame at byte " + tornAt +
                " (file length " + size + "): its " + copied + " whole frames were copied into a new " +
                file.getFileName() + " and the damaged file kept as " + kept.getFileName());
            return true;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot check or rebuild journal file " + file + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * @return the position of the first document whose header or body runs past the end of the file, or -1 if every
     * document is whole up to the end of the data (a zero header) or to an unfinished one.
     */
    static long tornDocumentPosition(final ByteBuffer map)
    {
        final int limit = map.limit();
        int position = 0;
        while (position + HEADER_LENGTH <= limit)
        {
            final int header = map.getInt(position);
            if (0 == header || (header & NOT_COMPLETE) != 0)
            {
                return -1;
            }
            final long end = (long)position + HEADER_LENGTH + (header & LENGTH_MASK);
            if (end > limit)
            {
                return position;
            }
            position = (int)((end + 3) & ~3L);
        }

        return position < limit ? position : -1;
    }

    private static long rebuild(
        final Path dir, final Path file, final RollCycle rollCycle, final ByteBuffer map, final long tornAt)
        throws IOException
    {
        final Path work = dir.resolve(".salvage");
        deleteRecursively(work);
        Files.createDirectory(work, PosixFilePermissions.asFileAttribute(JournalFiles.DIR_PERMISSIONS));
        final long cycleStartMs = cycleStartMs(file, rollCycle);
        long copied = 0;
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(work)
            .rollCycle(rollCycle)
            .blockSize(JournalFiles.BLOCK_SIZE)
            .timeProvider(() -> cycleStartMs)
            .build();
            ExcerptAppender appender = queue.createAppender())
        {
            byte[] frame = new byte[FrameDescriptor.MAX_FRAME_LENGTH];
            int position = 0;
            while (position < tornAt)
            {
                final int header = map.getInt(position);
                final int length = header & LENGTH_MASK;
                if ((header & META_DATA) == 0)
                {
                    if (length > frame.length)
                    {
                        frame = new byte[length];
                    }
                    map.get(position + HEADER_LENGTH, frame, 0, length);
                    try (DocumentContext dc = appender.writingDocument())
                    {
                        dc.wire().bytes().write(frame, 0, length);
                    }
                    copied++;
                }
                position = (position + HEADER_LENGTH + length + 3) & ~3;
            }
        }
        if (!Files.exists(work.resolve(file.getFileName())))
        {
            throw new IOException("the rebuilt cycle was not written as " + file.getFileName());
        }

        return copied;
    }

    private static long cycleStartMs(final Path file, final RollCycle rollCycle) throws IOException
    {
        final String name = file.getFileName().toString();
        final SimpleDateFormat format = new SimpleDateFormat(rollCycle.format());
        format.setTimeZone(TimeZone.getTimeZone("UTC"));
        try
        {
            return format.parse(name.substring(0, name.length() - SUFFIX.length())).getTime();
        }
        catch (final ParseException ex)
        {
            throw new IOException("cannot tell the cycle of " + name + ": " + ex.getMessage(), ex);
        }
    }

    private static Optional<Path> newestCycleFile(final Path dir)
    {
        if (!Files.isDirectory(dir))
        {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(dir))
        {
            return files.filter((path) -> path.getFileName().toString().endsWith(SUFFIX))
                .max(Comparator.comparing((path) -> path.getFileName().toString()));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot list journal " + dir + ": " + ex.getMessage(), ex);
        }
    }

    private static void deleteRecursively(final Path path) throws IOException
    {
        if (!Files.exists(path))
        {
            return;
        }
        try (Stream<Path> walk = Files.walk(path))
        {
            for (final Path each : walk.sorted(Comparator.reverseOrder()).toList())
            {
                Files.delete(each);
            }
        }
    }
}
