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

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * Polls the journal and hands each frame, checked and decoded in place, to a {@link JournalListener}; frames of
 * sessions its {@link SessionFilter} rejects are read and skipped. Allocates nothing per frame. Not thread safe: one
 * thread at a time, which may differ from the thread that created it (an agent's).
 * <p>
 * A callback that throws ends the poll with that exception; the frame counts as read, except in a
 * {@link DurableConsumer}, where the next poll delivers it again.
 */
public final class JournalAdapter implements AutoCloseable
{
    private static final long NO_INDEX = Long.MIN_VALUE;
    private static final int NO_CYCLE = Integer.MIN_VALUE;
    private static final long STUCK_LIVE_NS = 2_000_000_000L;
    private static final int NOT_COMPLETE = 0x8000_0000; // Chronicle's header bit for a document being written
    private static final long UNREADABLE_CHECK_INTERVAL_NS = 100_000_000L;

    private final JournalReader reader;
    private final JournalListener listener;
    private final SessionFilter filter;
    private final ConsumerPositionFile positionFile;
    private final FrameDecoder decoder = new FrameDecoder();
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private ExcerptTailer tailer;
    private Thread owner;
    private StartPosition pendingStart;
    private boolean initialisePosition;
    private long redeliveryIndex = NO_INDEX;
    private long lastIndex = -1;
    private long bytesRead;
    private int damagedCycle = NO_CYCLE;
    private int lengthCycle = NO_CYCLE;
    private long cycleFileLength;
    private long truncatedFrameEnd = -1;
    private int stuckBeforeCycle = NO_CYCLE;
    private long stuckSinceNs;
    private long nextUnreadableCheckNs;
    private boolean readSinceCheck = true;
    private boolean closed;

    JournalAdapter(
        final JournalReader reader,
        final JournalListener listener,
        final StartPosition start,
        final SessionFilter filter,
        final ConsumerPositionFile positionFile)
    {
        this.reader = Objects.requireNonNull(reader, "reader");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.filter = Objects.requireNonNull(filter, "filter");
        this.positionFile = positionFile;
        Objects.requireNonNull(start, "start");
        final ExcerptTailer tailer = reader.createTailer();
        if (null == tailer)
        {
            // Everything the journal will hold is written after now, so its end is its beginning.
            pendingStart = StartPosition.end().equals(start) ? StartPosition.beginning() : start;
        }
        else
        {
            start(tailer, start);
        }
    }

    /**
     * Set up the durable position: a new one is written once the start is resolved; an old one may name a frame
     * whose callback had not returned when its consumer died.
     */
    void durable(final boolean isNew, final long redeliveryIndex)
    {
        this.redeliveryIndex = redeliveryIndex;
        if (isNew)
        {
            if (null == tailer)
            {
                initialisePosition = true;
            }
            else
            {
                positionFile.initialise(indexBeforeNext());
            }
        }
    }

    /**
     * Deliver up to {@code limit} frames.
     *
     * @param limit most frames to read.
     * @return frames read, including invalid and filtered ones skipped; 0 when caught up.
     */
    public int poll(final int limit)
    {
        if (null == tailer && !openTailer())
        {
            return 0;
        }
        final Thread thread = Thread.currentThread();
        if (thread != owner)
        {
            // Created on one thread, polled on another (an agent's): a hand-over Chronicle must be told about.
            owner = thread;
            tailer.singleThreadedCheckReset();
        }
        int frames = 0;
        try
        {
            while (frames < limit && pollOne())
            {
                frames++;
            }
        }
        catch (final InternalError ex)
        {
            // A fault in compiled code surfaces at the thread's next safepoint, not at the faulting read.
            if (onDamage(ex))
            {
                frames++;
            }
        }

        return frames;
    }

    /**
     * Whether a {@link #poll(int)} that returned 0 means the end of what the journal holds, rather than a wait at a
     * cycle file that may be damaged (which a live daemon may still be creating). A writer that scans its own journal
     * before appending polls until this is true.
     *
     * @return true if the tailer is in the journal's newest cycle and skipping no damaged one.
     */
    public boolean isInNewestCycle()
    {
        if (null == tailer)
        {
            return null == reader.queue(); // no file yet: nothing to read
        }

        return NO_CYCLE == damagedCycle && tailer.cycle() >= reader.queue().lastCycle();
    }

    /**
     * @return the bytes of the frames handed to the decoder since this adapter was made (SBE header included): a
     * measure of how fast output arrives, for an idle strategy that waits longer in a flood.
     */
    public long bytesRead()
    {
        return bytesRead;
    }

    /**
     * @return the journal index of the last frame read (delivered or skipped), or -1 before the first.
     */
    public long lastIndex()
    {
        return lastIndex;
    }

    private boolean openTailer()
    {
        if (closed)
        {
            return false;
        }
        final ExcerptTailer tailer = reader.createTailer();
        if (null == tailer)
        {
            return false;
        }
        start(tailer, pendingStart);
        pendingStart = null;
        if (initialisePosition)
        {
            initialisePosition = false;
            positionFile.initialise(indexBeforeNext());
        }

        return true;
    }

    private void start(final ExcerptTailer tailer, final StartPosition start)
    {
        try
        {
            try
            {
                new JournalSeeker(reader.queue(), tailer).seek(start);
            }
            catch (final IllegalArgumentException ex)
            {
                throw ex;
            }
            catch (final Exception | InternalError ex)
            {
                // The journal, not the request, is at fault: report the file and read on from the next cycle.
                damagedCycle = damagedCycleOf(tailer);
                listener.onDamagedFile(reader.cycleFile(damagedCycle), JournalDamagedException.reasonOf(ex));
            }
        }
        catch (final RuntimeException ex)
        {
            tailer.close();
            throw ex;
        }
        this.tailer = tailer;
        this.owner = Thread.currentThread();
    }

    private int damagedCycleOf(final ExcerptTailer tailer)
    {
        final int cycle = tailer.cycle();
        final int first = reader.queue().firstCycle();
        return cycle < first || cycle > reader.queue().lastCycle() ? first : cycle;
    }

    /**
     * Report the damage in the current cycle, then move to the next readable cycle.
     *
     * @return true if the tailer moved on; false if there is no later cycle yet.
     */
    private boolean onDamage(final Throwable ex)
    {
        final int current = damagedCycleOf(tailer);
        // A read fault is in the mapped cycle; any other failure comes from opening the next cycle's file.
        final int cycle = ex instanceof InternalError ? current : nextCycleFile(current);
        if (!(ex instanceof InternalError) && cycle >= reader.queue().lastCycle() &&
            DaemonStatus.isDaemonAlive(reader.journalDir()))
        {
            // The newest cycle of a live journal may be a file the daemon is creating this instant: look again later.
            return false;
        }
        damagedCycle = cycle;
        listener.onDamagedFile(reader.cycleFile(damagedCycle), JournalDamagedException.reasonOf(ex));

        return skipDamagedCycle();
    }

    /**
     * @return true if the file is too short to hold its header's first word, or that word is still 0 or marked
     * incomplete: what a cycle file looks like between its creation and the end of its header's write (or gone).
     */
    private static boolean isHeaderUnwritten(final Path cycleFile)
    {
        try (FileChannel channel = FileChannel.open(cycleFile, StandardOpenOption.READ))
        {
            final ByteBuffer word = ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            while (word.hasRemaining() && channel.read(word, word.position()) > 0)
            {
                // a short read: go on from where it stopped
            }

            return word.hasRemaining() || 0 == word.getInt(0) || (word.getInt(0) & NOT_COMPLETE) != 0;
        }
        catch (final IOException ex)
        {
            return true;
        }
    }

    /**
     * @return the first cycle after {@code cycle} that has a file, or {@code cycle} if there is none.
     */
    private int nextCycleFile(final int cycle)
    {
        for (final int present : reader.cycles())
        {
            if (present > cycle)
            {
                return present;
            }
        }

        return cycle;
    }

    private boolean skipDamagedCycle()
    {
        while (true)
        {
            final int next = nextCycleFile(damagedCycle);
            if (next == damagedCycle)
            {
                return false;
            }
            try
            {
                if (tailer.moveToCycle(next))
                {
                    damagedCycle = NO_CYCLE;
                    return true;
                }
                damagedCycle = next; // an empty cycle: look further
            }
            catch (final Exception | InternalError ex)
            {
                damagedCycle = next;
                listener.onDamagedFile(reader.cycleFile(next), JournalDamagedException.reasonOf(ex));
            }
        }
    }

    /**
     * @return one less than the index of the next frame to read; -1 when the journal is empty.
     */
    private long indexBeforeNext()
    {
        final long next = tailer.index();
        return next <= 0 ? -1 : next - 1;
    }

    private boolean pollOne()
    {
        if (NO_CYCLE != damagedCycle)
        {
            return skipDamagedCycle();
        }
        final DocumentContext context;
        try
        {
            context = tailer.readingDocument();
        }
        catch (final Exception | InternalError ex)
        {
            return onDamage(ex);
        }
        try
        {
            if (readOne(context))
            {
                readSinceCheck = true;
                return true;
            }
        }
        catch (final InternalError ex)
        {
            return onDamage(ex);
        }

        if (truncatedFrameEnd >= 0)
        {
            damagedCycle = tailer.cycle();
            final String reason = "truncated: a frame ends at byte " + truncatedFrameEnd + ", past the file's end (" +
                cycleFileLength + " bytes)";
            truncatedFrameEnd = -1;
            listener.onDamagedFile(reader.cycleFile(damagedCycle), reason);
            return skipDamagedCycle();
        }

        return skipUnreadableCycle();
    }

    /**
     * @param frameEnd the file offset where a frame ends.
     * @return the length of the current cycle's file, looked up again when the cycle changes or a frame ends past
     * what was seen (the daemon grows files as it writes).
     */
    private long cycleFileLength(final long frameEnd)
    {
        final int cycle = tailer.cycle();
        if (cycle != lengthCycle || frameEnd > cycleFileLength)
        {
            lengthCycle = cycle;
            cycleFileLength = reader.cycleFile(cycle).toFile().length();
        }

        return cycleFileLength;
    }

    /**
     * Chronicle ends a read at a next cycle whose file it cannot open, as if the journal ended there: tell that from
     * the real end, where the tailer is in the newest cycle.
     *
     * @return true if the tailer moved past an unreadable cycle.
     */
    private boolean skipUnreadableCycle()
    {
        // Caught up is the common case, polled in a busy loop: look at the directory listing the first time a read
        // comes up empty, then only now and then.
        final long nowNs = System.nanoTime();
        if (!readSinceCheck && nowNs - nextUnreadableCheckNs < 0)
        {
            return false;
        }
        readSinceCheck = false;
        nextUnreadableCheckNs = nowNs + UNREADABLE_CHECK_INTERVAL_NS;
        final int cycle = tailer.cycle();
        final int lastCycle = reader.queue().lastCycle();
        if (cycle >= lastCycle)
        {
            return false;
        }
        final int next = nextCycleFile(cycle);
        if (next == cycle)
        {
            return false;
        }
        final boolean daemonAlive = DaemonStatus.isDaemonAlive(reader.journalDir());
        if (daemonAlive || (next >= lastCycle && isHeaderUnwritten(reader.cycleFile(next))))
        {
            // A writer may be creating the next file this instant: a live daemon any newest file, any writer (one
            // with no daemon's mark file, such as an application's own publisher) a newest file whose header is not
            // there yet. Call it damaged only once the tailer has stayed stuck before it for a while, and never the
            // newest file while a daemon lives (the daemon salvages it when it starts).
            if ((daemonAlive && next >= lastCycle) || stuckBeforeCycle != next)
            {
                stuckBeforeCycle = next;
                stuckSinceNs = nowNs;
                return false;
            }
            if (nowNs - stuckSinceNs < STUCK_LIVE_NS)
            {
                return false;
            }
        }
        stuckBeforeCycle = NO_CYCLE;
        damagedCycle = next;
        listener.onDamagedFile(reader.cycleFile(next), "cannot be opened as a journal cycle (no valid header)");

        return skipDamagedCycle();
    }

    private boolean readOne(final DocumentContext context)
    {
        try (DocumentContext dc = context)
        {
            if (!dc.isPresent())
            {
                return false;
            }
            final long index = dc.index();
            final Bytes<?> frame = dc.wire().bytes();
            final long frameEnd = frame.readPosition() + frame.readRemaining();
            if (frameEnd > cycleFileLength(frameEnd))
            {
                // Past the end of a truncated file the mapping reads as zeros (then faults): never deliver that.
                dc.rollbackOnClose();
                truncatedFrameEnd = frameEnd;
                return false;
            }
            try
            {
                deliver(dc, index);
            }
            catch (final RuntimeException | Error ex)
            {
                if (null != positionFile)
                {
                    // Not done, so not skipped: the next poll reads it again and flags it.
                    dc.rollbackOnClose();
                    redeliveryIndex = index;
                }
                throw ex;
            }
            lastIndex = index;
            if (null != positionFile)
            {
                positionFile.commit(index);
            }

            return true;
        }
    }

    private void deliver(final DocumentContext dc, final long index)
    {
        final Bytes<?> bytes = dc.wire().bytes();
        final long position = bytes.readPosition();
        final long remaining = bytes.readRemaining();
        if (remaining <= 0 || remaining > Integer.MAX_VALUE || !bytes.bytesStore().inside(position, remaining))
        {
            begin(index);
            listener.onInvalidFrame(index, "frame of " + remaining + " bytes is not readable in place");
            return;
        }
        final int length = (int)remaining;
        bytesRead += length;
        view.wrap(bytes.addressForRead(position, length), length);
        final int templateId;
        try
        {
            templateId = decoder.wrap(view, 0, length);
        }
        catch (final InvalidFrameException ex)
        {
            begin(index);
            listener.onInvalidFrame(index, ex.getMessage());
            return;
        }
        dispatch(index, templateId);
    }

    private void dispatch(final long index, final int templateId)
    {
        switch (templateId)
        {
            case OutputDecoder.TEMPLATE_ID:
            {
                final OutputDecoder output = decoder.output();
                if (accept(index, output.sessionId()))
                {
                    listener.onOutput(index, output.sessionId(), output.streamPosition(), output.timestampNs(),
                        view, decoder.dataOffset(), decoder.dataLength());
                }
                break;
            }
            case SessionStartedDecoder.TEMPLATE_ID:
                if (accept(index, decoder.sessionStarted().sessionId()))
                {
                    listener.onSessionStarted(index, decoder.sessionStarted());
                }
                break;
            case InputDecoder.TEMPLATE_ID:
                if (accept(index, decoder.input().sessionId()))
                {
                    listener.onInput(index, decoder.input(), view, decoder.dataOffset(), decoder.dataLength());
                }
                break;
            case ResizedDecoder.TEMPLATE_ID:
                if (accept(index, decoder.resized().sessionId()))
                {
                    listener.onResized(index, decoder.resized());
                }
                break;
            case MarkerDecoder.TEMPLATE_ID:
                if (accept(index, decoder.marker().sessionId()))
                {
                    listener.onMarker(index, decoder.marker());
                }
                break;
            case SessionExitedDecoder.TEMPLATE_ID:
                if (accept(index, decoder.sessionExited().sessionId()))
                {
                    listener.onSessionExited(index, decoder.sessionExited());
                }
                break;
            default:
                // A template from a newer schema: skipped, as SBE evolution requires.
                break;
        }
    }

    private boolean accept(final long index, final long sessionId)
    {
        if (!filter.accept(sessionId))
        {
            return false;
        }
        begin(index);

        return true;
    }

    private void begin(final long index)
    {
        if (null != positionFile)
        {
            positionFile.begin(index);
            if (index == redeliveryIndex)
            {
                redeliveryIndex = NO_INDEX;
                listener.onRedelivery(index);
            }
        }
    }

    /**
     * Close the tailer and, for a durable consumer, its position file. Idempotent.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (null != tailer)
        {
            tailer.singleThreadedCheckReset();
            tailer.close();
            tailer = null;
        }
        if (null != positionFile)
        {
            positionFile.close();
        }
    }
}
