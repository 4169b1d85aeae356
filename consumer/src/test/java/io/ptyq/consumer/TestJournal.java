package io.ptyq.consumer;

import io.ptyq.codec.FrameDescriptor;
import io.ptyq.codec.FrameEncoder;
import io.ptyq.codec.sbe.ExitReason;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Writes a real journal the way the daemon does (same roll cycle and block size, frames encoded in place), for tests
 * of the consumer, which cannot depend on the producer. One writer thread; allocates only for text frames.
 */
public final class TestJournal implements AutoCloseable
{
    static final long BLOCK_SIZE = 16L << 20;
    static final long HOUR_MS = 3_600_000L;

    private final SingleChronicleQueue queue;
    private final ExcerptAppender appender;
    private final FrameEncoder encoder = new FrameEncoder();
    private final UnsafeBuffer frame = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[FrameDescriptor.MAX_FRAME_LENGTH]);

    private TestJournal(final Path dir, final TimeProvider time)
    {
        queue = SingleChronicleQueueBuilder.binary(dir).rollCycle(RollCycles.FAST_HOURLY).blockSize(BLOCK_SIZE)
            .timeProvider(time).build();
        appender = queue.createAppender();
    }

    /**
     * A journal whose cycles follow the wall clock.
     */
    public static TestJournal open(final Path dir)
    {
        return new TestJournal(dir, SystemTimeProvider.INSTANCE);
    }

    /**
     * A journal whose cycles follow {@code time}: advance it an hour to start a new cycle file.
     */
    static TestJournal open(final Path dir, final SetTimeProvider time)
    {
        return new TestJournal(dir, time);
    }

    public long sessionStarted(final long sessionId, final long timestampNs, final String name)
    {
        return append(encoder.encodeSessionStarted(scratch, 0, sessionId, timestampNs, 42, 80, 24, name, "sh\0", "/"));
    }

    public long output(final long sessionId, final long streamPosition, final long timestampNs, final byte[] data)
    {
        return output(sessionId, streamPosition, timestampNs, data, 0, data.length);
    }

    public long output(
        final long sessionId, final long streamPosition, final long timestampNs, final byte[] data, final int offset,
        final int length)
    {
        final int frameLength = FrameDescriptor.outputFrameLength(length);
        try (DocumentContext dc = appender.writingDocument())
        {
            encoder.encodeOutput(wrap(dc, frameLength), 0, sessionId, streamPosition, timestampNs, data, offset,
                length);
        }

        return appender.lastIndexAppended();
    }

    public long marker(final long sessionId, final long timestampNs, final String label)
    {
        return append(encoder.encodeMarker(scratch, 0, sessionId, timestampNs, label));
    }

    public long resized(final long sessionId, final long timestampNs, final int cols, final int rows)
    {
        return append(encoder.encodeResized(scratch, 0, sessionId, timestampNs, cols, rows));
    }

    public long exited(final long sessionId, final long timestampNs, final long totalOutputBytes)
    {
        return append(encoder.encodeSessionExited(
            scratch, 0, sessionId, timestampNs, 0, 0, ExitReason.EXITED, totalOutputBytes, ""));
    }

    public long sessionStarted(
        final long sessionId, final long timestampNs, final int cols, final int rows, final String name,
        final String command)
    {
        return append(encoder.encodeSessionStarted(
            scratch, 0, sessionId, timestampNs, 42, cols, rows, name, command, "/"));
    }

    public long input(final long sessionId, final long position, final long timestampNs, final byte[] data)
    {
        try (DocumentContext dc = appender.writingDocument())
        {
            encoder.encodeInput(wrap(dc, FrameDescriptor.outputFrameLength(data.length)), 0, sessionId, position,
                timestampNs, data, 0, data.length);
        }

        return appender.lastIndexAppended();
    }

    public long exited(
        final long sessionId, final long timestampNs, final int exitCode, final int signal, final ExitReason reason,
        final long totalOutputBytes)
    {
        return append(encoder.encodeSessionExited(
            scratch, 0, sessionId, timestampNs, exitCode, signal, reason, totalOutputBytes, ""));
    }

    /**
     * Append bytes that are not a valid frame.
     */
    long garbage(final byte[] bytes)
    {
        try (DocumentContext dc = appender.writingDocument())
        {
            wrap(dc, bytes.length).putBytes(0, bytes);
        }

        return appender.lastIndexAppended();
    }

    /**
     * Let the calling thread write from now on: Chronicle appenders check that one thread uses them.
     */
    void moveToThisThread()
    {
        appender.singleThreadedCheckReset();
    }

    long lastIndex()
    {
        return queue.lastIndex();
    }

    SingleChronicleQueue queue()
    {
        return queue;
    }

    private long append(final int length)
    {
        try (DocumentContext dc = appender.writingDocument())
        {
            wrap(dc, length).putBytes(0, scratch, 0, length);
        }

        return appender.lastIndexAppended();
    }

    private UnsafeBuffer wrap(final DocumentContext dc, final int length)
    {
        final Bytes<?> bytes = dc.wire().bytes();
        final long position = bytes.writePosition();
        bytes.writeSkip(length);
        frame.wrap(bytes.addressForWrite(position), length);
        return frame;
    }

    /**
     * @return the journal's cycle files, oldest first.
     */
    static List<Path> cycleFiles(final Path dir)
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.filter(file -> file.toString().endsWith(".cq4")).sorted().collect(Collectors.toList());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    @Override
    public void close()
    {
        appender.close();
        queue.close();
    }
}
