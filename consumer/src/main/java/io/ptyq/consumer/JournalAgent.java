package io.ptyq.consumer;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * An Agrona {@link Agent} that polls a {@link JournalAdapter} (plain or from a {@link DurableConsumer}); the caller
 * picks the idle strategy: {@link BusySpinIdleStrategy} for latency at the cost of a core, or the default
 * {@link #defaultIdleStrategy(JournalAdapter)} (spin, yield, then park up to 250 µs while output flows, up to 8 ms
 * in a flood and up to 1 ms when quiet; a short scheduler slice for sparse output) for viewers that must not burn one.
 * The agent owns the adapter and closes it in {@link #onClose()}.
 */
public final class JournalAgent implements Agent
{
    /**
     * The agent's role name, which {@link AgentRunner} gives its thread.
     */
    public static final String ROLE_NAME = "journal-consumer";

    /**
     * Frames read per duty cycle unless told otherwise.
     */
    public static final int DEFAULT_POLL_LIMIT = 256;

    private final JournalAdapter adapter;
    private final int pollLimit;
    private volatile boolean terminated;

    /**
     * @param adapter the adapter to poll; the agent owns it from now on.
     */
    public JournalAgent(final JournalAdapter adapter)
    {
        this(adapter, DEFAULT_POLL_LIMIT);
    }

    /**
     * @param adapter   the adapter to poll; the agent owns it from now on.
     * @param pollLimit most frames read per duty cycle.
     */
    public JournalAgent(final JournalAdapter adapter, final int pollLimit)
    {
        if (pollLimit < 1)
        {
            throw new IllegalArgumentException("poll limit " + pollLimit + " < 1");
        }
        this.adapter = Objects.requireNonNull(adapter, "adapter");
        this.pollLimit = pollLimit;
    }

    /**
     * @return a new instance of the default idle strategy: an {@link ActivityBackoffIdleStrategy} (spin, yield, then
     * park up to 250 µs while output arrived in the last 20 ms and up to 1 ms after that; while output streams, park
     * at once) on a thread that asks for a short scheduler slice ({@link ShortSliceIdleStrategy}) unless output
     * streams, so its wake-ups for sparse output are not held back by CPU-bound tasks on a busy machine, and its
     * wake-ups in a stream do not preempt the producer ({@code -Dptyq.scheduler.slice=always}: the short slice while
     * output streams too).
     */
    public static IdleStrategy defaultIdleStrategy()
    {
        return withSlice(new ActivityBackoffIdleStrategy());
    }

    /**
     * @param adapter the adapter that the strategy's thread polls: the strategy counts its bytes to tell a flood of
     *                output from a stream of lines and, in a flood, parks up to 8 ms instead of 250 µs (see
     *                {@link ActivityBackoffIdleStrategy}).
     * @return a new instance of the default idle strategy for that adapter: {@link #defaultIdleStrategy()} that also
     * waits longer in a flood (and with {@code -Dptyq.scheduler.batch=true} runs its thread under {@code SCHED_BATCH}
     * meanwhile, so that its wake-ups do not preempt the producer: see {@link SchedulerSlice}).
     */
    public static IdleStrategy defaultIdleStrategy(final JournalAdapter adapter)
    {
        return withSlice(new ActivityBackoffIdleStrategy(adapter::bytesRead));
    }

    private static IdleStrategy withSlice(final ActivityBackoffIdleStrategy backoff)
    {
        // "always": never counted as streaming, so the short slice stays. A backoff without a byte count never floods.
        final BooleanSupplier streaming =
            SchedulerSlice.ALWAYS.equals(System.getProperty(SchedulerSlice.ENABLED_PROPERTY)) ? () -> false :
            backoff::isPaced;
        return new ShortSliceIdleStrategy(backoff, streaming, backoff::isFlooding);
    }

    /**
     * Run an agent on a new thread named {@value #ROLE_NAME}, idling with the default strategy.
     *
     * @param agent        the agent.
     * @param errorHandler receives what the listener throws; the agent keeps polling after it.
     * @return the running runner; {@link AgentRunner#close()} stops it and closes the agent's adapter.
     */
    public static AgentRunner start(final JournalAgent agent, final ErrorHandler errorHandler)
    {
        return start(agent, defaultIdleStrategy(agent.adapter), errorHandler);
    }

    /**
     * Run an agent on a new thread named {@value #ROLE_NAME}.
     *
     * @param agent        the agent.
     * @param idleStrategy how to wait when the journal has nothing new.
     * @param errorHandler receives what the listener throws; the agent keeps polling after it.
     * @return the running runner; {@link AgentRunner#close()} stops it and closes the agent's adapter.
     */
    public static AgentRunner start(
        final JournalAgent agent, final IdleStrategy idleStrategy, final ErrorHandler errorHandler)
    {
        Objects.requireNonNull(errorHandler, "errorHandler");
        final ErrorHandler handler = (throwable) ->
        {
            // terminate() ends the agent through Agrona's exception: not an error.
            if (!(throwable instanceof AgentTerminationException))
            {
                errorHandler.onError(throwable);
            }
        };
        final AgentRunner runner = new AgentRunner(idleStrategy, handler, null, agent);
        AgentRunner.startOnThread(runner);

        return runner;
    }

    /**
     * Ask the agent to stop before its next duty cycle; callable from a callback or any thread. Its runner's thread
     * then ends and closes the adapter.
     */
    public void terminate()
    {
        terminated = true;
    }

    /**
     * @return true once {@link #terminate()} was called.
     */
    public boolean isTerminated()
    {
        return terminated;
    }

    @Override
    public int doWork()
    {
        if (terminated)
        {
            throw new AgentTerminationException();
        }

        return adapter.poll(pollLimit);
    }

    @Override
    public void onClose()
    {
        adapter.close();
    }

    @Override
    public String roleName()
    {
        return ROLE_NAME;
    }
}
