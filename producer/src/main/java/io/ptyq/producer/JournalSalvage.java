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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.text.SimpleDateFormat;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TimeZone;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Before a writer opens the journal, two repairs that readers do not need (they skip damage) but a writer does.
 * A cycle file that does not start with a cycle header is moved aside ({@link #quarantineUnreadableCycles}).
 * If the newest cycle file was cut short inside a frame (a copy that stopped, a disk that filled under a crash),
 * appending to it would put new frames behind the tear where no reader finds them: the frames before the tear are
 * copied, in order and with their sequence numbers, into a new file for the same cycle
 * ({@link #salvageNewestCycle}). Damaged files are kept beside the journal's as {@code NAME.cq4.damaged-MILLIS},
 * out of its listing.
 * <p>
 * A cut that falls exactly between two frames looks like a clean end and is not detected here.
 */
final class JournalSalvage
{
    private static final String SUFFIX = ".cq4";
    private static final String WORK_DIR = ".salvage";
    private static final int HEADER_LENGTH = 4;
    private static final int LENGTH_MASK = 0x3FFF_FFFF;
    private static final int META_DATA = 0x4000_0000;
    private static final int NOT_COMPLETE = 0x8000_0000;
    private static final int HEADER_PROBE_LENGTH = 64;
    private static final String STORE_TYPE = "SCQStore";

    private JournalSalvage()
    {
    }

    /**
     * Move aside every cycle file that does not start with a journal cycle's header (garbage where a cycle was):
     * readers skip such a file already, but Chronicle's appender visits older cycles when it opens and would stop the
     * writer there, or wait on it. Call while holding the journal's mark file and before opening it for writing.
     *
     * @param dir the journal directory.
     * @param log told of each file moved, in one line.
     * @return how many files were moved aside.
     */
    static int quarantineUnreadableCycles(final Path dir, final Consumer<String> log)
    {
        int moved = 0;
        for (final Path file : cycleFiles(dir))
        {
            try
            {
                if (!hasCycleHeader(file))
                {
                    final Path kept = keptName(file);
                    Files.move(file, kept, StandardCopyOption.ATOMIC_MOVE);
                    log.accept("ERROR: journal file " + file.getFileName() + " does not start with a journal cycle's " +
                        "header: moved aside as " + kept.getFileName() + " (the frames in it are lost; the rest of " +
                        "the journal reads as before)");
                    moved++;
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot check journal file " + file + ": " + ex.getMessage(), ex);
            }
        }

        return moved;
    }

    /**
     * @return false if the file's first document is not a complete metadata document naming Chronicle's cycle store;
     * true for a valid header and for a file whose header was never written (zeros), which Chronicle initialises.
     */
    static boolean hasCycleHeader(final Path file) throws IOException
    {
        final ByteBuffer start = ByteBuffer.allocate(HEADER_PROBE_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            while (start.hasRemaining() && channel.read(start) > 0)
            {
                // Read what the file has of its start.
            }
        }
        start.flip();
        if (start.limit() < HEADER_LENGTH)
        {
            return 0 == start.limit();
        }
        final int header = start.getInt(0);
        if (0 == header)
        {
            return true;
        }
        if ((header & META_DATA) == 0 || (header & NOT_COMPLETE) != 0)
        {
            return false;
        }
        final String text = new String(start.array(), HEADER_LENGTH, start.limit() - HEADER_LENGTH,
            StandardCharsets.ISO_8859_1);
        return text.contains(STORE_TYPE);
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
            final Path work = dir.resolve(WORK_DIR);
            final long copied = rebuild(work, file, rollCycle, map, tornAt);
            final Path kept = keptName(file);
            Files.move(file, kept, StandardCopyOption.ATOMIC_MOVE);
            Files.move(work.resolve(file.getFileName()), file, StandardCopyOption.ATOMIC_MOVE);
            JournalFiles.secureFile(file.toFile());
            deleteRecursively(work);
            log.accept("ERROR: journal file " + file.getFileName() + " was cut short inside the frame at byte " +
                tornAt + " (file length " + size + "): its " + copied + " whole frames were copied into a new " +
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

    /**
     * Copy the data documents before {@code tornAt} into a new file for the same cycle in {@code work}.
     *
     * @return how many were copied.
     */
    private static long rebuild(
        final Path work, final Path file, final RollCycle rollCycle, final ByteBuffer map, final long tornAt)
        throws IOException
    {
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

    private static Path keptName(final Path file)
    {
        return file.resolveSibling(file.getFileName() + ".damaged-" + System.currentTimeMillis());
    }

    private static Optional<Path> newestCycleFile(final Path dir)
    {
        final List<Path> files = cycleFiles(dir);
        return files.isEmpty() ? Optional.empty() : Optional.of(files.get(files.size() - 1));
    }

    /**
     * @return the cycle files of {@code dir}, oldest first (their names sort by time).
     */
    private static List<Path> cycleFiles(final Path dir)
    {
        if (!Files.isDirectory(dir))
        {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir))
        {
            return files.filter((path) -> path.getFileName().toString().endsWith(SUFFIX))
                .sorted(Comparator.comparing((path) -> path.getFileName().toString()))
                .toList();
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
