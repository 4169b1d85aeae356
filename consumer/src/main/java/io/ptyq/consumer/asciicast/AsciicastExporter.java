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
 * comes out whole; invalid bytes become U+FFFD and are counted ({@link #replacements()}). The events are copied into
 * batches and written by an {@link AsciicastWriter} on a second thread when the session is longer than a batch
 * ({@link ExportPipeline}), so that the journal's scan and the escaping overlap; the bytes written are the same.
 * No allocation per output or input frame. Called from one thread; errors writing the sink are thrown as
 * {@link UncheckedIOException}, from a later call if the writer thread met them.
 */
public final class AsciicastExporter implements JournalListener, AutoCloseable
{
    private final long sessionId;
    private final AsciicastFormat format;
    private final AsciicastWriter writer;
    private final ExportPipeline pipeline;
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
        this.writer = new AsciicastWriter(format, out);
        this.pipeline = new ExportPipeline(writer, batchBytes, batchEvents, batchCount);
    }

    /**
     * What the header says when the session's {@code SessionStarted} frame is not in the journal any more (retention
     * removed it): the header is then written at the session's first frame. Before the first frame.
     *
     * @return this.
     */
    public AsciicastExporter fallback(
        final int cols, final int rows, final String name, final String command)
    {
        writer.fallback(new AsciicastWriter.HeaderFields(cols, rows, name, command));
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
        return writer.replacements();
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
        if (decoder.sessionId() != sessionId || found)
        {
            return;
        }
        found = true;
        final AsciicastWriter.HeaderFields fields = new AsciicastWriter.HeaderFields(
            decoder.cols(), decoder.rows(), decoder.name(), decoder.command());
        pipeline.forEvent().add(ExportBatch.STARTED, decoder.timestampNs(), 0, 0, fields);
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
        found = true;
        outputBytes += length;
        addData(ExportBatch.OUTPUT, timestampNs, src, offset, length);
    }

    @Override
    public void onInput(final long index, final InputDecoder decoder, final DirectBuffer src, final int offset,
        final int length)
    {
        if (decoder.sessionId() != sessionId || AsciicastFormat.RAW == format)
        {
            return;
        }
        found = true;
        addData(ExportBatch.INPUT, decoder.timestampNs(), src, offset, length);
    }

    @Override
    public void onResized(final long index, final ResizedDecoder decoder)
    {
        if (decoder.sessionId() != sessionId || AsciicastFormat.RAW == format)
        {
            return;
        }
        found = true;
        pipeline.forEvent().add(ExportBatch.RESIZED, decoder.timestampNs(), decoder.cols(), decoder.rows(), null);
    }

    @Override
    public void onMarker(final long index, final MarkerDecoder decoder)
    {
        if (decoder.sessionId() != sessionId || AsciicastFormat.RAW == format)
        {
            return;
        }
        found = true;
        final byte[] label = decoder.label().getBytes(StandardCharsets.UTF_8);
        pipeline.forEvent().add(ExportBatch.MARKER, decoder.timestampNs(), 0, 0, label);
    }

    @Override
    public void onSessionExited(final long index, final SessionExitedDecoder decoder)
    {
        if (decoder.sessionId() != sessionId)
        {
            return;
        }
        found = true;
        exited = true;
        final int code = decoder.exitCode();
        exitStatus = ExitReason.SIGNALED == decoder.reason() && decoder.signal() > 0 ? 128 + decoder.signal() : code;
        // An exit status only when there is one: not for an abandoned session or an import that had none.
        final boolean known = ExitReason.SIGNALED == decoder.reason() ||
            ((ExitReason.EXITED == decoder.reason() || ExitReason.SPAWN_FAILED == decoder.reason()) && code >= 0);
        pipeline.forEvent().add(ExportBatch.EXITED, decoder.timestampNs(), exitStatus, known ? 1 : 0, null);
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
        pipeline.forEvent().add(ExportBatch.FINISH, AsciicastWriter.UNKNOWN, found ? 1 : 0, 0, null);
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
     * @return whether the events were written on a writer thread.
     */
    boolean wroteOnWriterThread()
    {
        return pipeline.writerStarted();
    }

    private void addData(
        final byte kind, final long timestampNs, final DirectBuffer src, final int offset, final int length)
    {
        int done = 0;
        int flags = ExportBatch.FIRST;
        do
        {
            final ExportBatch batch = pipeline.forData();
            final int n = Math.min(length - done, batch.dataRemaining());
            if (done + n == length)
            {
                flags |= ExportBatch.LAST;
            }
            batch.addPiece(kind, flags, timestampNs, src, offset + done, n);
            done += n;
            flags = 0;
        }
        while (done < length);
    }
}
