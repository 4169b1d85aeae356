package io.ptyq.consumer;

import org.agrona.concurrent.IdleStrategy;

import java.util.Objects;

/**
 * An {@link IdleStrategy} that asks for a short scheduler slice ({@link SchedulerSlice}) on each thread that idles
 * with it, then idles as its delegate does. For strategies that sleep: a thread that wakes from a park gets the CPU
 * sooner on a busy machine. The check costs one field comparison per call.
 */
public final class ShortSliceIdleStrategy implements IdleStrategy
{
    private final IdleStrategy delegate;
    private Thread sliceRequestedBy;

    /**
     * @param delegate how to idle.
     */
    public ShortSliceIdleStrategy(final IdleStrategy delegate)
    {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
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
        requestSliceOnce();
        delegate.idle(workCount);
    }

    @Override
    public void idle()
    {
        requestSliceOnce();
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

    private void requestSliceOnce()
    {
        final Thread thread = Thread.currentThread();
        if (thread != sliceRequestedBy)
        {
            sliceRequestedBy = thread;
            SchedulerSlice.requestForCurrentThread();
        }
    }
}
