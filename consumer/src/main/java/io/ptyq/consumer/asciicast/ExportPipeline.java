package io.ptyq.consumer.asciicast;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Carries an export's events from the thread that reads the journal to the {@link AsciicastWriter} through a ring of
 * preallocated {@link ExportBatch}es, so that reading (the journal's scan and the copy of each frame) and writing
 * (escaping, formatting, the sink's writes) run on two cores at once. Batches are written in the order they were
 * filled, by one writer thread ({@code export-writer}), started when a second batch is first needed: a short
 * export is written on the caller's thread with no thread started.
 * <p>
 * Memory is bounded by the ring: when the writer is behind, the reader waits for a batch to come back. An error of
 * the writer (the sink's, as {@link java.io.UncheckedIOException}) is thrown on the reader's thread at its next
 * hand-over or at {@link #finish()}. The reader's side is one thread; {@link #close()} stops the writer if the export
 * was abandoned.
 */
final class ExportPipeline implements AutoCloseable
{
    static final int BATCH_BYTES = 256 * 1024;
    static final int BATCH_EVENTS = 4096;
    static final int BATCH_COUNT = 8;
    private static final int SPINS = 100;
    private static final long MAX_PARK_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private final AsciicastWriter writer;
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
     * @param writer     what the batches are written to.
     * @param batchBytes output and input bytes per batch.
     * @param batchEvents events per batch.
     * @param batchCount batches in the ring, at least two.
     */
    ExportPipeline(final AsciicastWriter writer, final int batchBytes, final int batchEvents, final int batchCount)
    {
        if (batchCount < 2)
        {
            throw new IllegalArgumentException("a ring of at least two batches, not " + batchCount);
        }
        this.writer = writer;
        filled = new OneToOneConcurrentArrayQueue<>(batchCount);
        free = new OneToOneConcurrentArrayQueue<>(batchCount);
        current = new ExportBatch(batchBytes, batchEvents);
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
        if (current.isFull())
        {
            handOver();
        }

        return current;
    }

    /**
     * @return the batch to add a piece of data to, with room for one event and at least one byte.
     */
    ExportBatch forData()
    {
        if (current.isFull() || 0 == current.dataRemaining())
        {
            handOver();
        }

        return current;
    }

    /**
     * Write what is left (the current batch must end with a {@link ExportBatch#FINISH} event) and wait until the
     * writer has written everything to the sink.
     */
    void finish()
    {
        if (finished)
        {
            return;
        }
        finished = true;
        if (null == runner)
        {
            writer.write(current);
            current.clear();
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
    }

    /**
     * @return whether a writer thread was started (the export was longer than a batch).
     */
    boolean writerStarted()
    {
        return null != runner;
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
        if (null == runner)
        {
            // The writer signals the thread that fills the batches, this one.
            agent = new WriterAgent(writer, filled, free, Thread.currentThread());
            runner = new AgentRunner(new SignalledIdleStrategy(), ex -> { }, null, agent);
            writerThread = AgentRunner.startOnThread(runner, task ->
            {
                final Thread thread = new Thread(task);
                thread.setDaemon(true);
                return thread;
            });
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
        next.clear();
        current = next;
    }

    private void checkWriter()
    {
        final Throwable failure = agent.failure();
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
     * Writes filled batches in order and returns them to the reader.
     */
    private static final class WriterAgent implements Agent
    {
        private final AsciicastWriter writer;
        private final OneToOneConcurrentArrayQueue<ExportBatch> filled;
        private final OneToOneConcurrentArrayQueue<ExportBatch> free;
        private final Thread reader;
        private volatile long batchesWritten;
        private volatile Throwable failure;

        WriterAgent(
            final AsciicastWriter writer,
            final OneToOneConcurrentArrayQueue<ExportBatch> filled,
            final OneToOneConcurrentArrayQueue<ExportBatch> free,
            final Thread reader)
        {
            this.writer = writer;
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
                writer.write(batch);
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
