package io.ptyq.consumer;

import io.ptyq.codec.FrameDescriptor;
import io.ptyq.codec.FrameEncoder;
import io.ptyq.codec.sbe.ExitReason;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Writes a real journal, the way the daemon lays it out, with frame timestamps the test chooses; the writer side of
 * replay and cat tests (consumer cannot depend on producer).
 */
final class TimedJournal implements AutoCloseable
{
    /**
     * A session start in epoch ns, fixed so tests read like "frame at 1.5 s".
     */
    public static final long START_NS = 1_795_000_000_000_000_000L;

    private final SingleChronicleQueue queue;
    private final ExcerptAppender appender;
    private final FrameEncoder encoder = new FrameEncoder();
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[FrameDescriptor.MAX_OUTPUT_DATA_LENGTH + 4096]);
    private final Map<Long, Long> positions = new HashMap<>();

    private TimedJournal(final Path dir)
    {
        queue = SingleChronicleQueueBuilder.binary(dir).rollCycle(RollCycles.FAST_HOURLY).blockSize(16L << 20).build();
        appender = queue.createAppender();
    }

    /**
     * @param dir the journal directory.
     * @return a writer appending to it.
     */
    public static TimedJournal open(final Path dir)
    {
        return new TimedJournal(dir);
    }

    /**
     * Journal a SessionStarted at {@code atMs} after {@link #START_NS}.
     *
     * @return this.
     */
    public TimedJournal started(final long sessionId, final long atMs, final String name)
    {
        append(encoder.encodeSessionStarted(scratch, 0, sessionId, timestampNs(atMs), 1000 + (int)sessionId, 80, 24,
            name, "sh\0", "/"));
        positions.put(sessionId, 0L);

        return this;
    }

    /**
     * Journal an Output of {@code text} (UTF-8) at {@code atMs} after {@link #START_NS}.
     *
     * @return this.
     */
    public TimedJournal output(final long sessionId, final long atMs, final String text)
    {
        return output(sessionId, atMs, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Journal an Output of {@code data} at {@code atMs} after {@link #START_NS}.
     *
     * @return this.
     */
    public TimedJournal output(final long sessionId, final long atMs, final byte[] data)
    {
        final long position = positions.getOrDefault(sessionId, 0L);
        append(encoder.encodeOutput(scratch, 0, sessionId, position, timestampNs(atMs), data, 0, data.length));
        positions.put(sessionId, position + data.length);

        return this;
    }

    /**
     * Journal a SessionExited at {@code atMs} after {@link #START_NS}.
     *
     * @return this.
     */
    public TimedJournal exited(final long sessionId, final long atMs)
    {
        append(encoder.encodeSessionExited(scratch, 0, sessionId, timestampNs(atMs), 0, 0, ExitReason.EXITED,
            positions.getOrDefault(sessionId, 0L), ""));

        return this;
    }

    /**
     * @return the epoch ns of {@code atMs} after {@link #START_NS}.
     */
    public static long timestampNs(final long atMs)
    {
        return START_NS + atMs * 1_000_000L;
    }

    private void append(final int length)
    {
        try (DocumentContext dc = appender.writingDocument())
        {
            dc.wire().bytes().write(scratch.byteArray(), 0, length);
        }
    }

    @Override
    public void close()
    {
        appender.close();
        queue.close();
    }
}
