package io.ptyq.consumer;

import java.util.concurrent.locks.LockSupport;

/**
 * The time source and wait of a {@link SessionReplayer}, injected so tests can step it.
 */
public interface ReplayClock
{
    /**
     * @return a monotonic time in nanoseconds.
     */
    long nanoTime();

    /**
     * Wait up to {@code durationNs}; may return early, e.g. when a {@link ReplayControl} command arrives.
     *
     * @param durationNs the longest wait in nanoseconds, positive.
     */
    void idle(long durationNs);

    /**
     * @return the system's monotonic clock, parking the calling thread to wait.
     */
    static ReplayClock system()
    {
        return SystemReplayClock.INSTANCE;
    }

    /**
     * {@link System#nanoTime()} and {@link LockSupport#parkNanos(long)}, which {@link ReplayControl} unparks.
     */
    final class SystemReplayClock implements ReplayClock
    {
        static final SystemReplayClock INSTANCE = new SystemReplayClock();

        private SystemReplayClock()
        {
        }

        @Override
        public long nanoTime()
        {
            return System.nanoTime();
        }

        @Override
        public void idle(final long durationNs)
        {
            LockSupport.parkNanos(this, durationNs);
        }
    }
}
