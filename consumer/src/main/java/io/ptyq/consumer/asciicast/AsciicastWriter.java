package io.ptyq.consumer.asciicast;

import io.ptyq.codec.CommandLine;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes the events of one session, in journal order, as asciicast v2 or v3 or as raw bytes: the header, the
 * times (v2: since the start; v3: since the previous event), the escaped strings. {@link AsciicastExporter} feeds it
 * through {@link ExportBatch}es, on its own thread or on the export's writer thread.
 * <p>
 * Output and input are decoded as UTF-8 by a decoder carried from piece to piece, so a character split between
 * frames comes out whole; invalid bytes become U+FFFD and are counted. Escaping is done by hand, UTF-8 to UTF-8, into
 * one reused buffer, written to the sink in large blocks: no allocation per event. Times are microseconds, the
 * precision of v2. One thread at a time; errors writing the sink are thrown as {@link UncheckedIOException}.
 */
final class AsciicastWriter
{
    private static final int BUFFER_LENGTH = 8 << 20;
    private static final int CHUNK_LENGTH = 32 * 1024;
    private static final int EVENT_OVERHEAD = 64;
    static final long UNKNOWN = Long.MIN_VALUE;
    private static final byte[] OUTPUT_CODE = bytes("\"o\", \"");
    private static final byte[] INPUT_CODE = bytes("\"i\", \"");
    private static final byte[] RESIZE_CODE = bytes("\"r\", \"");
    private static final byte[] MARKER_CODE = bytes("\"m\", \"");
    private static final byte[] EXIT_CODE = bytes("\"x\", \"");
    private static final byte[] EVENT_END = bytes("\"]\n");

    private final AsciicastFormat format;
    private final OutputStream out;
    private final byte[] buffer = new byte[BUFFER_LENGTH];
    private final JsonStringEscaper outputEscaper = new JsonStringEscaper();
    private final JsonStringEscaper inputEscaper = new JsonStringEscaper();
    private HeaderFields fallback;
    private int position;
    private long startNs = UNKNOWN;
    private long lastMicros;

    // The event whose string is being written, while its pieces arrive.
    private int openEventStart;
    private int openContentStart;
    private long openPreviousMicros;
    private boolean openSpilled;

    AsciicastWriter(final AsciicastFormat format, final OutputStream out)
    {
        this.format = format;
        this.out = out;
    }

    /**
     * @param fallback what the header says when the session's start is not in the journal any more, or null.
     */
    void fallback(final HeaderFields fallback)
    {
        this.fallback = fallback;
    }

    /**
     * @return invalid UTF-8 sequences written as U+FFFD so far.
     */
    long replacements()
    {
        return outputEscaper.replacements() + inputEscaper.replacements();
    }

    /**
     * Write every event of a batch.
     */
    void write(final ExportBatch batch)
    {
        final byte[] data = batch.data();
        for (int i = 0, count = batch.eventCount(); i < count; i++)
        {
            final long timestampNs = batch.timestampNs(i);
            switch (batch.kind(i))
            {
                case ExportBatch.OUTPUT:
                    onPiece(timestampNs, OUTPUT_CODE, outputEscaper, data, batch.offset(i), batch.length(i),
                        batch.flags(i));
                    break;
                case ExportBatch.INPUT:
                    onPiece(timestampNs, INPUT_CODE, inputEscaper, data, batch.offset(i), batch.length(i),
                        batch.flags(i));
                    break;
                case ExportBatch.STARTED:
                    writeHeader(timestampNs, (HeaderFields)batch.extra(i));
                    break;
                case ExportBatch.RESIZED:
                    onResized(timestampNs, batch.a(i), batch.b(i));
                    break;
                case ExportBatch.MARKER:
                    startIfNeeded(timestampNs);
                    textEvent(timestampNs, MARKER_CODE, (byte[])batch.extra(i));
                    break;
                case ExportBatch.EXITED:
                    onExited(timestampNs, batch.a(i), 0 != batch.b(i));
                    break;
                case ExportBatch.FINISH:
                    finish(0 != batch.a(i));
                    break;
                default:
                    throw new IllegalStateException("unknown event kind " + batch.kind(i));
            }
        }
    }

    private void onPiece(
        final long timestampNs, final byte[] code, final JsonStringEscaper escaper,
        final byte[] src, final int offset, final int length, final int flags)
    {
        if (AsciicastFormat.RAW == format)
        {
            startIfNeeded(timestampNs);
            copyRaw(src, offset, length);
            return;
        }
        if (0 != (flags & ExportBatch.FIRST))
        {
            startIfNeeded(timestampNs);
            // Room for a whole chunk of the event: an event of up to a chunk, in however many pieces, then never
            // spills, so one whose bytes all wait for the next frame's can always be taken back.
            ensure(2 * EVENT_OVERHEAD + JsonStringEscaper.MAX_EXPANSION * CHUNK_LENGTH);
            openEventStart = position;
            openPreviousMicros = lastMicros;
            openContentStart = eventStart(timestampNs, code);
            openSpilled = false;
            position = openContentStart;
        }
        int p = position;
        int done = 0;
        while (done < length)
        {
            final int n = Math.min(length - done, CHUNK_LENGTH);
            if (buffer.length - p < EVENT_OVERHEAD + JsonStringEscaper.MAX_EXPANSION * n)
            {
                // One event larger than the buffer: write what is escaped so far and go on in the same string.
                position = p;
                drain();
                p = 0;
                openSpilled = true;
            }
            p = escaper.escape(src, offset + done, n, buffer, p);
            done += n;
        }
        position = p;
        if (0 != (flags & ExportBatch.LAST))
        {
            if (p == openContentStart && !openSpilled)
            {
                // All of it was the start of a character that the next frame completes: no empty event.
                position = openEventStart;
                lastMicros = openPreviousMicros;
                return;
            }
            position = put(EVENT_END, p);
        }
    }

    private void onResized(final long timestampNs, final int cols, final int rows)
    {
        startIfNeeded(timestampNs);
        ensure(EVENT_OVERHEAD);
        int p = eventStart(timestampNs, RESIZE_CODE);
        p = putDecimal(buffer, p, cols);
        buffer[p++] = 'x';
        p = putDecimal(buffer, p, rows);
        position = put(EVENT_END, p);
    }

    private void onExited(final long timestampNs, final int exitStatus, final boolean known)
    {
        startIfNeeded(timestampNs);
        flushEscapers(timestampNs);
        if (AsciicastFormat.ASCIICAST_V3 == format && known)
        {
            textEvent(timestampNs, EXIT_CODE, Integer.toString(exitStatus).getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * The end: an incomplete character left at the end becomes U+FFFD (with the fallback header first when the
     * session had no frame at all); everything is written to the sink.
     *
     * @param found whether any frame of the session was read.
     */
    private void finish(final boolean found)
    {
        if (AsciicastFormat.RAW != format && (found || null != fallback))
        {
            startIfNeeded(UNKNOWN);
            flushEscapers(UNKNOWN);
        }
        drain();
    }

    private void flushEscapers(final long timestampNs)
    {
        if (outputEscaper.hasPending())
        {
            finishEvent(timestampNs, OUTPUT_CODE, outputEscaper);
        }
        if (inputEscaper.hasPending())
        {
            finishEvent(timestampNs, INPUT_CODE, inputEscaper);
        }
    }

    private void finishEvent(final long timestampNs, final byte[] code, final JsonStringEscaper escaper)
    {
        ensure(EVENT_OVERHEAD);
        final int p = escaper.finish(buffer, eventStart(UNKNOWN == timestampNs ? startNs : timestampNs, code));
        position = put(EVENT_END, p);
    }

    private void startIfNeeded(final long timestampNs)
    {
        if (UNKNOWN != startNs)
        {
            return;
        }
        writeHeader(UNKNOWN == timestampNs ? System.currentTimeMillis() * 1_000_000L : timestampNs,
            null == fallback ? HeaderFields.DEFAULT : fallback);
    }

    private void writeHeader(final long timestampNs, final HeaderFields fields)
    {
        startNs = timestampNs;
        if (AsciicastFormat.RAW == format)
        {
            return;
        }
        final StringBuilder header = new StringBuilder(128);
        final boolean v3 = AsciicastFormat.ASCIICAST_V3 == format;
        header.append("{\"version\": ").append(v3 ? 3 : 2);
        if (v3)
        {
            header.append(", \"term\": {\"cols\": ").append(fields.cols()).append(", \"rows\": ")
                .append(fields.rows()).append('}');
        }
        else
        {
            header.append(", \"width\": ").append(fields.cols()).append(", \"height\": ").append(fields.rows());
        }
        header.append(", \"timestamp\": ").append(Math.floorDiv(timestampNs, 1_000_000_000L));
        final String display = CommandLine.display(fields.command());
        ensure(EVENT_OVERHEAD + header.length());
        int p = put(bytes(header.toString()), position);
        if (!display.isEmpty())
        {
            p = putField(p, ", \"command\": \"", display);
        }
        if (!fields.name().isEmpty())
        {
            p = putField(p, ", \"title\": \"", fields.name());
        }
        position = put(bytes("}\n"), p);
    }

    private int putField(final int p, final String key, final String value)
    {
        final byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        position = p;
        ensure(EVENT_OVERHEAD + utf8.length * JsonStringEscaper.MAX_EXPANSION);
        int q = put(bytes(key), position);
        q = JsonStringEscaper.escapeWhole(utf8, buffer, q);
        buffer[q++] = '"';

        return q;
    }

    private void textEvent(final long timestampNs, final byte[] code, final byte[] utf8)
    {
        ensure(EVENT_OVERHEAD + utf8.length * JsonStringEscaper.MAX_EXPANSION);
        final int p = JsonStringEscaper.escapeWhole(utf8, buffer, eventStart(timestampNs, code));
        position = put(EVENT_END, p);
    }

    private void copyRaw(final byte[] src, final int offset, final int length)
    {
        if (length >= buffer.length - position)
        {
            // A large piece goes straight to the sink, after what is buffered.
            drain();
            write(src, offset, length);
            return;
        }
        System.arraycopy(src, offset, buffer, position, length);
        position += length;
    }

    /**
     * Write {@code [TIME, CODE "} for an event; v2 times are since the start, v3 times since the previous event.
     *
     * @return the position after it.
     */
    private int eventStart(final long timestampNs, final byte[] code)
    {
        // Never backwards: frames of one session are journaled by two threads (output, and resizes/markers).
        final long micros = Math.max(lastMicros, Math.max(0, (timestampNs - startNs + 500) / 1000));
        final long written = AsciicastFormat.ASCIICAST_V3 == format ? micros - lastMicros : micros;
        lastMicros = micros;
        int p = position;
        buffer[p++] = '[';
        p = putDecimal(buffer, p, written / 1_000_000);
        buffer[p++] = '.';
        long fraction = written % 1_000_000;
        for (int divisor = 100_000; divisor > 0; divisor /= 10)
        {
            buffer[p++] = (byte)('0' + fraction / divisor);
            fraction %= divisor;
        }
        buffer[p++] = ',';
        buffer[p++] = ' ';

        return put(code, p);
    }

    private int put(final byte[] bytes, final int p)
    {
        System.arraycopy(bytes, 0, buffer, p, bytes.length);
        return p + bytes.length;
    }

    static int putDecimal(final byte[] dst, final int p, final long value)
    {
        if (value < 10)
        {
            dst[p] = (byte)('0' + value);
            return p + 1;
        }
        int digits = 0;
        for (long v = value; v > 0; v /= 10)
        {
            digits++;
        }
        long v = value;
        for (int i = p + digits - 1; i >= p; i--)
        {
            dst[i] = (byte)('0' + v % 10);
            v /= 10;
        }

        return p + digits;
    }

    private void ensure(final int length)
    {
        if (buffer.length - position < length)
        {
            drain();
        }
        if (buffer.length < length)
        {
            throw new IllegalStateException("an event of " + length + " bytes does not fit the export buffer");
        }
    }

    private void drain()
    {
        if (0 == position)
        {
            return;
        }
        write(buffer, 0, position);
        position = 0;
    }

    private void write(final byte[] bytes, final int offset, final int length)
    {
        try
        {
            out.write(bytes, offset, length);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static byte[] bytes(final String ascii)
    {
        return ascii.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * What a header says besides the time: the terminal's size, the session's name (title) and command line.
     */
    record HeaderFields(int cols, int rows, String name, String command)
    {
        static final HeaderFields DEFAULT = new HeaderFields(80, 24, "", "");
    }
}
