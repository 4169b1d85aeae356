package io.ptyq.consumer;

import io.ptyq.codec.FrameDescriptor;
import io.ptyq.codec.sbe.SessionExitedDecoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.LockSupport;

/**
 * Child process of {@link DurableConsumerSystemTest}: a named durable consumer whose sink is exact. It writes each
 * output frame's bytes at their {@code streamPosition} in a sink file (idempotent, so a redelivered frame changes
 * nothing) and appends a 32-byte record per delivery to a log (index, streamPosition, length, redelivered flag), the
 * evidence the test checks for gaps and duplicates. Between the two it dawdles, as a slow sink would, so that a kill
 * often lands between them. Exits 0 when the session ends.
 * <p>
 * Arguments: journal directory, consumer name, session id, sink file, log file, dawdle ns per frame.
 */
public final class DurableSinkMain implements JournalListener
{
    static final int RECORD_LENGTH = 32;

    private final long sessionId;
    private final long dawdleNs;
    private final FileChannel sink;
    private final FileChannel log;
    private final ByteBuffer data = ByteBuffer.allocateDirect(FrameDescriptor.MAX_OUTPUT_DATA_LENGTH);
    private final ByteBuffer record = ByteBuffer.allocateDirect(RECORD_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    private long redeliveryIndex = -1;
    private boolean ended;

    private DurableSinkMain(final long sessionId, final long dawdleNs, final FileChannel sink, final FileChannel log)
    {
        this.sessionId = sessionId;
        this.dawdleNs = dawdleNs;
        this.sink = sink;
        this.log = log;
    }

    public static void main(final String[] args) throws IOException
    {
        final Path journal = Path.of(args[0]);
        final String name = args[1];
        final long sessionId = Long.parseLong(args[2]);
        final long dawdleNs = Long.parseLong(args[5]);
        try (FileChannel sink = FileChannel.open(Path.of(args[3]), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileChannel log = FileChannel.open(Path.of(args[4]), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
            JournalReader reader = JournalReader.open(journal))
        {
            final DurableSinkMain listener = new DurableSinkMain(sessionId, dawdleNs, sink, log);
            try (DurableConsumer consumer = DurableConsumer.open(reader, name, listener,
                StartPosition.sessionStart(sessionId), SessionFilter.only(sessionId)))
            {
                System.out.println(consumer.isResumed() ? "resumed" : "new");
                final IdleStrategy idle = JournalAgent.defaultIdleStrategy(consumer.adapter());
                while (!listener.ended)
                {
                    idle.idle(consumer.poll(64));
                }
            }
        }
        System.out.println("done");
    }

    @Override
    public void onRedelivery(final long index)
    {
        redeliveryIndex = index;
    }

    @Override
    public void onOutput(
        final long index, final long sessionId, final long streamPosition, final long timestampNs,
        final DirectBuffer buffer, final int offset, final int length)
    {
        try
        {
            data.clear().limit(length);
            buffer.getBytes(offset, data, 0, length);
            long position = streamPosition;
            while (data.hasRemaining())
            {
                position += sink.write(data, position);
            }

            LockSupport.parkNanos(dawdleNs);

            record.clear();
            record.putLong(index).putLong(streamPosition).putLong(length).putLong(index == redeliveryIndex ? 1 : 0);
            record.flip();
            while (record.hasRemaining())
            {
                log.write(record);
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
        ended = decoder.sessionId() == sessionId;
    }

    @Override
    public void onInvalidFrame(final long index, final String reason)
    {
        throw new IllegalStateException("invalid frame at " + Long.toHexString(index) + ": " + reason);
    }
}
