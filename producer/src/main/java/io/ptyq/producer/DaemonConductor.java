package io.ptyq.producer;

import io.ptyq.codec.control.SessionCommandException;
import org.agrona.ErrorHandler;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The daemon's control thread ({@code daemon-conductor}): it runs every cold-path change in order (session starts,
 * resizes, markers, recorded input) with the one journal appender they share, and its periodic duties (heartbeat,
 * retention). PTY output never passes through it.
 */
final class DaemonConductor implements Runnable, AutoCloseable
{
    private static final long DUTY_INTERVAL_MS = 1000;

    private final BlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
    private final Runnable duty;
    private final ErrorHandler errorHandler;
    private final Thread thread;
    private volatile boolean running = true;

    DaemonConductor(final Runnable duty, final ErrorHandler errorHandler)
    {
        this.duty = duty;
        this.errorHandler = errorHandler;
        this.thread = new Thread(this, "daemon-conductor");
        this.thread.setDaemon(true);
    }

    void start()
    {
        thread.start();
    }

    /**
     * Run a task on the conductor and wait for its result; a task's exception is rethrown to the caller.
     */
    <T> T call(final Callable<T> task)
    {
        if (Thread.currentThread() == thread)
        {
            try
            {
                return task.call();
            }
            catch (final RuntimeException ex)
            {
                throw ex;
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException(ex);
            }
        }
        if (!running)
        {
            throw new SessionCommandException(SessionCommandException.Reason.FAILED, "the daemon is shutting down");
        }

        final CompletableFuture<T> result = new CompletableFuture<>();
        tasks.add(() ->
        {
            try
            {
                result.complete(task.call());
            }
            catch (final Throwable ex)
            {
                // Errors too (a missing native library), or the caller would wait forever.
                result.completeExceptionally(ex);
            }
        });
        try
        {
            // A conductor that died must not leave its callers waiting forever.
            while (true)
            {
                try
                {
                    return result.get(1, TimeUnit.SECONDS);
                }
                catch (final TimeoutException ex)
                {
                    if (!thread.isAlive())
                    {
                        throw new SessionCommandException(
                            SessionCommandException.Reason.FAILED, "the daemon's conductor thread has stopped");
                    }
                }
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new SessionCommandException(SessionCommandException.Reason.FAILED, "interrupted");
        }
        catch (final ExecutionException ex)
        {
            final Throwable cause = ex.getCause();
            if (cause instanceof RuntimeException)
            {
                throw (RuntimeException)cause;
            }
            throw new SessionCommandException(SessionCommandException.Reason.FAILED, "the daemon failed: " + cause);
        }
    }

    @Override
    public void run()
    {
        long nextDutyMs = 0;
        while (running)
        {
            try
            {
                final long nowMs = System.currentTimeMillis();
                if (nowMs >= nextDutyMs)
                {
                    duty.run();
                    nextDutyMs = nowMs + DUTY_INTERVAL_MS;
                }
                final Runnable task = tasks.poll(Math.max(1, nextDutyMs - nowMs), TimeUnit.MILLISECONDS);
                if (null != task)
                {
                    task.run();
                }
            }
            catch (final InterruptedException ex)
            {
                break;
            }
            catch (final Throwable ex)
            {
                errorHandler.onError(ex);
            }
        }

        // Tasks queued behind the stop still run, so no caller waits forever.
        Runnable task;
        while (null != (task = tasks.poll()))
        {
            task.run();
        }
    }

    @Override
    public void close()
    {
        tasks.add(() -> running = false);
        try
        {
            thread.join(5000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
