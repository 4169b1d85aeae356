package io.ptyq.bridge;

import io.ptyq.codec.sbe.SessionExitedDecoder;
import io.ptyq.consumer.JournalAdapter;
import io.ptyq.consumer.JournalListener;
import io.ptyq.consumer.JournalReader;
import org.agrona.DirectBuffer;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;

/**
 * What the journal holds for one session, read the way any consumer reads it: the reference a page is checked against.
 */
final class JournalBytes implements JournalListener
{
    private final long sessionId;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private boolean exited;

    private JournalBytes(final long sessionId)
    {
        this.sessionId = sessionId;
    }

    /**
     * @return the session's output so far and whether its end is journaled.
     */
    static JournalBytes read(final Path journal, final long sessionId)
    {
        final JournalBytes result = new JournalBytes(sessionId);
        try (JournalReader reader = JournalReader.open(journal);
            JournalAdapter adapter = reader.adapter(result))
        {
            while (adapter.poll(4096) > 0)
            {
                // To the end of what is there now.
            }
        }

        return result;
    }

    byte[] bytes()
    {
        return bytes.toByteArray();
    }

    boolean exited()
    {
        return exited;
    }

    @Override
    public void onOutput(
        final long index, final long sessionId, final long streamPosition, final long timestampNs,
        final DirectBuffer buffer, final int offset, final int length)
    {
        if (sessionId == this.sessionId)
        {
            if (streamPosition != bytes.size())
            {
                throw new AssertionError("journal gap in session " + sessionId + " at " + streamPosition);
            }
            final byte[] copy = new byte[length];
            buffer.getBytes(offset, copy);
            bytes.writeBytes(copy);
        }
    }

    @Override
    public void onSessionExited(final long index, final SessionExitedDecoder decoder)
    {
        if (decoder.sessionId() == sessionId)
        {
            exited = true;
        }
    }
}
