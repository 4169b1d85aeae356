package io.ptyq.consumer;

import java.time.Instant;
import java.util.Objects;

/**
 * Where a {@link JournalAdapter} starts reading: the beginning, the end, a journal index, a time or a session's
 * start. Immutable; resolved once, when the adapter is created.
 */
public final class StartPosition
{
    private static final StartPosition BEGINNING = new StartPosition(Kind.BEGINNING, 0);
    private static final StartPosition END = new StartPosition(Kind.END, 0);

    /**
     * The ways a start position is given.
     */
    enum Kind
    {
        BEGINNING,
        END,
        AT_OR_AFTER_INDEX,
        TIME,
        SESSION_START
    }

    private final Kind kind;
    private final long value;

    private StartPosition(final Kind kind, final long value)
    {
        this.kind = kind;
        this.value = value;
    }

    /**
     * @return the first frame still in the journal.
     */
    public static StartPosition beginning()
    {
        return BEGINNING;
    }

    /**
     * @return the first frame appended after the adapter is created; the beginning if the journal has no file yet.
     */
    public static StartPosition end()
    {
        return END;
    }

    /**
     * The frame at {@code index}, or the first one after it if it is gone (the journal's first frame when retention
     * has removed it).
     *
     * @param index a journal index, as passed to every {@link JournalListener} callback.
     * @return the first frame whose index is at least {@code index}.
     */
    public static StartPosition index(final long index)
    {
        return new StartPosition(Kind.AT_OR_AFTER_INDEX, index);
    }

    /**
     * The frame after the one at {@code index}: how a consumer that saved the index of the last frame it processed
     * resumes with no gap and no duplicate.
     *
     * @param index a journal index, as passed to every {@link JournalListener} callback.
     * @return the first frame whose index is greater than {@code index}.
     */
    public static StartPosition after(final long index)
    {
        return index == Long.MAX_VALUE ? END : new StartPosition(Kind.AT_OR_AFTER_INDEX, index + 1);
    }

    /**
     * The first frame, in journal order, whose {@code timestampNs} is at least {@code epochNs}, or the end if none is
     * yet. Found by a binary search over the journal's indices, exact as long as frames are appended less than a
     * second out of timestamp order (the daemon stamps each frame just before appending it).
     *
     * @param epochNs wall-clock time in nanoseconds since the epoch.
     * @return the position.
     */
    public static StartPosition time(final long epochNs)
    {
        return new StartPosition(Kind.TIME, epochNs);
    }

    /**
     * As {@link #time(long)}.
     *
     * @param time a wall-clock time.
     * @return the position.
     */
    public static StartPosition time(final Instant time)
    {
        Objects.requireNonNull(time, "time");
        return time(Math.addExact(Math.multiplyExact(time.getEpochSecond(), 1_000_000_000L), time.getNano()));
    }

    /**
     * The session's {@code SessionStarted} frame (its first frame still journaled if retention removed it), or the end
     * if the session has no frame yet, which is where its start will be written. Found by a linear scan.
     *
     * @param sessionId the session.
     * @return the position.
     */
    public static StartPosition sessionStart(final long sessionId)
    {
        return new StartPosition(Kind.SESSION_START, sessionId);
    }

    Kind kind()
    {
        return kind;
    }

    long value()
    {
        return value;
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof StartPosition && ((StartPosition)other).kind == kind &&
            ((StartPosition)other).value == value;
    }

    @Override
    public int hashCode()
    {
        return 31 * kind.hashCode() + Long.hashCode(value);
    }

    @Override
    public String toString()
    {
        switch (kind)
        {
            case BEGINNING:
                return "beginning";
            case END:
                return "end";
            case AT_OR_AFTER_INDEX:
                return "index " + Long.toHexString(value);
            case TIME:
                return "time " + value;
            default:
                return "start of session " + value;
        }
    }
}
