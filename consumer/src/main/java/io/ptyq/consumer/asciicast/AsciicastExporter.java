package io.ptyq.consumer.asciicast;

import io.ptyq.codec.sbe.ExitReason;
import io.ptyq.codec.sbe.InputDecoder;
import io.ptyq.codec.sbe.MarkerDecoder;
import io.ptyq.codec.sbe.ResizedDecoder;
import io.ptyq.codec.sbe.SessionExitedDecoder;
import io.ptyq.codec.sbe.SessionStartedDecoder;
import io.ptyq.consumer.JournalListener;
import org.agrona.DirectBuffer;

import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes one session of the journal as asciicast v2 or v3, or as raw bytes, as a {@link JournalListener}: poll an
 * adapter filtered to the session through it, then {@link #finish()}; {@link #close()} in any case.
 * <p>
 * Output and input are decoded as UTF-8 by a decoder carried from frame to frame, so a character split between frames
 * comes out whole; invalid bytes become U+FFFD and are counted ({@link #replacements()}). This thread copies the
 * events into batches with their times and what the decoders carry into each batch ({@link Utf8Carry}), formats the
 * rare events itself, and the escaping of output and input is shared with a writer thread when the session is
 * longer than a batch ({@link ExportPipeline}); the bytes written are the same either way. Times are microseconds,
 * the precision of v2: since the start in v2, since the previous event in v3. No allocation per output or input
 * frame. Called from one thread; errors writing the sink are thrown as {@link UncheckedIOException}, from a later
 * call if the writer thread met them.
 */
public final class AsciicastExporter implements JournalListener, AutoCloseable
{
    private static final long UNKNOWN = Long.MIN_VALUE;

    private final long sessionId;
    private final AsciicastFormat format;
    private final Utf8Carry outputCarry = new Utf8Carry();
    private final Utf8Carry inputCarry = new Utf8Carry();
    private final ExportPipeline pipeline;
    private Fallback fallback;
    private long startNs = UNKNOWN;
    private long lastMicros;
    private long flushReplacements;
    private boolean found;
    private long outputBytes;
    private boolean exited;
    private int exitStatus;
    private long invalidFrames;
    private String firstInvalid;

    /**
     * @param sessionId the session to write; frames of others are ignored.
     * @param format    what to write.
     * @param out       where; written in large blocks, never flushed or closed here; by another thread than the
     *                  caller's for a long session.
     */
    public AsciicastExporter(final long sessionId, final AsciicastFormat format, final OutputStream out)
    {
        this(sessionId, format, out, ExportPipeline.BATCH_BYTES, ExportPipeline.BATCH_EVENTS,
            ExportPipeline.BATCH_COUNT);
    }

    /**
     * With batches of another size (tests make them tiny, so that a short session crosses many).
     */
    AsciicastExporter(
        final long sessionId, final AsciicastFormat format, final OutputStream out,
        final int batchBytes, final int batchEvents, final int batchCount)
    {
        this.sessionId = sessionId;
        this.format = format;
        this.pipeline = new ExportPipeline(AsciicastFormat.RAW == format, out, outputCarry, inputCarry,
            batchBytes, batchEvents, batchCount);
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
     * @return invalid UTF-8 sequences written as U+FFFD, once {@link #finish()} returned: the export was lossy when
     * this is not 0.
     */
    public long replacements()
    {
        return flushReplacements + pipeline.replacements();
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
            addPieces(ExportBatch.OUTPUT, 0, outputCarry, src, offset, length);
            return;
        }
        escapedEvent(ExportBatch.OUTPUT, timestampNs, outputCarry, src, offset, length);
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
        escapedEvent(ExportBatch.INPUT, decoder.timestampNs(), inputCarry, src, offset, length);
    }

    @Override
    public void onResized(final long index, final ResizedDecoder decoder)
    {
        if (decoder.sessionId() != sessionId || AsciicastFormat.RAW == format)
        {
            return;
        }
        startIfNeeded(decoder.timestampNs());
        line(ExportBatch.LINE, AsciicastLines.resizeEvent(
            nextTimeMicros(decoder.timestampNs()), decoder.cols(), decoder.rows()));
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
        line(ExportBatch.LINE, AsciicastLines.textEvent(
            nextTimeMicros(decoder.timestampNs()), AsciicastLines.MARKER_CODE, label));
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
        flushCarried(decoder.timestampNs());
        // An exit status only when there is one: not for an abandoned session or an import that had none.
        final boolean known = ExitReason.SIGNALED == decoder.reason() ||
            ((ExitReason.EXITED == decoder.reason() || ExitReason.SPAWN_FAILED == decoder.reason()) && code >= 0);
        if (AsciicastFormat.ASCIICAST_V3 == format && known)
        {
            line(ExportBatch.LINE, AsciicastLines.textEvent(nextTimeMicros(decoder.timestampNs()),
                AsciicastLines.EXIT_CODE, Integer.toString(exitStatus).getBytes(StandardCharsets.UTF_8)));
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
     * End the export: an incomplete character left at the end becomes U+FFFD; everything is written to the sink
     * before this returns. A session with no frames at all (only possible when the journal lost them) gets the
     * fallback header.
     */
    public void finish()
    {
        if (AsciicastFormat.RAW != format && (found || null != fallback))
        {
            startIfNeeded(UNKNOWN);
            flushCarried(UNKNOWN);
        }
        pipeline.finish();
    }

    /**
     * Stop the writer thread if the export ends without {@link #finish()} (an error reading the journal).
     */
    @Override
    public void close()
    {
        pipeline.close();
    }

    /**
     * @return whether the events were escaped and written with a writer thread.
     */
    boolean wroteOnWriterThread()
    {
        return pipeline.writerStarted();
    }

    private void escapedEvent(
        final byte kind, final long timestampNs, final Utf8Carry carry,
        final DirectBuffer src, final int offset, final int length)
    {
        if (length <= pipeline.pieceCapacity())
        {
            // One piece: the batch it goes to starts from what was carried before it.
            final ExportBatch batch = pipeline.forPiece(length);
            if (carry.append(src, offset, length))
            {
                // All of it is the start of a character that the next frame completes: no event, no time.
                batch.addPiece(kind, ExportBatch.FIRST | ExportBatch.LAST | ExportBatch.CARRIED, 0,
                    src, offset, length);
                return;
            }
            batch.addPiece(kind, ExportBatch.FIRST | ExportBatch.LAST, nextTimeMicros(timestampNs),
                src, offset, length);
            return;
        }
        // Longer than a batch, so longer than three bytes: it writes something.
        addPieces(kind, nextTimeMicros(timestampNs), carry, src, offset, length);
    }

    private void addPieces(
        final byte kind, final long timeMicros, final Utf8Carry carry,
        final DirectBuffer src, final int offset, final int length)
    {
        final boolean raw = AsciicastFormat.RAW == format;
        int done = 0;
        int flags = ExportBatch.FIRST;
        do
        {
            final ExportBatch batch = pipeline.forPiece(Math.min(length - done, pipeline.pieceCapacity()));
            final int n = Math.min(length - done, batch.pieceRoom());
            if (done + n == length)
            {
                flags |= ExportBatch.LAST;
            }
            batch.addPiece(kind, flags, timeMicros, src, offset + done, n);
            if (!raw)
            {
                carry.append(src, offset + done, n);
            }
            done += n;
            flags = 0;
        }
        while (done < length);
    }

    private void line(final byte kind, final byte[] line)
    {
        pipeline.forEvent().addLine(kind, line);
    }

    /**
     * The end of the streams (the session's exit, or the export's end): what is carried becomes U+FFFD.
     */
    private void flushCarried(final long timestampNs)
    {
        final long eventNs = UNKNOWN == timestampNs ? startNs : timestampNs;
        // The line first: a batch handed over for it carries the sequence out, and the next carries it in.
        if (outputCarry.pendingLength() > 0)
        {
            line(ExportBatch.FLUSH_OUTPUT,
                AsciicastLines.replacementEvent(nextTimeMicros(eventNs), AsciicastLines.OUTPUT_CODE));
            outputCarry.reset();
            flushReplacements++;
        }
        if (inputCarry.pendingLength() > 0)
        {
            line(ExportBatch.FLUSH_INPUT,
                AsciicastLines.replacementEvent(nextTimeMicros(eventNs), AsciicastLines.INPUT_CODE));
            inputCarry.reset();
            flushReplacements++;
        }
    }

    /**
     * @return the time an event is written with: since the start in v2, since the previous event in v3.
     */
    private long nextTimeMicros(final long timestampNs)
    {
        // Never backwards: frames of one session are journaled by two threads (output, and resizes/markers).
        final long micros = Math.max(lastMicros, Math.max(0, (timestampNs - startNs + 500) / 1000));
        final long written = AsciicastFormat.ASCIICAST_V3 == format ? micros - lastMicros : micros;
        lastMicros = micros;

        return written;
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
        line(ExportBatch.LINE, AsciicastLines.header(format, timestampNs, cols, rows, name, command));
    }

    private record Fallback(int cols, int rows, String name, String command)
    {
    }
}
