package io.ptyq.consumer;

import io.ptyq.codec.FrameDecoder;
import io.ptyq.codec.InvalidFrameException;
import io.ptyq.codec.sbe.InputDecoder;
import io.ptyq.codec.sbe.MarkerDecoder;
import io.ptyq.codec.sbe.OutputDecoder;
import io.ptyq.codec.sbe.ResizedDecoder;
import io.ptyq.codec.sbe.SessionExitedDecoder;
import io.ptyq.codec.sbe.SessionStartedDecoder;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Polls the journal and hands each frame, checked and decoded in place, to a {@link JournalListener}.
 * Not thread safe; allocates nothing per frame.
 */
public final class JournalAdapter implements AutoCloseable
{
    private final ExcerptTailer tailer;
    private final JournalListener listener;
    private final FrameDecoder decoder = new FrameDecoder();
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);

    JournalAdapter(final ExcerptTailer tailer, final JournalListener listener)
    {
        this.tailer = tailer;
        this.listener = listener;
    }

    /**
     * Deliver up to {@code limit} frames.
     *
     * @param limit most frames to deliver.
     * @return frames read (including invalid ones skipped); 0 when caught up.
     */
    public int poll(final int limit)
    {
        if (null == tailer)
        {
            return 0;
        }
        int frames = 0;
        while (frames < limit && pollOne())
        {
            frames++;
        }

        return frames;
    }

    private boolean pollOne()
    {
        try (DocumentContext dc = tailer.readingDocument())
        {
            if (!dc.isPresent())
            {
                return false;
            }
            final long index = dc.index();
            final Bytes<?> bytes = dc.wire().bytes();
            final long position = bytes.readPosition();
            final long remaining = bytes.readRemaining();
            if (remaining <= 0 || remaining > Integer.MAX_VALUE || !bytes.bytesStore().inside(position, remaining))
            {
                listener.onInvalidFrame(index, "frame of " + remaining + " bytes is not readable in place");
                return true;
            }
            final int length = (int)remaining;
            view.wrap(bytes.addressForRead(position, length), length);
            try
            {
                dispatch(index, decoder.wrap(view, 0, length));
            }
            catch (final InvalidFrameException ex)
            {
                listener.onInvalidFrame(index, ex.getMessage());
            }

            return true;
        }
    }

    private void dispatch(final long index, final int templateId)
    {
        switch (templateId)
        {
            case OutputDecoder.TEMPLATE_ID:
            {
                final OutputDecoder output = decoder.output();
                listener.onOutput(index, output.sessionId(), output.streamPosition(), output.timestampNs(),
                    view, decoder.dataOffset(), decoder.dataLength());
                break;
            }
            case SessionStartedDecoder.TEMPLATE_ID:
                listener.onSessionStarted(index, decoder.sessionStarted());
                break;
            case InputDecoder.TEMPLATE_ID:
                listener.onInput(index, decoder.input(), view, decoder.dataOffset(), decoder.dataLength());
                break;
            case ResizedDecoder.TEMPLATE_ID:
                listener.onResized(index, decoder.resized());
                break;
            case MarkerDecoder.TEMPLATE_ID:
                listener.onMarker(index, decoder.marker());
                break;
            case SessionExitedDecoder.TEMPLATE_ID:
                listener.onSessionExited(index, decoder.sessionExited());
                break;
            default:
                // A template from a newer schema: skipped, as SBE evolution requires.
                break;
        }
    }

    /**
     * @return the journal index of the last frame read, or -1 before the first.
     */
    public long lastIndex()
    {
        return null == tailer ? -1 : tailer.lastReadIndex();
    }

    @Override
    public void close()
    {
        if (null != tailer)
        {
            tailer.close();
        }
    }
}
