package io.ptyq.bridge;

import io.ptyq.codec.FrameDescriptor;
import io.ptyq.codec.sbe.ResizedDecoder;
import io.ptyq.codec.sbe.SessionExitedDecoder;
import io.ptyq.codec.sbe.SessionStartedDecoder;
import io.ptyq.consumer.JournalAdapter;
import io.ptyq.consumer.JournalListener;
import io.ptyq.consumer.JournalReader;
import io.ptyq.consumer.SessionFilter;
import io.ptyq.consumer.StartPosition;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static io.ptyq.bridge.BridgeProtocol.MAX_OUTPUT_PAYLOAD;
import static io.ptyq.bridge.BridgeProtocol.OUTPUT_HEADER_LENGTH;

/**
 * One page's view of one session over one WebSocket: reads the session's frames from the journal in place and
 * writes them once, into its {@link SendRing}, as protocol messages. Stops reading the journal while the bytes sent
 * but not acknowledged are above the high watermark and starts again below the low one, so a slow page holds only
 * its own reader back and loses nothing.
 * <p>
 * The WebSocket's threads call {@link #onResume}, {@link #onAck}, {@link #notice} and {@link #requestClose}; the
 * bridge agent's thread does everything else.
 */
final class Viewer implements JournalListener
{
    /**
     * Room kept free before reading a frame: its output split into messages, one wrap-around, and small messages.
     */
    static final int FRAME_RESERVE = FrameDescriptor.MAX_OUTPUT_DATA_LENGTH +
        (FrameDescriptor.MAX_OUTPUT_DATA_LENGTH / MAX_OUTPUT_PAYLOAD + 2) * OUTPUT_HEADER_LENGTH +
        2 * (OUTPUT_HEADER_LENGTH + MAX_OUTPUT_PAYLOAD) + 4096;
    private static final int SLOT_RESERVE = FrameDescriptor.MAX_OUTPUT_DATA_LENGTH / MAX_OUTPUT_PAYLOAD + 8;
    private static final int FRAMES_PER_TURN = 256;
    private static final int MAX_NOTICE_BYTES = 1024;
    private static final long UNKNOWN = Long.MIN_VALUE;

    private final Session session;
    private final Runnable waker;
    private final long sessionId;
    private final int highWatermark;
    private final int lowWatermark;
    private final SendRing ring;
    private final AtomicLong ackedPosition = new AtomicLong();
    private final Queue<String> notices = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile long sentPosition;
    private long queuedPosition;
    private volatile boolean resumeRequested;
    private volatile boolean closeRequested;
    private long resumePosition;
    private boolean replay;
    private boolean writable;

    private JournalAdapter adapter;
    private boolean started;
    private boolean ended;
    private boolean paused;
    private long startTimestampNs = UNKNOWN;
    private boolean reachedResume;
    private int pendingCols;
    private int pendingRows;
    private long pendingResizeNs;
    private int messageOffset = -1;
    private int messagePayload;
    private long messageEndPosition;

    Viewer(final Session session, final long sessionId, final BridgeServer.Context ctx, final Runnable waker)
    {
        this.session = session;
        this.waker = waker;
        this.sessionId = sessionId;
        this.highWatermark = ctx.highWatermark();
        this.lowWatermark = ctx.lowWatermark();
        this.ring = new SendRing(ctx.sendRingBytes(), ctx.sendRingMessages());
    }

    /**
     * @return the session viewed.
     */
    long sessionId()
    {
        return sessionId;
    }

    /**
     * @return whether the page presented the write token.
     */
    boolean writable()
    {
        return writable;
    }

    /**
     * @return whether RESUME has arrived.
     */
    boolean resumed()
    {
        return resumeRequested;
    }

    /**
     * The page's RESUME; called once, on a WebSocket thread.
     *
     * @param position where the page's output ends.
     * @param replay   one message per frame.
     * @param writable whether it presented the write token.
     */
    void onResume(final long position, final boolean replay, final boolean writable)
    {
        this.resumePosition = position;
        this.replay = replay;
        this.writable = writable;
        this.sentPosition = position;
        this.queuedPosition = position;
        this.ackedPosition.set(position);
        this.resumeRequested = true;
        waker.run();
    }

    /**
     * The page processed output up to {@code position}.
     *
     * @param position the end of what it processed.
     * @return false if that is beyond what was sent, a protocol error.
     */
    boolean onAck(final long position)
    {
        if (position > sentPosition)
        {
            return false;
        }
        final long acked = ackedPosition.accumulateAndGet(position, Math::max);
        if (sentPosition - acked <= lowWatermark)
        {
            // A stopped reader may go on now: do not let it sleep out its idle wait.
            waker.run();
        }

        return true;
    }

    /**
     * Queue a line for the page, sent in order with the output.
     *
     * @param text one line.
     */
    void notice(final String text)
    {
        notices.offer(text);
        waker.run();
    }

    /**
     * Stop: the socket closed or is closing.
     */
    void requestClose()
    {
        closeRequested = true;
    }

    /**
     * @return whether the viewer is done and may be released.
     */
    boolean isClosed()
    {
        return closeRequested;
    }

    /**
     * Whether this viewer has nothing to do until a page's message wakes the agent: it is stopped at its high
     * watermark (the ACK that brings it to the low one wakes the agent), has sent its session's end, or has no
     * RESUME yet (which wakes the agent too). On the agent's thread, after {@link #doWork}.
     *
     * @return whether the agent may wait long for this viewer's sake.
     */
    boolean waitsForWakeUp()
    {
        return !resumeRequested ||
            ((paused || ended) && !closeRequested && notices.isEmpty() && null == ring.failure());
    }

    /**
     * @return bytes read for the page, sent or about to be, but not yet acknowledged.
     */
    long unacknowledged()
    {
        return queuedPosition - ackedPosition.get();
    }

    /**
     * Send what the journal holds for the page, as far as flow control lets it.
     *
     * @param reader    the journal.
     * @param directory where sessions start.
     * @return work done.
     */
    int doWork(final JournalReader reader, final SessionDirectory directory)
    {
        if (closeRequested || !resumeRequested)
        {
            return 0;
        }
        if (null != ring.failure())
        {
            closeRequested = true;
            return 1;
        }
        int work = 0;
        if (!started)
        {
            start(reader, directory);
            work++;
        }
        work += sendNotices();
        if (ended)
        {
            return work;
        }

        final long unacked = unacknowledged();
        if (paused && unacked <= lowWatermark)
        {
            paused = false;
        }
        else if (!paused && unacked >= highWatermark)
        {
            paused = true;
        }
        if (paused)
        {
            return work;
        }

        int frames = 0;
        while (frames < FRAMES_PER_TURN && !ended && hasRoomForFrame() && unacknowledged() < highWatermark)
        {
            if (0 == adapter.poll(1))
            {
                break;
            }
            frames++;
        }
        // End of the batch: what was coalesced goes out now.
        flushOutput();

        return work + frames;
    }

    private void start(final JournalReader reader, final SessionDirectory directory)
    {
        started = true;
        reachedResume = 0 == resumePosition;
        final long startIndex = directory.startIndex(sessionId);
        // Without its start in the journal (retention removed it) the session's oldest frames are at the beginning.
        final StartPosition start = startIndex >= 0 ? StartPosition.index(startIndex) : StartPosition.beginning();
        try
        {
            adapter = reader.adapter(this, start, SessionFilter.only(sessionId));
        }
        catch (final IllegalArgumentException ex)
        {
            // Retention removed the start's cycle since it was seen: what is left begins at the journal's start.
            adapter = reader.adapter(this, StartPosition.beginning(), SessionFilter.only(sessionId));
        }

        final UnsafeBuffer buffer = ring.buffer();
        int offset = ring.open(BridgeProtocol.HELLO_LENGTH);
        buffer.putByte(offset, BridgeProtocol.HELLO);
        buffer.putByte(offset + 1, (byte)(writable ? BridgeProtocol.HELLO_WRITABLE : 0));
        buffer.putInt(offset + 2, highWatermark);
        buffer.putInt(offset + 6, lowWatermark);
        send(ring.close(BridgeProtocol.HELLO_LENGTH));

        offset = ring.open(BridgeProtocol.POSITION_LENGTH);
        buffer.putByte(offset, BridgeProtocol.POSITION);
        buffer.putLong(offset + 1, resumePosition);
        send(ring.close(BridgeProtocol.POSITION_LENGTH));
    }

    private int sendNotices()
    {
        int sent = 0;
        String text;
        while (ring.freeSlots() > SLOT_RESERVE && ring.freeBytes() > FRAME_RESERVE + MAX_NOTICE_BYTES &&
            null != (text = notices.poll()))
        {
            flushOutput();
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            if (bytes.length > MAX_NOTICE_BYTES - 1)
            {
                bytes = java.util.Arrays.copyOf(bytes, MAX_NOTICE_BYTES - 1);
            }
            final int offset = ring.open(1 + bytes.length);
            ring.buffer().putByte(offset, BridgeProtocol.NOTICE);
            ring.buffer().putBytes(offset + 1, bytes);
            send(ring.close(1 + bytes.length));
            sent++;
        }

        return sent;
    }

    private boolean hasRoomForFrame()
    {
        return ring.freeBytes() >= FRAME_RESERVE && ring.freeSlots() >= SLOT_RESERVE;
    }

    @Override
    public void onSessionStarted(final long index, final SessionStartedDecoder decoder)
    {
        startTimestampNs = decoder.timestampNs();
        resize(decoder.cols(), decoder.rows(), 0);
    }

    @Override
    public void onOutput(
        final long index, final long sessionId, final long streamPosition, final long timestampNs,
        final DirectBuffer buffer, final int offset, final int length)
    {
        if (UNKNOWN == startTimestampNs)
        {
            startTimestampNs = timestampNs;
        }
        final long end = streamPosition + length;
        if (end <= resumePosition || 0 == length)
        {
            // The page holds these already.
            if (end == resumePosition)
            {
                reachResume();
            }
            return;
        }
        reachResume();
        final int skip = resumePosition > streamPosition ? (int)(resumePosition - streamPosition) : 0;
        long position = streamPosition + skip;
        int from = offset + skip;
        int remaining = length - skip;
        final long timeNs = timestampNs - startTimestampNs;
        final UnsafeBuffer ringBuffer = ring.buffer();
        while (remaining > 0)
        {
            if (messageOffset >= 0 && (position != messageEndPosition || messagePayload == MAX_OUTPUT_PAYLOAD))
            {
                flushOutput();
            }
            if (messageOffset < 0)
            {
                messageOffset = ring.open(OUTPUT_HEADER_LENGTH + MAX_OUTPUT_PAYLOAD);
                if (messageOffset < 0)
                {
                    // FRAME_RESERVE makes this impossible; failing loudly beats sending a stream with a hole.
                    throw new IllegalStateException("send ring full in the middle of a frame");
                }
                ringBuffer.putByte(messageOffset, BridgeProtocol.OUTPUT);
                ringBuffer.putLong(messageOffset + 1, position);
                ringBuffer.putLong(messageOffset + 9, timeNs);
                messagePayload = 0;
            }
            final int chunk = Math.min(remaining, MAX_OUTPUT_PAYLOAD - messagePayload);
            buffer.getBytes(from, ringBuffer, messageOffset + OUTPUT_HEADER_LENGTH + messagePayload, chunk);
            messagePayload += chunk;
            position += chunk;
            from += chunk;
            remaining -= chunk;
            messageEndPosition = position;
        }
        queuedPosition = position;
        if (replay)
        {
            // The page times every frame by its own timestamp.
            flushOutput();
        }
    }

    @Override
    public void onResized(final long index, final ResizedDecoder decoder)
    {
        resize(decoder.cols(), decoder.rows(), relativeNs(decoder.timestampNs()));
    }

    /**
     * Before the resume position only the latest size matters to the page, which restored a screen of its own:
     * keep it and send it where the page's stream continues.
     */
    private void resize(final int cols, final int rows, final long timeNs)
    {
        if (reachedResume)
        {
            sendResize(cols, rows, timeNs);
        }
        else
        {
            pendingCols = cols;
            pendingRows = rows;
            pendingResizeNs = timeNs;
        }
    }

    private void reachResume()
    {
        if (!reachedResume)
        {
            reachedResume = true;
            if (pendingCols > 0)
            {
                sendResize(pendingCols, pendingRows, pendingResizeNs);
            }
        }
    }

    @Override
    public void onSessionExited(final long index, final SessionExitedDecoder decoder)
    {
        reachResume();
        flushOutput();
        final UnsafeBuffer buffer = ring.buffer();
        final int offset = ring.open(BridgeProtocol.EXIT_LENGTH);
        buffer.putByte(offset, BridgeProtocol.EXIT);
        buffer.putInt(offset + 1, decoder.exitCode());
        buffer.putInt(offset + 5, decoder.signal());
        buffer.putLong(offset + 9, decoder.totalOutputBytes());
        buffer.putLong(offset + 17, relativeNs(decoder.timestampNs()));
        send(ring.close(BridgeProtocol.EXIT_LENGTH));
        ended = true;
    }

    private void sendResize(final int cols, final int rows, final long timeNs)
    {
        flushOutput();
        final UnsafeBuffer buffer = ring.buffer();
        final int offset = ring.open(BridgeProtocol.RESIZE_LENGTH);
        buffer.putByte(offset, BridgeProtocol.RESIZE);
        buffer.putShort(offset + 1, (short)cols);
        buffer.putShort(offset + 3, (short)rows);
        buffer.putLong(offset + 5, timeNs);
        send(ring.close(BridgeProtocol.RESIZE_LENGTH));
    }

    private long relativeNs(final long timestampNs)
    {
        return UNKNOWN == startTimestampNs ? 0 : timestampNs - startTimestampNs;
    }

    private void flushOutput()
    {
        if (messageOffset >= 0)
        {
            messageOffset = -1;
            // Before the send: the page may acknowledge these bytes as soon as they leave.
            sentPosition = messageEndPosition;
            send(ring.close(OUTPUT_HEADER_LENGTH + messagePayload));
        }
    }

    private void send(final ByteBuffer message)
    {
        session.sendBinary(message, ring);
    }

    /**
     * Close the socket with a reason, from any thread.
     *
     * @param statusCode the WebSocket close code.
     * @param reason     one line, at most 123 bytes of UTF-8.
     */
    void close(final int statusCode, final String reason)
    {
        closeRequested = true;
        // The first reason given is the one the page sees.
        if (closing.compareAndSet(false, true))
        {
            session.close(statusCode, reason, Callback.NOOP);
        }
    }

    @Override
    public String toString()
    {
        // Read from other threads for diagnostics only: a racy but harmless view.
        return "Viewer{session=" + sessionId + ", sent=" + sentPosition + ", acked=" + ackedPosition.get() +
            ", paused=" + paused + ", ended=" + ended + ", ringFree=" + ring.freeBytes() + ", slotsFree=" +
            ring.freeSlots() + ", closed=" + closeRequested + "}";
    }

    /**
     * Release the journal reader; on the agent's thread once the viewer is closed.
     */
    void release()
    {
        closeRequested = true;
        if (null != adapter)
        {
            adapter.close();
            adapter = null;
        }
        if (session.isOpen())
        {
            close(1001, "the server is stopping");
        }
    }
}
