package io.ptyq.consumer.asciicast;

import org.agrona.DirectBuffer;

import java.util.Arrays;

/**
 * A batch of a session's events on their way from the journal's reader to the sink: each event's kind and the time
 * it is written with, the bytes of output and input copied one after another into one array, what the UTF-8
 * escapers carry into the batch, and, once escaped (by either thread), the batch's asciicast bytes. Allocated once
 * and reused; the escaped bytes' array grows to the largest batch's worst case once.
 * <p>
 * Output or input larger than a batch is split into pieces, the first flagged {@link #FIRST}, the last
 * {@link #LAST}; a piece in between has neither. Filled by one thread, then escaped and written by one thread at a
 * time (the hand-over between them is the happens-before edge).
 */
final class ExportBatch
{
    /**
     * A piece of output: escaped into an {@code "o"} event.
     */
    static final byte OUTPUT = 1;
    /**
     * A piece of input: escaped into an {@code "i"} event.
     */
    static final byte INPUT = 2;
    /**
     * A line formatted by the reader (header, resize, marker, exit): copied as it is.
     */
    static final byte LINE = 3;
    /**
     * The end of the output stream: a formatted line (U+FFFD for what was carried), and the escaper carries nothing.
     */
    static final byte FLUSH_OUTPUT = 4;
    /**
     * As {@link #FLUSH_OUTPUT}, for input.
     */
    static final byte FLUSH_INPUT = 5;

    static final byte FIRST = 1;
    static final byte LAST = 2;
    /**
     * A whole frame that writes nothing: its bytes are all carried to the next one.
     */
    static final byte CARRIED = 4;

    /**
     * The most bytes a piece writes beyond the escaped bytes: the event's start, a carried sequence, its end.
     */
    static final int PIECE_OVERHEAD = 64;

    private final byte[] data;
    private final byte[] kinds;
    private final byte[] flags;
    private final long[] timesMicros;
    private final int[] offsets;
    private final int[] lengths;
    private final Object[] lines;
    private final int outputTarget;
    private final byte[] outputCarry = new byte[4];
    private final byte[] inputCarry = new byte[4];
    private int outputCarryLength;
    private int inputCarryLength;
    private int outputCarryAtEnd;
    private int inputCarryAtEnd;
    private int eventCount;
    private int dataLength;
    private int outputWorstCase;
    private byte[] escaped = new byte[0];
    private int escapedLength;
    private boolean isEscaped;

    /**
     * @param dataCapacity  bytes of output and input it holds, at least 4 (so that a frame split between batches is
     *                      never one that writes nothing).
     * @param eventCapacity events it holds.
     */
    ExportBatch(final int dataCapacity, final int eventCapacity)
    {
        if (dataCapacity < 4 || eventCapacity < 1)
        {
            throw new IllegalArgumentException("a batch holds at least four bytes and one event");
        }
        data = new byte[dataCapacity];
        kinds = new byte[eventCapacity];
        flags = new byte[eventCapacity];
        timesMicros = new long[eventCapacity];
        offsets = new int[eventCapacity];
        lengths = new int[eventCapacity];
        lines = new Object[eventCapacity];
        outputTarget = JsonStringEscaper.MAX_EXPANSION * dataCapacity + PIECE_OVERHEAD * eventCapacity;
    }

    /**
     * Empty it for reuse, with what the escapers carry into it.
     */
    void clear(final Utf8Carry output, final Utf8Carry input)
    {
        Arrays.fill(lines, 0, eventCount, null);
        eventCount = 0;
        dataLength = 0;
        outputWorstCase = 0;
        escapedLength = 0;
        isEscaped = false;
        outputCarryLength = output.copyPending(outputCarry);
        inputCarryLength = input.copyPending(inputCarry);
    }

    /**
     * Note what the escapers carry out of it, for the escaping to check.
     */
    void seal(final Utf8Carry output, final Utf8Carry input)
    {
        outputCarryAtEnd = output.pendingLength();
        inputCarryAtEnd = input.pendingLength();
    }

    /**
     * @return whether it has room for another event (and its output's worst case is not past its target).
     */
    boolean hasRoomForEvent()
    {
        return eventCount < kinds.length && outputWorstCase < outputTarget;
    }

    /**
     * @return how many bytes of a piece it can take now.
     */
    int pieceRoom()
    {
        if (!hasRoomForEvent())
        {
            return 0;
        }
        final int byOutput = (outputTarget - outputWorstCase - PIECE_OVERHEAD) / JsonStringEscaper.MAX_EXPANSION;

        return Math.max(0, Math.min(data.length - dataLength, byOutput));
    }

    /**
     * @return the most bytes of a piece any batch takes.
     */
    int capacity()
    {
        return Math.min(data.length, (outputTarget - PIECE_OVERHEAD) / JsonStringEscaper.MAX_EXPANSION);
    }

    /**
     * Add a formatted line. The batch must have {@link #hasRoomForEvent()}.
     */
    void addLine(final byte kind, final byte[] line)
    {
        final int i = eventCount++;
        kinds[i] = kind;
        flags[i] = 0;
        timesMicros[i] = 0;
        offsets[i] = 0;
        lengths[i] = line.length;
        lines[i] = line;
        outputWorstCase += line.length;
    }

    /**
     * Add a piece of output or input: {@code length} bytes of {@code src}, at most {@link #pieceRoom()}.
     *
     * @param timeMicros the time its event is written with, when it is the first piece.
     */
    void addPiece(
        final byte kind, final int pieceFlags, final long timeMicros,
        final DirectBuffer src, final int srcOffset, final int length)
    {
        final int i = eventCount++;
        kinds[i] = kind;
        flags[i] = (byte)pieceFlags;
        timesMicros[i] = timeMicros;
        offsets[i] = dataLength;
        lengths[i] = length;
        lines[i] = null;
        src.getBytes(srcOffset, data, dataLength, length);
        dataLength += length;
        outputWorstCase += PIECE_OVERHEAD + JsonStringEscaper.MAX_EXPANSION * length;
    }

    int eventCount()
    {
        return eventCount;
    }

    byte[] data()
    {
        return data;
    }

    int dataLength()
    {
        return dataLength;
    }

    byte kind(final int i)
    {
        return kinds[i];
    }

    int flags(final int i)
    {
        return flags[i];
    }

    long timeMicros(final int i)
    {
        return timesMicros[i];
    }

    int offset(final int i)
    {
        return offsets[i];
    }

    int length(final int i)
    {
        return lengths[i];
    }

    byte[] line(final int i)
    {
        return (byte[])lines[i];
    }

    byte[] outputCarry()
    {
        return outputCarry;
    }

    int outputCarryLength()
    {
        return outputCarryLength;
    }

    byte[] inputCarry()
    {
        return inputCarry;
    }

    int inputCarryLength()
    {
        return inputCarryLength;
    }

    int outputCarryAtEnd()
    {
        return outputCarryAtEnd;
    }

    int inputCarryAtEnd()
    {
        return inputCarryAtEnd;
    }

    /**
     * @return the array to escape into, with room for the batch's worst case (grown once when it has none).
     */
    byte[] escapeBuffer()
    {
        if (escaped.length < outputWorstCase + Long.BYTES)
        {
            escaped = new byte[Math.max(outputWorstCase, outputTarget) + Long.BYTES];
        }

        return escaped;
    }

    void escaped(final int length)
    {
        escapedLength = length;
        isEscaped = true;
    }

    boolean isEscaped()
    {
        return isEscaped;
    }

    byte[] escapedBytes()
    {
        return escaped;
    }

    int escapedLength()
    {
        return escapedLength;
    }
}
