package io.ptyq.bench;

import io.ptyq.codec.sbe.SessionExitedDecoder;
import io.ptyq.consumer.JournalListener;
import org.agrona.DirectBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Follows one session in the journal: counts its output, notes its exit and, when given the expected bytes, checks
 * every output byte against them. Not thread safe.
 */
final class SessionTail implements JournalListener
{
    private long sessionId = -1;
    private TerminalTextFile.PtyBytes expected;
    private long outputBytes;
    private long outputFrames;
    private long positionGaps;
    private long firstMismatch;
    private boolean exited;
    private int exitCode;
    private long exitedTotalOutputBytes;

    /**
     * Start following a session.
     *
     * @param sessionId the session.
     * @param expected  the bytes its output must equal, or null to only count.
     */
    void follow(final long sessionId, final TerminalTextFile.PtyBytes expected)
    {
        this.sessionId = sessionId;
        this.expected = expected;
        outputBytes = 0;
        outputFrames = 0;
        positionGaps = 0;
        firstMismatch = -1;
        exited = false;
        exitCode = 0;
        exitedTotalOutputBytes = -1;
    }

    @Override
    public void onOutput(
        final long index,
        final long sessionId,
        final long streamPosition,
        final long timestampNs,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        if (sessionId != this.sessionId)
        {
            return;
        }
        if (streamPosition != outputBytes)
        {
            positionGaps++;
        }
        if (null != expected && firstMismatch < 0)
        {
            compare(buffer, offset, length);
        }
        outputBytes += length;
        outputFrames++;
    }

    private void compare(final DirectBuffer buffer, final int offset, final int length)
    {
        try
        {
            for (int i = 0; i < length; i++)
            {
                if ((buffer.getByte(offset + i) & 0xFF) != expected.next())
                {
                    firstMismatch = outputBytes + i;
                    return;
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    @Override
    public void onSessionExited(final long index, final SessionExitedDecoder decoder)
    {
        if (decoder.sessionId() == sessionId)
        {
            exited = true;
            exitCode = decoder.exitCode();
            exitedTotalOutputBytes = decoder.totalOutputBytes();
        }
    }

    boolean exited()
    {
        return exited;
    }

    long outputBytes()
    {
        return outputBytes;
    }

    long outputFrames()
    {
        return outputFrames;
    }

    /**
     * @param expectedLength bytes the session must have written.
     * @return null if the session's journal is exactly as expected, else what is wrong.
     */
    String problem(final long expectedLength) throws IOException
    {
        if (!exited)
        {
            return "no SessionExited frame";
        }
        if (0 != exitCode)
        {
            return "exit code " + exitCode;
        }
        if (positionGaps > 0)
        {
            return positionGaps + " Output frames whose streamPosition is not the bytes before them";
        }
        if (firstMismatch >= 0)
        {
            return "output differs from the expected bytes at offset " + firstMismatch;
        }
        if (outputBytes != expectedLength || exitedTotalOutputBytes != expectedLength)
        {
            return "output of " + outputBytes + " bytes (SessionExited says " + exitedTotalOutputBytes +
                "), expected " + expectedLength;
        }
        if (null != expected && expected.next() >= 0)
        {
            return "expected bytes left over after the output";
        }

        return null;
    }
}
