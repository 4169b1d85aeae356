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
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.TailerState;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.UnsafeBuffer;

import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Moves a tailer to a {@link StartPosition}, on the cold path. Reads frames with its own decoder; allocates.
 */
final class JournalSeeker
{
    /**
     * How far out of timestamp order frames may be appended for a time search to stay exact.
     */
    static final long TIME_ORDER_SLACK_NS = 1_000_000_000L;

    private static final int NOT_A_FRAME = -1;

    private final SingleChronicleQueue queue;
    private final ExcerptTailer tailer;
    private final FrameDecoder decoder = new FrameDecoder();
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);

    JournalSeeker(final SingleChronicleQueue queue, final ExcerptTailer tailer)
    {
        this.queue = queue;
        this.tailer = tailer;
    }

    /**
     * Position the tailer so that its next read is the first frame of {@code start}.
     */
    void seek(final StartPosition start)
    {
        switch (start.kind())
        {
            case BEGINNING:
                tailer.toStart();
                break;
            case END:
                tailer.toEnd();
                break;
            case AT_OR_AFTER_INDEX:
                seekAtOrAfter(start.value());
                break;
            case TIME:
                seekTime(start.value());
                break;
            case SESSION_START:
                seekSessionStart(start.value());
                break;
            default:
                throw new IllegalStateException("unknown start " + start);
        }
    }

    /**
     * Move to the first frame whose index is at least {@code index}, one not written yet included.
     */
    void seekAtOrAfter(final long index)
    {
        while (!trySeekAtOrAfter(index, queue.firstIndex(), queue.lastIndex()))
        {
            // The journal grew past the index while seeking: look again with its new bounds.
        }
    }

    /**
     * As {@link #seekAtOrAfter(long)} within bounds found before (finding them costs more than a move).
     *
     * @return false if frames were appended meanwhile and the bounds must be found again.
     */
    private boolean trySeekAtOrAfter(final long index, final long first, final long last)
    {
        if (last < 0 || index <= first)
        {
            tailer.toStart();
            return true;
        }
        if (tailer.moveToIndex(index))
        {
            return true;
        }
        final TailerState state = tailer.state();
        if ((TailerState.FOUND_IN_CYCLE == state || TailerState.END_OF_CYCLE == state) && tailer.index() == index)
        {
            // Just past its cycle's last frame: the tailer reads the next frame there or in the next cycle. Never
            // toEnd() for this: a frame appended in between would be skipped.
            return true;
        }
        if (index > last)
        {
            tailer.toEnd();
            return tailer.index() <= index;
        }

        // In a cycle with no file (an idle hour): the first frame of the next cycle.
        final RollCycle rollCycle = queue.rollCycle();
        final int next = nextCycle(rollCycle.toCycle(index));
        if (next < 0 || !tailer.moveToIndex(rollCycle.toIndex(next, 0)))
        {
            tailer.toEnd();
        }

        return true;
    }

    /**
     * Binary search for the first frame stamped at or after {@code epochNs}: first over the cycles' first frames,
     * then within one cycle, for a point where timestamps cross {@code epochNs - slack}; then a linear scan from
     * there. If frames are never appended more than the slack out of order, every frame before that point is
     * stamped before {@code epochNs}, so the scan finds the first one that is not.
     */
    private void seekTime(final long epochNs)
    {
        final long first = queue.firstIndex();
        final long last = queue.lastIndex();
        final List<Integer> cycles = cycles(last);
        if (cycles.isEmpty())
        {
            tailer.toStart();
            return;
        }
        final long threshold = epochNs < Long.MIN_VALUE + TIME_ORDER_SLACK_NS ?
            Long.MIN_VALUE : epochNs - TIME_ORDER_SLACK_NS;
        final RollCycle rollCycle = queue.rollCycle();

        // Last cycle whose first frame is before the threshold, or -1.
        int low = 0;
        int high = cycles.size() - 1;
        int cycleBefore = -1;
        while (low <= high)
        {
            final int mid = (low + high) >>> 1;
            if (timestampAtOrAfter(rollCycle.toIndex(cycles.get(mid), 0), first, last) < threshold)
            {
                cycleBefore = mid;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }

        long scanFrom;
        if (cycleBefore < 0)
        {
            scanFrom = -1;
        }
        else
        {
            final int cycle = cycles.get(cycleBefore);
            // Sequence 0 is before the threshold: find the first sequence that is not.
            long seqLow = 1;
            long seqHigh = tailer.excerptsInCycle(cycle);
            while (seqLow < seqHigh)
            {
                final long mid = (seqLow + seqHigh) >>> 1;
                if (timestampAtOrAfter(rollCycle.toIndex(cycle, mid), first, last) < threshold)
                {
                    seqLow = mid + 1;
                }
                else
                {
                    seqHigh = mid;
                }
            }
            scanFrom = rollCycle.toIndex(cycle, seqLow);
        }

        if (scanFrom < 0)
        {
            tailer.toStart();
        }
        else if (!trySeekAtOrAfter(scanFrom, first, last))
        {
            seekAtOrAfter(scanFrom);
        }
        while (true)
        {
            final long index;
            final long timestampNs;
            try (DocumentContext dc = tailer.readingDocument())
            {
                if (!dc.isPresent())
                {
                    // No frame reaches the time yet: the tailer stays at the end.
                    return;
                }
                index = dc.index();
                final int templateId = wrap(dc);
                if (NOT_A_FRAME == templateId)
                {
                    continue;
                }
                timestampNs = timestampNs(decoder, templateId);
            }
            if (timestampNs >= epochNs)
            {
                tailer.moveToIndex(index);
                return;
            }
        }
    }

    private void seekSessionStart(final long sessionId)
    {
        tailer.toStart();
        while (true)
        {
            final long index;
            try (DocumentContext dc = tailer.readingDocument())
            {
                if (!dc.isPresent())
                {
                    // The session has no frame yet: its start will be written after the end.
                    return;
                }
                index = dc.index();
                final int templateId = wrap(dc);
                if (NOT_A_FRAME == templateId || sessionId(decoder, templateId) != sessionId)
                {
                    continue;
                }
            }
            tailer.moveToIndex(index);
            return;
        }
    }

    /**
     * @return the timestamp of the first valid frame at or after {@code index}, or {@link Long#MAX_VALUE} if none.
     */
    private long timestampAtOrAfter(final long index, final long first, final long last)
    {
        if (!trySeekAtOrAfter(index, first, last))
        {
            seekAtOrAfter(index);
        }
        while (true)
        {
            try (DocumentContext dc = tailer.readingDocument())
            {
                if (!dc.isPresent())
                {
                    return Long.MAX_VALUE;
                }
                final int templateId = wrap(dc);
                if (NOT_A_FRAME != templateId)
                {
                    return timestampNs(decoder, templateId);
                }
            }
        }
    }

    private List<Integer> cycles(final long last)
    {
        final List<Integer> cycles = new ArrayList<>();
        if (last < 0)
        {
            return cycles;
        }
        for (final Long cycle : queue.listCyclesBetween(queue.firstCycle(), queue.lastCycle()))
        {
            cycles.add(cycle.intValue());
        }

        return cycles;
    }

    private int nextCycle(final int cycle)
    {
        try
        {
            return queue.nextCycle(cycle, TailerDirection.FORWARD);
        }
        catch (final ParseException ex)
        {
            return -1;
        }
    }

    /**
     * @return the template id of a valid frame of a known template, or {@link #NOT_A_FRAME}.
     */
    private int wrap(final DocumentContext dc)
    {
        final Bytes<?> bytes = dc.wire().bytes();
        final long position = bytes.readPosition();
        final long remaining = bytes.readRemaining();
        if (remaining <= 0 || remaining > Integer.MAX_VALUE || !bytes.bytesStore().inside(position, remaining))
        {
            return NOT_A_FRAME;
        }
        final int length = (int)remaining;
        view.wrap(bytes.addressForRead(position, length), length);
        try
        {
            final int templateId = decoder.wrap(view, 0, length);
            return decoder.isKnownTemplate() ? templateId : NOT_A_FRAME;
        }
        catch (final InvalidFrameException ex)
        {
            return NOT_A_FRAME;
        }
    }

    /**
     * @return the session id of the frame {@code decoder} has wrapped, of a known template.
     */
    static long sessionId(final FrameDecoder decoder, final int templateId)
    {
        switch (templateId)
        {
            case OutputDecoder.TEMPLATE_ID:
                return decoder.output().sessionId();
            case SessionStartedDecoder.TEMPLATE_ID:
                return decoder.sessionStarted().sessionId();
            case InputDecoder.TEMPLATE_ID:
                return decoder.input().sessionId();
            case ResizedDecoder.TEMPLATE_ID:
                return decoder.resized().sessionId();
            case MarkerDecoder.TEMPLATE_ID:
                return decoder.marker().sessionId();
            case SessionExitedDecoder.TEMPLATE_ID:
                return decoder.sessionExited().sessionId();
            default:
                throw new IllegalArgumentException("unknown template " + templateId);
        }
    }

    /**
     * @return the timestamp of the frame {@code decoder} has wrapped, of a known template.
     */
    static long timestampNs(final FrameDecoder decoder, final int templateId)
    {
        switch (templateId)
        {
            case OutputDecoder.TEMPLATE_ID:
                return decoder.output().timestampNs();
            case SessionStartedDecoder.TEMPLATE_ID:
                return decoder.sessionStarted().timestampNs();
            case InputDecoder.TEMPLATE_ID:
                return decoder.input().timestampNs();
            case ResizedDecoder.TEMPLATE_ID:
                return decoder.resized().timestampNs();
            case MarkerDecoder.TEMPLATE_ID:
                return decoder.marker().timestampNs();
            case SessionExitedDecoder.TEMPLATE_ID:
                return decoder.sessionExited().timestampNs();
            default:
                throw new IllegalArgumentException("unknown template " + templateId);
        }
    }
}
