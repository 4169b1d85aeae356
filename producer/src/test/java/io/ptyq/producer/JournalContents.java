package io.ptyq.producer;

import io.ptyq.codec.sbe.ExitReason;
import io.ptyq.codec.sbe.SessionExitedDecoder;
import io.ptyq.codec.sbe.SessionStartedDecoder;
import io.ptyq.consumer.JournalAdapter;
import io.ptyq.consumer.JournalListener;
import io.ptyq.consumer.JournalReader;
import org.agrona.DirectBuffer;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Everything a journal holds, read back with the consumer API, with per-session checks of stream order.
 */
final class JournalContents implements JournalListener
{
    final Map<Long, ByteArrayOutputStream> output = new HashMap<>();
    final Map<Long, String> names = new HashMap<>();
    final Map<Long, Integer> exitCodes = new HashMap<>();
    final Map<Long, Integer> signals = new HashMap<>();
    final Map<Long, ExitReason> reasons = new HashMap<>();
    final Map<Long, String> details = new HashMap<>();
    final Map<Long, Long> totals = new HashMap<>();
    long invalidFrames;

    static JournalContents read(final Path journal)
    {
        final JournalContents contents = new JournalContents();
        try (JournalReader reader = JournalReader.open(journal);
            JournalAdapter adapter = reader.adapter(contents))
        {
            while (adapter.poll(4096) > 0)
            {
                // Read what is there now.
            }
        }

        return contents;
    }

    /**
     * Wait up to 60 s until the journal holds a SessionExited for every one of {@code sessions}.
     */
    static void awaitExit(final Path journal, final long... sessions) throws InterruptedException
    {
        final long deadlineMs = System.currentTimeMillis() + 60_000;
        while (!read(journal).reasons.keySet().containsAll(
            java.util.Arrays.stream(sessions).boxed().toList()))
        {
            if (System.currentTimeMillis() > deadlineMs)
            {
                throw new AssertionError("timed out after 60 s waiting for the exit of sessions " +
                    java.util.Arrays.toString(sessions));
            }
            Thread.sleep(50);
        }
    }

    byte[] output(final long sessionId)
    {
        final ByteArrayOutputStream bytes = output.get(sessionId);
        return null == bytes ? new byte[0] : bytes.toByteArray();
    }

    @Override
    public void onSessionStarted(final long index, final SessionStartedDecoder decoder)
    {
        names.put(decoder.sessionId(), decoder.name());
        output.put(decoder.sessionId(), new ByteArrayOutputStream());
    }

    @Override
    public void onOutput(
        final long index, final long sessionId, final long streamPosition, final long timestampNs,
        final DirectBuffer buffer, final int offset, final int length)
    {
        final ByteArrayOutputStream bytes = output.get(sessionId);
        if (null == bytes)
        {
            // Its SessionStarted is not in what was read (a cycle moved aside, a start before the reader's first
            // frame): no byte count to check it against.
            return;
        }
        if (bytes.size() != streamPosition)
        {
            throw new AssertionError("session " + sessionId + " frame at streamPosition " + streamPosition +
                " after " + bytes.size() + " bytes: a gap or a reorder");
        }
        final byte[] data = new byte[length];
        buffer.getBytes(offset, data);
        bytes.writeBytes(data);
    }

    @Override
    public void onSessionExited(final long index, final SessionExitedDecoder decoder)
    {
        exitCodes.put(decoder.sessionId(), decoder.exitCode());
        signals.put(decoder.sessionId(), decoder.signal());
        reasons.put(decoder.sessionId(), decoder.reason());
        totals.put(decoder.sessionId(), decoder.totalOutputBytes());
        details.put(decoder.sessionId(), decoder.detail());
    }

    @Override
    public void onInvalidFrame(final long index, final String reason)
    {
        invalidFrames++;
    }
}
