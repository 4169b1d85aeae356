package io.ptyq.consumer;

import io.ptyq.codec.sbe.InputDecoder;
import io.ptyq.codec.sbe.MarkerDecoder;
import io.ptyq.codec.sbe.ResizedDecoder;
import io.ptyq.codec.sbe.SessionExitedDecoder;
import io.ptyq.codec.sbe.SessionStartedDecoder;
import org.agrona.DirectBuffer;

import java.nio.file.Path;

/**
 * Receives the journal's events from a {@link JournalAdapter}. Buffers and decoders are views of the journal's
 * mapped memory, valid only during the callback: copy what must outlive it. Every method but
 * {@link #onDamagedFile} has a no-op default.
 */
public interface JournalListener
{
    /**
     * A session started.
     *
     * @param index   the frame's journal index.
     * @param decoder the checked frame.
     */
    default void onSessionStarted(long index, SessionStartedDecoder decoder)
    {
    }

    /**
     * Output of a session.
     *
     * @param index          the frame's journal index.
     * @param sessionId      the session.
     * @param streamPosition output bytes of the session before these.
     * @param timestampNs    when they were read, epoch ns.
     * @param buffer         holds the bytes.
     * @param offset         of the first byte in buffer.
     * @param length         of the bytes.
     */
    default void onOutput(
        long index, long sessionId, long streamPosition, long timestampNs, DirectBuffer buffer, int offset, int length)
    {
    }

    /**
     * Recorded input of a session.
     *
     * @param index   the frame's journal index.
     * @param decoder the checked frame; its data is at {@code buffer}, {@code offset}, {@code length}.
     */
    default void onInput(long index, InputDecoder decoder, DirectBuffer buffer, int offset, int length)
    {
    }

    /**
     * A session's terminal was resized.
     *
     * @param index   the frame's journal index.
     * @param decoder the checked frame.
     */
    default void onResized(long index, ResizedDecoder decoder)
    {
    }

    /**
     * A marker in a session.
     *
     * @param index   the frame's journal index.
     * @param decoder the checked frame.
     */
    default void onMarker(long index, MarkerDecoder decoder)
    {
    }

    /**
     * A session ended.
     *
     * @param index   the frame's journal index.
     * @param decoder the checked frame.
     */
    default void onSessionExited(long index, SessionExitedDecoder decoder)
    {
    }

    /**
     * A frame that is not valid was skipped.
     *
     * @param index  the frame's journal index.
     * @param reason one line saying what is wrong.
     */
    default void onInvalidFrame(long index, String reason)
    {
    }

    /**
     * The next callback, for the frame at {@code index}, repeats one that a {@link DurableConsumer} of the same name
     * began but did not finish (its process died, or the callback threw): its effects may be partly or wholly there
     * already. Called only by durable consumers, right before the repeated callback.
     *
     * @param index the journal index of the frame delivered again.
     */
    default void onRedelivery(long index)
    {
    }

    /**
     * A journal file could not be read past some point: truncated, overwritten with garbage or otherwise damaged.
     * The adapter has delivered every frame before the damage and goes on with the next cycle file, if any. The
     * default throws, so that the poll ends with the error; override it to read on past the damage.
     *
     * @param file   the damaged file.
     * @param reason one line saying what is wrong.
     * @throws JournalDamagedException unless overridden.
     */
    default void onDamagedFile(Path file, String reason)
    {
        throw new JournalDamagedException(file, reason, null);
    }
}
