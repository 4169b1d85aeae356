package io.ptyq.producer;

import io.ptyq.codec.FrameDescriptor;
import io.ptyq.codec.FrameEncoder;
import io.ptyq.codec.sbe.ExitReason;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Appends frames to the journal, encoding each one in place in the journal's mapped memory.
 * <p>
 * One publisher per thread: it owns a Chronicle appender, which Chronicle serialises with other appenders of the
 * queue under its write lock, so each PTY reader appends its own frames with no hand-off. A document is open only
 * while one frame is encoded; nothing blocks inside it. Output and Input allocate nothing.
 */
public final class JournalPublisher implements AutoCloseable
{
    private final ExcerptAppender appender;
    private final FrameEncoder encoder = new FrameEncoder();
    private final UnsafeBuffer frameBuffer = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[FrameDescriptor.MAX_FRAME_LENGTH]);

    /**
     * @param queue the daemon's journal.
     */
    public JournalPublisher(final SingleChronicleQueue queue)
    {
        this.appender = queue.createAppender();
    }

    /**
     * Append an Output frame.
     *
     * @return the journal index of the frame.
     */
    public long output(
        final long sessionId, final long streamPosition, final long timestampNs,
        final DirectBuffer src, final int srcOffset, final int length)
    {
        final int frameLength = FrameDescriptor.outputFrameLength(length);
        try (DocumentContext dc = appender.writingDocument())
        {
            encoder.encodeOutput(wrapForWrite(dc, frameLength), 0, sessionId, streamPosition, timestampNs,
                src, srcOffset, length);
        }

        return appender.lastIndexAppended();
    }

    /**
     * Append an Input frame.
     *
     * @return the journal index of the frame.
     */
    public long input(
        final long sessionId, final long position, final long timestampNs,
        final byte[] src, final int srcOffset, final int length)
    {
        final int frameLength = FrameDescriptor.outputFrameLength(length);
        try (DocumentContext dc = appender.writingDocument())
        {
            encoder.encodeInput(wrapForWrite(dc, frameLength), 0, sessionId, position, timestampNs,
                src, srcOffset, length);
        }

        return appender.lastIndexAppended();
    }

    /**
     * Append a SessionStarted frame.
     *
     * @return the journal index of the frame.
     */
    public long sessionStarted(
        final long sessionId, final long timestampNs, final int pid, final int cols, final int rows,
        final String name, final String command, final String workingDir)
    {
        final int length = encoder.encodeSessionStarted(
            scratch, 0, sessionId, timestampNs, pid, cols, rows, name, command, workingDir);

        return appendScratch(length);
    }

    /**
     * Append a Resized frame.
     *
     * @return the journal index of the frame.
     */
    public long resized(final long sessionId, final long timestampNs, final int cols, final int rows)
    {
        return appendScratch(encoder.encodeResized(scratch, 0, sessionId, timestampNs, cols, rows));
    }

    /**
     * Append a Marker frame.
     *
     * @return the journal index of the frame.
     */
    public long marker(final long sessionId, final long timestampNs, final String label)
    {
        return appendScratch(encoder.encodeMarker(scratch, 0, sessionId, timestampNs, label));
    }

    /**
     * Append a SessionExited frame.
     *
     * @return the journal index of the frame.
     */
    public long sessionExited(
        final long sessionId, final long timestampNs, final int exitCode, final int signal,
        final ExitReason reason, final long totalOutputBytes, final String detail)
    {
        return appendScratch(encoder.encodeSessionExited(
            scratch, 0, sessionId, timestampNs, exitCode, signal, reason, totalOutputBytes, detail));
    }

    private long appendScratch(final int length)
    {
        try (DocumentContext dc = appender.writingDocument())
        {
            wrapForWrite(dc, length).putBytes(0, scratch, 0, length);
        }

        return appender.lastIndexAppended();
    }

    private UnsafeBuffer wrapForWrite(final DocumentContext dc, final int length)
    {
        final Bytes<?> bytes = dc.wire().bytes();
        final long position = bytes.writePosition();
        bytes.writeSkip(length);
        if (!bytes.bytesStore().inside(position, length))
        {
            // Cannot happen while frames stay under a quarter of the block size; never write through a split view.
            throw new IllegalStateException("frame of " + length + " bytes is not contiguous in the journal");
        }
        frameBuffer.wrap(bytes.addressForWrite(position), length);

        return frameBuffer;
    }

    @Override
    public void close()
    {
        appender.close();
    }
}
