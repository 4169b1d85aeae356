package io.ptyq.consumer.asciicast;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Carries an export's events from the thread that reads the journal to the sink through a ring of preallocated
 * {@link ExportBatch}es, and shares the escaping between that thread and a writer thread ({@code export-writer}),
 * so that an export uses two cores: the writer escapes the batches handed to it as they are and writes every batch
 * to the sink in the order they were filled; the reader escapes a batch itself before handing it over whenever the
 * writer is a whole batch behind (in the bench's exports it escaped about half of them with 4 KiB frames, a
 * quarter with 256 B frames, where reading each frame costs more). The writer thread is started when a second batch
 * is first needed: a short export is escaped and written on the caller's thread with no thread started.
 * <p>
 * Memory is bounded by the ring: when the writer is behind, the reader waits for a batch to come back. An error of
 * the writer (the sink's, as {@link UncheckedIOException}) is thrown on the reader's thread at its next hand-over or
 * at {@link #finish()}. The reader's side is one thread; {@link #close()} stops the writer if the export was
 * abandoned.
 */
final class ExportPipeline implements AutoCloseable
{
    static final int BATCH_BYTES = 128 * 1024;
    static final int BATCH_EVENTS = 2048;
    static final int BATCH_COUNT = 8;
    private static final int BACKLOG = 2;
    private static final int SPINS = 100;
    private static final long MAX_PARK_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private final boolean raw;
    private final OutputStream out;
    private final Utf8Carry outputCarry;
    private final Utf8Carry inputCarry;
    private final BatchEscaper escaper = new BatchEscaper();
    private final OneToOneConcurrentArrayQueue<ExportBatch> filled;
    private final OneToOneConcurrentArrayQueue<ExportBatch> free;
    private final IdleStrategy readerIdle = new SignalledIdleStrategy();
    private WriterAgent agent;
    private ExportBatch current;
    private AgentRunner runner;
    private Thread writerThread;
    private long handedOver;
    private boolean finished;

    /**
     * @param raw         whether the batches are written as their bytes, not escaped.
     * @param out         the sink.
     * @param outputCarry what the output's escaper carries, as the reader works it out.
     * @param inputCarry  what the input's escaper carries.
     * @param batchBytes  output and input bytes per batch.
     * @param batchEvents events per batch.
     * @param batchCount  batches in the ring, at least two.
     */
    ExportPipeline(
        final boolean raw, final OutputStream out, final Utf8Carry outputCarry, final Utf8Carry inputCarry,
        final int batchBytes, final int batchEvents, final int batchCount)
    {
        if (batchCount < 2)
        {
            throw new IllegalArgumentException("a ring of at least two batches, not " + batchCount);
        }
        this.raw = raw;
        this.out = out;
        this.outputCarry = outputCarry;
        this.inputCarry = inputCarry;
        filled = new OneToOneConcurrentArrayQueue<>(batchCount);
        free = new OneToOneConcurrentArrayQueue<>(batchCount);
        current = new ExportBatch(batchBytes, batchEvents);
        current.clear(outputCarry, inputCarry);
        for (int i = 1; i < batchCount; i++)
        {
            free.offer(new ExportBatch(batchBytes, batchEvents));
        }
    }

    /**
     * @return the batch to add an event to, with room for one.
     */
    ExportBatch forEvent()
    {
        if (!current.hasRoomForEvent())
        {
            handOver();
        }

        return current;
    }

    /**
     * @param length bytes of a piece, at most {@link #pieceCapacity()}.
     * @return the batch to add it to whole.
     */
    ExportBatch forPiece(final int length)
    {
        if (current.pieceRoom() < Math.max(1, length))
        {
            handOver();
        }

        return current;
    }

    /**
     * @return the most bytes of one piece a batch takes: a frame up to this size is never split.
     */
    int pieceCapacity()
    {
        return current.capacity();
    }

    /**
     * @return whether a writer thread was started (the export was longer than a batch).
     */
    boolean writerStarted()
    {
        return null != runner;
    }

    /**
     * @return invalid UTF-8 sequences written as U+FFFD by the escaping, once {@link #finish()} returned.
     */
    long replacements()
    {
        return escaper.replacements() + (null == agent ? 0 : agent.escaper.replacements());
    }

    /**
     * Escape and write what is left, and wait until the writer has written everything to the sink.
     */
    void finish()
    {
        if (finished)
        {
            return;
        }
        finished = true;
        current.seal(outputCarry, inputCarry);
        if (null == runner)
        {
            write(current, escaper, raw, out);
            return;
        }
        filled.offer(current);
        current = null;
        handedOver++;
        LockSupport.unpark(writerThread);
        while (agent.batchesWritten() < handedOver)
        {
            checkWriter();
            readerIdle.idle();
        }
        readerIdle.reset();
        close();
        checkWriter();
    }

    /**
     * Stop the writer thread, if one was started; what it has not written yet is dropped.
     */
    @Override
    public void close()
    {
        final AgentRunner runner = this.runner;
        if (null != runner && !runner.isClosed())
        {
            runner.close();
        }
        finished = true;
    }

    private void handOver()
    {
        current.seal(outputCarry, inputCarry);
        if (null == runner)
        {
            // The writer signals the thread that fills the batches, this one.
            agent = new WriterAgent(raw, out, filled, free, Thread.currentThread());
            runner = new AgentRunner(new SignalledIdleStrategy(), ex -> { }, null, agent);
            writerThread = AgentRunner.startOnThread(runner, task ->
            {
                final Thread thread = new Thread(task);
                thread.setDaemon(true);
                return thread;
            });
        }
        else if (!raw && handedOver - agent.batchesWritten() >= BACKLOG)
        {
            // The writer is a whole batch behind (not merely waking up for the last one): escape this one here.
            escaper.escape(current);
        }
        filled.offer(current);
        handedOver++;
        LockSupport.unpark(writerThread);
        ExportBatch next;
        while (null == (next = free.poll()))
        {
            checkWriter();
            readerIdle.idle();
        }
        readerIdle.reset();
        next.clear(outputCarry, inputCarry);
        current = next;
    }

    private void checkWriter()
    {
        final Throwable failure = null == agent ? null : agent.failure();
        if (null == failure)
        {
            return;
        }
        close();
        if (failure instanceof RuntimeException)
        {
            throw (RuntimeException)failure;
        }
        if (failure instanceof Error)
        {
            throw (Error)failure;
        }
        throw new IllegalStateException(failure);
    }

    /**
     * Escape the batch unless it is raw or escaped already, and write it to the sink.
     */
    static void write(final ExportBatch batch, final BatchEscaper escaper, final boolean raw, final OutputStream out)
    {
        try
        {
            if (raw)
            {
                out.write(batch.data(), 0, batch.dataLength());
                return;
            }
            if (!batch.isEscaped())
            {
                escaper.escape(batch);
            }
            out.write(batch.escapedBytes(), 0, batch.escapedLength());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Spins a little, then parks until the other side signals (unparks) after handing a batch over; the park is
     * bounded only as a guard. Waking on the signal, not on a timer, costs no CPU while the other side works.
     */
    private static final class SignalledIdleStrategy implements IdleStrategy
    {
        private int spins;

        @Override
        public void idle(final int workCount)
        {
            if (workCount > 0)
            {
                spins = 0;
                return;
            }
            idle();
        }

        @Override
        public void idle()
        {
            if (spins < SPINS)
            {
                spins++;
                Thread.onSpinWait();
                return;
            }
            LockSupport.parkNanos(this, MAX_PARK_NS);
        }

        @Override
        public void reset()
        {
            spins = 0;
        }
    }

    /**
     * Escapes (when the reader has not) and writes filled batches in order, and returns them to the reader.
     */
    private static final class WriterAgent implements Agent
    {
        private final BatchEscaper escaper = new BatchEscaper();
        private final boolean raw;
        private final OutputStream out;
        private final OneToOneConcurrentArrayQueue<ExportBatch> filled;
        private final OneToOneConcurrentArrayQueue<ExportBatch> free;
        private final Thread reader;
        private volatile long batchesWritten;
        private volatile Throwable failure;

        WriterAgent(
            final boolean raw,
            final OutputStream out,
            final OneToOneConcurrentArrayQueue<ExportBatch> filled,
            final OneToOneConcurrentArrayQueue<ExportBatch> free,
            final Thread reader)
        {
            this.raw = raw;
            this.out = out;
            this.filled = filled;
            this.free = free;
            this.reader = reader;
        }

        long batchesWritten()
        {
            return batchesWritten;
        }

        Throwable failure()
        {
            return failure;
        }

        @Override
        public int doWork()
        {
            final ExportBatch batch = filled.poll();
            if (null == batch)
            {
                return 0;
            }
            try
            {
                write(batch, escaper, raw, out);
            }
            catch (final Throwable ex)
            {
                failure = ex;
                LockSupport.unpark(reader);
                throw new AgentTerminationException(ex);
            }
            free.offer(batch);
            batchesWritten = batchesWritten + 1;
            LockSupport.unpark(reader);

            return 1;
        }

        @Override
        public String roleName()
        {
            return "export-writer";
        }
    }
}
