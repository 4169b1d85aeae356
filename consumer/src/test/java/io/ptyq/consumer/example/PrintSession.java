package io.ptyq.consumer.example;

import io.ptyq.codec.sbe.SessionExitedDecoder;
import io.ptyq.consumer.JournalAdapter;
import io.ptyq.consumer.JournalAgent;
import io.ptyq.consumer.JournalListener;
import io.ptyq.consumer.JournalReader;
import io.ptyq.consumer.SessionFilter;
import io.ptyq.consumer.StartPosition;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;

import java.nio.file.Path;

/**
 * Prints a session's output from its first byte, live, until it ends: {@code PrintSession JOURNAL_DIR SESSION_ID}.
 */
public final class PrintSession implements JournalListener
{
    private final byte[] copy = new byte[1 << 20];
    private boolean ended;

    public static void main(final String[] args)
    {
        final long sessionId = Long.parseLong(args[1]);
        final PrintSession printer = new PrintSession();
        try (JournalReader reader = JournalReader.open(Path.of(args[0]));
            JournalAdapter adapter = reader.adapter(printer, StartPosition.sessionStart(sessionId),
                SessionFilter.only(sessionId)))
        {
            // BusySpinIdleStrategy: less latency, a core.
            final IdleStrategy idle = JournalAgent.defaultIdleStrategy(adapter);
            while (!printer.ended)
            {
                idle.idle(adapter.poll(256));
            }
        }
    }

    @Override
    public void onOutput(final long index, final long sessionId, final long streamPosition, final long timestampNs,
        final DirectBuffer buffer, final int offset, final int length)
    {
        buffer.getBytes(offset, copy, 0, length); // the view is valid only during the callback
        System.out.write(copy, 0, length);
        System.out.flush();
    }

    @Override
    public void onSessionExited(final long index, final SessionExitedDecoder decoder)
    {
        ended = true;
    }
}
