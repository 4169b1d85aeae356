package io.ptyq.consumer.asciicast;

import org.agrona.DirectBuffer;

/**
 * A batch of a session's events on their way from the journal's reader to the {@link AsciicastWriter}: each event's
 * kind, time and small fields in arrays, and the bytes of output and input copied one after another into one array,
 * so that the reader can go on while the writer escapes. Allocated once and reused: nothing per event but the rare
 * header and marker objects.
 * <p>
 * Output or input that does not fit what is left of a batch is split into pieces, the first flagged {@link #FIRST},
 * the last {@link #LAST}; a piece in between has neither. Filled by one thread, then read by one thread, never both
 * at once (the hand-over between them is the happens-before edge).
 */
final class ExportBatch
{
    static final byte OUTPUT = 1;
    static final byte INPUT = 2;
    static final byte STARTED = 3;
    static final byte RESIZED = 4;
    static final byte MARKER = 5;
    static final byte EXITED = 6;
    static final byte FINISH = 7;

    static final byte FIRST = 1;
    static final byte LAST = 2;

    private final byte[] data;
    private final byte[] kinds;
    private final byte[] flags;
    private final long[] timestampsNs;
    private final int[] offsets;
    private final int[] lengths;
    private final int[] as;
    private final int[] bs;
    private final Object[] extras;
    private int eventCount;
    private int dataLength;

    /**
     * @param dataCapacity  bytes of output and input it holds.
     * @param eventCapacity events it holds.
     */
    ExportBatch(final int dataCapacity, final int eventCapacity)
    {
        if (dataCapacity < 1 || eventCapacity < 1)
        {
            throw new IllegalArgumentException("a batch holds at least one byte and one event");
        }
        data = new byte[dataCapacity];
        kinds = new byte[eventCapacity];
        flags = new byte[eventCapacity];
        timestampsNs = new long[eventCapacity];
        offsets = new int[eventCapacity];
        lengths = new int[eventCapacity];
        as = new int[eventCapacity];
        bs = new int[eventCapacity];
        extras = new Object[eventCapacity];
    }

    /**
     * Empty it for reuse.
     */
    void clear()
    {
        java.util.Arrays.fill(extras, 0, eventCount, null);
        eventCount = 0;
        dataLength = 0;
    }

    boolean isFull()
    {
        return eventCount == kinds.length;
    }

    boolean isEmpty()
    {
        return 0 == eventCount;
    }

    /**
     * @return how many bytes of data it has room for.
     */
    int dataRemaining()
    {
        return data.length - dataLength;
    }

    /**
     * Add an event without data. The batch must not be {@link #isFull()}.
     */
    void add(final byte kind, final long timestampNs, final int a, final int b, final Object extra)
    {
        final int i = eventCount++;
        kinds[i] = kind;
        flags[i] = 0;
        timestampsNs[i] = timestampNs;
        offsets[i] = 0;
        lengths[i] = 0;
        as[i] = a;
        bs[i] = b;
        extras[i] = extra;
    }

    /**
     * Add a piece of output or input: {@code length} bytes of {@code src}, at most {@link #dataRemaining()}.
     * The batch must not be {@link #isFull()}.
     */
    void addPiece(
        final byte kind, final int pieceFlags, final long timestampNs,
        final DirectBuffer src, final int srcOffset, final int length)
    {
        final int i = eventCount++;
        kinds[i] = kind;
        flags[i] = (byte)pieceFlags;
        timestampsNs[i] = timestampNs;
        offsets[i] = dataLength;
        lengths[i] = length;
        extras[i] = null;
        src.getBytes(srcOffset, data, dataLength, length);
        dataLength += length;
    }

    int eventCount()
    {
        return eventCount;
    }

    byte[] data()
    {
        return data;
    }

    byte kind(final int i)
    {
        return kinds[i];
    }

    int flags(final int i)
    {
        return flags[i];
    }

    long timestampNs(final int i)
    {
        return timestampsNs[i];
    }

    int offset(final int i)
    {
        return offsets[i];
    }

    int length(final int i)
    {
        return lengths[i];
    }

    int a(final int i)
    {
        return as[i];
    }

    int b(final int i)
    {
        return bs[i];
    }

    Object extra(final int i)
    {
        return extras[i];
    }
}
