package io.ptyq.consumer;

import org.agrona.concurrent.IdleStrategy;

import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * An {@link IdleStrategy} that asks for a short scheduler slice ({@link SchedulerSlice}) on each thread that idles
 * with it, then idles as its delegate does. For strategies that sleep: a thread that wakes from a park gets the CPU
 * sooner on a busy machine.
 * <p>
 * Given a test of whether output is streaming, it keeps the short slice only while it is not: a consumer that wakes
 * for sparse output (a shell's echo) preempts CPU-bound work to show it at once, while consumers that read a stream in
 * batches leave the producer and the program writing the output their full slices (eight consumers preempting them on
 * every wake-up slow the recording down). Given a test of whether output floods, and with
 * {@code -Dptyq.scheduler.batch=true} when it is made, it also puts the thread under {@code SCHED_BATCH} while output
 * floods ({@link SchedulerSlice}): its wake-ups then wait for a free core or the running task's tick instead of
 * preempting the producer. The checks cost two field reads and comparisons per call; the thread's slice and policy
 * change with two system calls (read, then set) when an answer does.
 */
public final class ShortSliceIdleStrategy implements IdleStrategy
{
    private static final BooleanSupplier NEVER = () -> false;

    private final IdleStrategy delegate;
    private final BooleanSupplier streaming;
    private final BooleanSupplier flooding;
    private Thread sliceSetFor;
    private boolean shortSlice;
    private boolean batch;

    /**
     * Keep the short slice on every thread that idles with this strategy.
     *
     * @param delegate how to idle.
     */
    public ShortSliceIdleStrategy(final IdleStrategy delegate)
    {
        this(delegate, NEVER);
    }

    /**
     * Keep the short slice only while {@code streaming} is false.
     *
     * @param delegate  how to idle.
     * @param streaming whether output is streaming now, e.g. {@link ActivityBackoffIdleStrategy#isPaced()}.
     */
    public ShortSliceIdleStrategy(final IdleStrategy delegate, final BooleanSupplier streaming)
    {
        this(delegate, streaming, NEVER);
    }

    /**
     * Keep the short slice only while {@code streaming} is false, and, if {@link SchedulerSlice#isBatchEnabled()} when
     * this is made, {@code SCHED_BATCH} while {@code flooding} is true.
     *
     * @param delegate  how to idle.
     * @param streaming whether output is streaming now, e.g. {@link ActivityBackoffIdleStrategy#isPaced()}.
     * @param flooding  whether output floods now, e.g. {@link ActivityBackoffIdleStrategy#isFlooding()}.
     */
    public ShortSliceIdleStrategy(
        final IdleStrategy delegate, final BooleanSupplier streaming, final BooleanSupplier flooding)
    {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.streaming = Objects.requireNonNull(streaming, "streaming");
        this.flooding = SchedulerSlice.isBatchEnabled() ? Objects.requireNonNull(flooding, "flooding") : NEVER;
    }

    /**
     * @return the strategy this one idles with.
     */
    public IdleStrategy delegate()
    {
        return delegate;
    }

    @Override
    public void idle(final int workCount)
    {
        setSlice();
        delegate.idle(workCount);
    }

    @Override
    public void idle()
    {
        setSlice();
        delegate.idle();
    }

    @Override
    public void reset()
    {
        delegate.reset();
    }

    @Override
    public String alias()
    {
        return "short-slice-" + delegate.alias();
    }

    private void setSlice()
    {
        final Thread thread = Thread.currentThread();
        final boolean wantShort = !streaming.getAsBoolean();
        final boolean wantBatch = flooding.getAsBoolean();
        if (thread != sliceSetFor || wantShort != shortSlice || wantBatch != batch)
        {
            // A new thread starts on the default slice and policy: only a change away from them needs a call.
            final boolean onThisThreadBefore = thread == sliceSetFor;
            sliceSetFor = thread;
            shortSlice = wantShort;
            batch = wantBatch;
            if (wantShort || wantBatch || onThisThreadBefore)
            {
                SchedulerSlice.setForCurrentThread(wantShort, wantBatch);
            }
        }
    }
}
