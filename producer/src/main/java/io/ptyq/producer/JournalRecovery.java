package io.ptyq.producer;

import io.ptyq.codec.FrameDecoder;
import io.ptyq.codec.InvalidFrameException;
import io.ptyq.codec.sbe.ExitReason;
import io.ptyq.codec.sbe.OutputDecoder;
import io.ptyq.codec.sbe.SessionExitedDecoder;
import io.ptyq.codec.sbe.SessionStartedDecoder;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.ErrorHandler;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.function.Consumer;

/**
 * What a starting daemon learns from the journal it inherits: the highest session id, so ids continue without reuse,
 * and the sessions a previous daemon left running, which it then marks abandoned.
 */
final class JournalRecovery
{
    private final Long2LongHashMap unfinishedOutputBytes = new Long2LongHashMap(-1);
    private long maxSessionId;
    private long corruptFrames;

    /**
     * Scan the whole journal.
     */
    static JournalRecovery scan(final SingleChronicleQueue queue, final ErrorHandler errorHandler)
    {
        final JournalRecovery recovery = new JournalRecovery();
        final FrameDecoder decoder = new FrameDecoder();
        final UnsafeBuffer view = new UnsafeBuffer(0, 0);
        try (ExcerptTailer tailer = queue.createTailer())
        {
            while (true)
            {
                try (DocumentContext dc = tailer.readingDocument())
                {
                    if (!dc.isPresent())
                    {
                        break;
                    }
                    final Bytes<?> bytes = dc.wire().bytes();
                    final long position = bytes.readPosition();
                    final int length = (int)Math.min(bytes.readRemaining(), Integer.MAX_VALUE);
                    if (length <= 0 || !bytes.bytesStore().inside(position, length))
                    {
                        recovery.corruptFrames++;
                        continue;
                    }
                    view.wrap(bytes.addressForRead(position, length), length);
                    recovery.onFrame(decoder, view, length);
                }
                catch (final InvalidFrameException ex)
                {
                    recovery.corruptFrames++;
                    errorHandler.onError(ex);
                }
            }
        }

        return recovery;
    }

    private void onFrame(final FrameDecoder decoder, final UnsafeBuffer view, final int length)
    {
        switch (decoder.wrap(view, 0, length))
        {
            case SessionStartedDecoder.TEMPLATE_ID:
            {
                final long sessionId = decoder.sessionStarted().sessionId();
                maxSessionId = Math.max(maxSessionId, sessionId);
                unfinishedOutputBytes.put(sessionId, 0);
                break;
            }
            case OutputDecoder.TEMPLATE_ID:
            {
                final long sessionId = decoder.output().sessionId();
                if (unfinishedOutputBytes.containsKey(sessionId))
                {
                    unfinishedOutputBytes.put(sessionId, decoder.output().streamPosition() + decoder.dataLength());
                }
                break;
            }
            case SessionExitedDecoder.TEMPLATE_ID:
                unfinishedOutputBytes.remove(decoder.sessionExited().sessionId());
                break;
            default:
                break;
        }
    }

    /**
     * Journal an ABANDONED exit for every session started and never ended: the writer that ran them is gone.
     */
    void abandonUnfinished(final JournalPublisher publisher, final long timestampNs, final Consumer<String> log)
    {
        final Long2LongHashMap.KeyIterator ids = unfinishedOutputBytes.keySet().iterator();
        while (ids.hasNext())
        {
            final long sessionId = ids.nextValue();
            publisher.sessionExited(sessionId, timestampNs, -1, 0, ExitReason.ABANDONED,
                unfinishedOutputBytes.get(sessionId), "the daemon running it stopped without journaling its end");
            log.accept("session " + sessionId + " marked abandoned (its daemon died)");
        }
    }

    long maxSessionId()
    {
        return maxSessionId;
    }

    long corruptFrames()
    {
        return corruptFrames;
    }

    /**
     * @return session id to output bytes seen, for every session started and never ended.
     */
    Long2LongHashMap unfinishedSessions()
    {
        return unfinishedOutputBytes;
    }
}
