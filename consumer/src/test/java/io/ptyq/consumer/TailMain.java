package io.ptyq.consumer;

import io.ptyq.codec.sbe.SessionExitedDecoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AgentRunner;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Child process of {@link ConcurrentConsumersSystemTest}: a {@link JournalAgent} on its own thread with the default
 * idle strategy, copying one session's output from its start to a file until the session ends; exits 0 then.
 * <p>
 * Arguments: journal directory, session id, output file.
 */
public final class TailMain implements JournalListener
{
    private final long sessionId;
    private final OutputStream out;
    private final byte[] copy = new byte[1 << 20];
    private final CountDownLatch ended = new CountDownLatch(1);
    private JournalAgent agent;

    private TailMain(final long sessionId, final OutputStream out)
    {
        this.sessionId = sessionId;
        this.out = out;
    }

    public static void main(final String[] args) throws Exception
    {
        final Path journal = Path.of(args[0]);
        final long sessionId = Long.parseLong(args[1]);
        final AtomicReference<Throwable> error = new AtomicReference<>();
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(Path.of(args[2])), 1 << 16);
            JournalReader reader = JournalReader.open(journal))
        {
            final TailMain listener = new TailMain(sessionId, out);
            listener.agent = new JournalAgent(
                reader.adapter(listener, StartPosition.sessionStart(sessionId), SessionFilter.only(sessionId)));
            final AgentRunner runner = JournalAgent.start(listener.agent, (throwable) ->
            {
                error.compareAndSet(null, throwable);
                listener.ended.countDown();
            });
            System.out.println("ready");
            listener.ended.await();
            // Stops the agent's thread and waits for it; the agent closes its adapter on the way out.
            runner.close();
        }
        if (null != error.get())
        {
            error.get().printStackTrace();
            System.exit(1);
        }
        System.out.println("done");
    }

    @Override
    public void onOutput(
        final long index, final long sessionId, final long streamPosition, final long timestampNs,
        final DirectBuffer buffer, final int offset, final int length)
    {
        buffer.getBytes(offset, copy, 0, length);
        try
        {
            out.write(copy, 0, length);
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
            agent.terminate();
            ended.countDown();
        }
    }

    @Override
    public void onInvalidFrame(final long index, final String reason)
    {
        throw new IllegalStateException("invalid frame at " + Long.toHexString(index) + ": " + reason);
    }
}
