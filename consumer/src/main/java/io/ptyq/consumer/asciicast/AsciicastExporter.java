package io.ptyq.consumer.asciicast;

import io.ptyq.codec.CommandLine;
import io.ptyq.codec.sbe.ExitReason;
import io.ptyq.codec.sbe.InputDecoder;
import io.ptyq.codec.sbe.MarkerDecoder;
import io.ptyq.codec.sbe.ResizedDecoder;
import io.ptyq.codec.sbe.SessionExitedDecoder;
import io.ptyq.codec.sbe.SessionStartedDecoder;
import io.ptyq.consumer.JournalListener;
import org.agrona.DirectBuffer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes one session of the journal as asciicast v2 or v3, or as raw bytes, as a {@link JournalListener}: poll an
 * adapter filtered to the session through it, then {@link #finish()}.
 * <p>
 * Output and input are decoded as UTF-8 by a decoder carried from frame to frame, so a character split between frames
 * comes out whole; invalid bytes become U+FFFD and are counted ({@link #replacements()}). Escaping is done by hand,
 * UTF-8 to UTF-8, into one reused buffer: no allocation per event. Times are microseconds, the precision of v2.
 * One thread; errors writing the sink are thrown as {@link UncheckedIOException}.
 */
public final class AsciicastExporter implements JournalListener
{
    private static final int BUFFER_LENGTH = 8 << 20; // a largest frame (1 MiB) escaped fits
    private static final int CHUNK_LENGTH = 32 * 1024;
    private static final int EVENT_OVERHEAD = 64;
    private static final long UNKNOWN = Long.MIN_VALUE;
    private static final byte[] OUTPUT_CODE = bytes("\"o\", \"");
    private static final byte[] INPUT_CODE = bytes("\"i\", \"");
    private static final byte[] RESIZE_CODE = bytes("\"r\", \"");
    private static final byte[] MARKER_CODE = bytes("\"m\", \"");
    private static final byte[] EXIT_CODE = bytes("\"x\", \"");
    private static final byte[] EVENT_END = bytes("\"]\n");

    private final long sessionId;
    private final AsciicastFormat format;
    private final OutputStream out;
    private final byte[] buffer = new byte[BUFFER_LENGTH];
    private final byte[] chunk = new byte[CHUNK_LENGTH];
    private final JsonStringEscaper outputEscaper = new JsonStringEscaper();
    private final JsonStringEscaper inputEscaper = new JsonStringEscaper();
    private int position;
    private boolean found;
    private long startNs = UNKNOWN;
    private long lastMicros;
    private long outputBytes;
    private boolean exited;
    private int exitStatus;
    private Fallback fallback;
    private long invalidFrames;
    private String firstInvalid;

    /**
     * @param sessionId the session to write; frames of others are ignored.
     * @param format    what to write.
     * @param out       where; written in large blocks, never flushed or closed here.
     */
    public AsciicastExporter(final long sessionId, final AsciicastFormat format, final OutputStream out)
    {
        this.sessionId = sessionId;
        this.format = format;
        this.out = out;
    }

    /**
     * What the header says when the session's {@code SessionStarted} frame is not in the journal any more (retention
     * removed it): the header is then written at the session's first frame.
     *
     * @return this.
     */
    public AsciicastExporter fallback(
        final int cols, final int rows, final String name, final String command)
    {
        this.fallback = new Fallback(cols, rows, name, command);
        return this;
    }

    /**
     * @return whether any frame of the session has been read.
     */
    public boolean found()
    {
        return found;
    }

    /**
     * @return output bytes read so far.
     */
    public long outputBytes()
    {
        return outputBytes;
    }

    /**
     * @return whether the session's end has been read.
     */
    public boolean exited()
    {
        return exited;
    }

    /**
     * @return invalid UTF-8 sequences written as U+FFFD: the export was lossy when this is not 0.
     */
    public long replacements()
    {
        return outputEscaper.replacements() + inputEscaper.replacements();
    }

    /**
     * @return the session's exit status (128+signal when a signal ended it), once {@link #exited()}.
     */
    public int exitStatus()
    {
        return exitStatus;
    }

    /**
     * @return frames of the journal skipped as invalid.
     */
    public long invalidFrames()
    {
        return invalidFrames;
    }

    /**
     * @return what was wrong with the first invalid frame, or null.
     */
    public String firstInvalid()
    {
        return firstInvalid;
    }

    @Override
    public void onSessionStarted(final long index, final SessionStartedDecoder decoder)
    {
        if (decoder.sessionId() != sessionId || UNKNOWN != startNs)
        {
            return;
        }
        found = true;
        final int cols = decoder.cols();
        final int rows = decoder.rows();
        final String name = decoder.name();
        final String command = decoder.command();
        writeHeader(decoder.timestampNs(), cols, rows, name, command);
    }

    @Override
    public void onOutput(
        final long index, final long sessionId, final long streamPosition, final long timestampNs,
        final DirectBuffer src, final int offset, final int length)
    {
        if (sessionId != this.sessionId)
        {
            return;
        }
        startIfNeeded(timestampNs);
        outputBytes += length;
        if (AsciicastFormat.RAW == format)
        {
            copyRaw(src, offset, length);
            return;
        }
        escapedEvent(timestampNs, OUTPUT_CODE, outputEscaper, src, offset, length);
    }

    @Override
    public void onInput(final long index, final InputDecoder decoder, final DirectBuffer src, final int offset,
        final int length)
    {
        if (decoder.sessionId() != sessionId || AsciicastFormat.RAW == format)
        {
            return;
        }
        startIfNeeded(decoder.timestampNs());
        escapedEvent(decoder.timestampNs(), INPUT_CODE, inputEscaper, src, offset, length);
    }

    @Override
    public void onResized(final long index, final ResizedDecoder decoder)
    {
        if (decoder.sessionId() != sessionId || AsciicastFormat.RAW == format)
        {
            return;
        }
        startIfNeeded(decoder.timestampNs());
        ensure(EVENT_OVERHEAD);
        int p = eventStart(decoder.timestampNs(), RESIZE_CODE);
        p = putDecimal(buffer, p, decoder.cols());
        buffer[p++] = 'x';
        p = putDecimal(buffer, p, decoder.rows());
        position = put(EVENT_END, p);
    }

    @Override
    public void onMarker(final long index, final MarkerDecoder decoder)
    {
        if (decoder.sessionId() != sessionId || AsciicastFormat.RAW == format)
        {
            return;
        }
        startIfNeeded(decoder.timestampNs());
        final byte[] label = decoder.label().getBytes(StandardCharsets.UTF_8);
        textEvent(decoder.timestampNs(), MARKER_CODE, label);
    }

    @Override
    public void onSessionExited(final long index, final SessionExitedDecoder decoder)
    {
        if (decoder.sessionId() != sessionId)
        {
            return;
        }
        startIfNeeded(decoder.timestampNs());
        exited = true;
        final int code = decoder.exitCode();
        exitStatus = ExitReason.SIGNALED == decoder.reason() && decoder.signal() > 0 ? 128 + decoder.signal() : code;
        flushEscapers(decoder.timestampNs());
        // An exit status only when there is one: not for an abandoned session or an import that had none.
        final boolean known = ExitReason.SIGNALED == decoder.reason() ||
            ((ExitReason.EXITED == decoder.reason() || ExitReason.SPAWN_FAILED == decoder.reason()) && code >= 0);
        if (AsciicastFormat.ASCIICAST_V3 == format && known)
        {
            textEvent(decoder.timestampNs(), EXIT_CODE, Integer.toString(exitStatus).getBytes(StandardCharsets.UTF_8));
        }
    }

    @Override
    public void onInvalidFrame(final long index, final String reason)
    {
        if (0 == invalidFrames++)
        {
            firstInvalid = "index " + Long.toHexString(index) + ": " + reason;
        }
    }

    /**
     * End the export: an incomplete character left at the end becomes U+FFFD; everything is written to the sink.
     * A session with no frames at all (only possible when the journal lost them) gets the fallback header.
     */
    public void finish()
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
        found = true;
        if (UNKNOWN != startNs)
        {
            return;
        }
        final Fallback header = null == fallback ? new Fallback(80, 24, "", "") : fallback;
        writeHeader(UNKNOWN == timestampNs ? System.currentTimeMillis() * 1_000_000L : timestampNs,
            header.cols, header.rows, header.name, header.command);
    }

    private void writeHeader(
        final long timestampNs, final int cols, final int rows, final String name, final String command)
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
            header.append(", \"term\": {\"cols\": ").append(cols).append(", \"rows\": ").append(rows).append('}');
        }
        else
        {
            header.append(", \"width\": ").append(cols).append(", \"height\": ").append(rows);
        }
        header.append(", \"timestamp\": ").append(Math.floorDiv(timestampNs, 1_000_000_000L));
        final String display = CommandLine.display(command);
        int p = put(bytes(header.toString()), position);
        if (!display.isEmpty())
        {
            p = putField(p, ", \"command\": \"", display);
        }
        if (!name.isEmpty())
        {
            p = putField(p, ", \"title\": \"", name);
        }
        position = put(bytes("}\n"), p);
    }

    private int putField(final int p, final String key, final String value)
    {
        final byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        ensure(EVENT_OVERHEAD + utf8.length * JsonStringEscaper.MAX_EXPANSION);
        int q = put(bytes(key), p);
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

    private void escapedEvent(
        final long timestampNs, final byte[] code, final JsonStringEscaper escaper,
        final DirectBuffer src, final int offset, final int length)
    {
        ensure(EVENT_OVERHEAD + JsonStringEscaper.MAX_EXPANSION * Math.min(length, CHUNK_LENGTH));
        final int eventStart = position;
        final long previousMicros = lastMicros;
        final int contentStart = eventStart(timestampNs, code);
        int p = contentStart;
        int done = 0;
        boolean spilled = false;
        while (done < length)
        {
            final int n = Math.min(length - done, CHUNK_LENGTH);
            if (buffer.length - p < EVENT_OVERHEAD + JsonStringEscaper.MAX_EXPANSION * n)
            {
                // One event larger than the buffer: write what is escaped so far and go on in the same string.
                position = p;
                drain();
                p = 0;
                spilled = true;
            }
            src.getBytes(offset + done, chunk, 0, n);
            p = escaper.escape(chunk, 0, n, buffer, p);
            done += n;
        }
        if (p == contentStart && !spilled)
        {
            // All of it was the start of a character that the next frame completes: no empty event.
            position = eventStart;
            lastMicros = previousMicros;
            return;
        }
        position = put(EVENT_END, p);
    }

    private void copyRaw(final DirectBuffer src, final int offset, final int length)
    {
        int done = 0;
        while (done < length)
        {
            if (position == buffer.length)
            {
                drain();
            }
            final int n = Math.min(length - done, buffer.length - position);
            src.getBytes(offset + done, buffer, position, n);
            position += n;
            done += n;
        }
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
        try
        {
            out.write(buffer, 0, position);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        position = 0;
    }

    private static byte[] bytes(final String ascii)
    {
        return ascii.getBytes(StandardCharsets.UTF_8);
    }

    private record Fallback(int cols, int rows, String name, String command)
    {
    }
}
