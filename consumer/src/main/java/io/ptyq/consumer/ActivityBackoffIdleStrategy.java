package io.ptyq.consumer;

import org.agrona.concurrent.IdleStrategy;

import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * A backoff idle strategy for consumers that must not burn a core: spin a few times, yield a few times, then park for
 * doubling periods, up to a short cap while output arrived recently and a longer one once the journal has been quiet
 * for a while.
 * <p>
 * The short cap bounds how late the first frames after a pause of the producer (a descheduled writer, a burst after a
 * gap) are seen: Agrona's {@code BackoffIdleStrategy} parks up to 1 ms at once. The long cap keeps an idle viewer near
 * 1,000 wake-ups per second. The yields stay: on a machine with fewer cores than consumers, a caught-up consumer that
 * yields lets the producer run (without them, 8 consumers on 2 cores cut the producer to a third).
 * <p>
 * While output streams (a park found work after less than the active window of quiet), the next wait skips the spins
 * and yields and parks at once, for a period that keeps doubling to the active cap: each wake-up then reads a batch of
 * frames instead of one, which is what a consumer costs the machine on a busy stream. Work found while spinning or
 * yielding, or after a longer quiet spell (an echo after a pause), starts the backoff over.
 * <p>
 * Given a count of the bytes read, it also tells a flood (a {@code cat} of a large file, a build log) from a stream
 * of lines: while each wake-up finds output at a rate of at least the flood rate (16 MiB/s by default, eight times
 * the 2 MB/s of 10,000 frames of 200 B a second), the parks keep doubling to a longer cap (8 ms), so eight consumers
 * following a flood wake up a thirty-second as often, and leave the producer and the program writing the flood the
 * CPU. Eight milliseconds more latency in a flood are not seen on a screen (half a frame at 60 Hz, which lasts
 * 16.7 ms); the first wake-up that finds less output brings the short cap back. (With a 2 ms cap, eight warm consumer
 * JVMs following a 200 MB {@code cat} through the daemon used ~0.24 of a core, against ~0.20 with 8 ms.)
 * Not thread safe: one instance per polling thread, as with every Agrona idle strategy.
 */
public final class ActivityBackoffIdleStrategy implements IdleStrategy
{
    /**
     * Busy spins before the first park.
     */
    public static final int DEFAULT_MAX_SPINS = 10;

    /**
     * Yields after the spins, before the first park.
     */
    public static final int DEFAULT_MAX_YIELDS = 5;

    /**
     * The first park.
     */
    public static final long DEFAULT_MIN_PARK_NS = 1_000;

    /**
     * The longest park while the last work was at most {@link #DEFAULT_ACTIVE_WINDOW_NS} ago.
     */
    public static final long DEFAULT_ACTIVE_MAX_PARK_NS = 250_000;

    /**
     * The longest park once the journal has been quiet for longer than {@link #DEFAULT_ACTIVE_WINDOW_NS}.
     */
    public static final long DEFAULT_IDLE_MAX_PARK_NS = 1_000_000;

    /**
     * How long after the last work the short cap holds.
     */
    public static final long DEFAULT_ACTIVE_WINDOW_NS = 20_000_000;

    /**
     * The output rate, in bytes a second, at and above which a wake-up counts as one in a flood.
     */
    public static final long DEFAULT_FLOOD_BYTES_PER_SECOND = 16L << 20;

    /**
     * The longest park while output floods.
     */
    public static final long DEFAULT_FLOOD_MAX_PARK_NS = 8_000_000;

    private static final double NANOS_PER_SECOND = 1e9;

    private final int maxSpins;
    private final int maxYields;
    private final long minParkNs;
    private final long activeMaxParkNs;
    private final long idleMaxParkNs;
    private final long activeWindowNs;
    private final LongSupplier bytesRead;
    private final double floodBytesPerNs;
    private final long floodMaxParkNs;
    private int spins;
    private long parkNs;
    private long idleSinceNs;
    private long bytesAtIdle;
    private boolean paced;
    private boolean flooding;

    /**
     * A strategy with the defaults: 10 spins, 5 yields, parks from 1 µs doubling to 250 µs, and to 1 ms after 20 ms
     * without work.
     */
    public ActivityBackoffIdleStrategy()
    {
        this(DEFAULT_MAX_SPINS, DEFAULT_MAX_YIELDS, DEFAULT_MIN_PARK_NS, DEFAULT_ACTIVE_MAX_PARK_NS,
            DEFAULT_IDLE_MAX_PARK_NS, DEFAULT_ACTIVE_WINDOW_NS);
    }

    /**
     * A strategy with the defaults that also waits longer in a flood.
     *
     * @param bytesRead the bytes read so far by the thread that idles with this strategy, e.g.
     *                  {@link JournalAdapter#bytesRead()}.
     */
    public ActivityBackoffIdleStrategy(final LongSupplier bytesRead)
    {
        this(DEFAULT_MAX_SPINS, DEFAULT_MAX_YIELDS, DEFAULT_MIN_PARK_NS, DEFAULT_ACTIVE_MAX_PARK_NS,
            DEFAULT_IDLE_MAX_PARK_NS, DEFAULT_ACTIVE_WINDOW_NS, Objects.requireNonNull(bytesRead, "bytesRead"),
            DEFAULT_FLOOD_BYTES_PER_SECOND, DEFAULT_FLOOD_MAX_PARK_NS);
    }

    /**
     * A strategy that never counts output as a flood.
     *
     * @param maxSpins        busy spins before the yields.
     * @param maxYields       yields before the first park.
     * @param minParkNs       the first park.
     * @param activeMaxParkNs the longest park while work was seen within {@code activeWindowNs}.
     * @param idleMaxParkNs   the longest park after that.
     * @param activeWindowNs  how long after the last work the short cap holds.
     */
    public ActivityBackoffIdleStrategy(
        final int maxSpins,
        final int maxYields,
        final long minParkNs,
        final long activeMaxParkNs,
        final long idleMaxParkNs,
        final long activeWindowNs)
    {
        this(maxSpins, maxYields, minParkNs, activeMaxParkNs, idleMaxParkNs, activeWindowNs, null, 1,
            activeMaxParkNs);
    }

    /**
     * @param maxSpins            busy spins before the yields.
     * @param maxYields           yields before the first park.
     * @param minParkNs           the first park.
     * @param activeMaxParkNs     the longest park while work was seen within {@code activeWindowNs}.
     * @param idleMaxParkNs       the longest park after that.
     * @param activeWindowNs      how long after the last work the short cap holds.
     * @param bytesRead           the bytes read so far by the idling thread; null: never a flood.
     * @param floodBytesPerSecond the rate of output a wake-up finds at and above which output floods.
     * @param floodMaxParkNs      the longest park while output floods.
     */
    public ActivityBackoffIdleStrategy(
        final int maxSpins,
        final int maxYields,
        final long minParkNs,
        final long activeMaxParkNs,
        final long idleMaxParkNs,
        final long activeWindowNs,
        final LongSupplier bytesRead,
        final long floodBytesPerSecond,
        final long floodMaxParkNs)
    {
        if (floodBytesPerSecond < 1 || floodMaxParkNs < activeMaxParkNs)
        {
            throw new IllegalArgumentException("need floodBytesPerSecond >= 1 and floodMaxPark >= activeMaxPark");
        }
        if (maxSpins < 0 || maxYields < 0 || minParkNs < 1 || activeMaxParkNs < minParkNs ||
            idleMaxParkNs < activeMaxParkNs || activeWindowNs < 0)
        {
            throw new IllegalArgumentException("need maxSpins, maxYields >= 0 and 1 <= minPark <= activeMaxPark <= " +
                "idleMaxPark, activeWindow >= 0");
        }
        this.maxSpins = maxSpins;
        this.maxYields = maxYields;
        this.minParkNs = minParkNs;
        this.activeMaxParkNs = activeMaxParkNs;
        this.idleMaxParkNs = idleMaxParkNs;
        this.activeWindowNs = activeWindowNs;
        this.bytesRead = bytesRead;
        this.floodBytesPerNs = floodBytesPerSecond / NANOS_PER_SECOND;
        this.floodMaxParkNs = floodMaxParkNs;
        this.parkNs = minParkNs;
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            onWork();
        }
        else
        {
            idle();
        }
    }

    @Override
    public void idle()
    {
        final int parkPhase = maxSpins + maxYields;
        if (spins == 0)
        {
            // The first idle call after work: the journal has been quiet since about now.
            idleSinceNs = System.nanoTime();
            if (null != bytesRead)
            {
                bytesAtIdle = bytesRead.getAsLong();
            }
            if (paced)
            {
                // Output streams and the last wait was a park that found work: park again at once.
                spins = parkPhase + 1;
                parkNs = Math.min(parkNs, flooding ? floodMaxParkNs : activeMaxParkNs);
            }
        }
        if (spins < maxSpins)
        {
            spins++;
            Thread.onSpinWait();
            return;
        }
        if (spins < parkPhase)
        {
            spins++;
            Thread.yield();
            return;
        }
        if (spins == parkPhase)
        {
            spins++;
            parkNs = minParkNs;
        }
        LockSupport.parkNanos(parkNs);
        final boolean quiet = System.nanoTime() - idleSinceNs > activeWindowNs;
        if (quiet)
        {
            // Longer than the active window without output: the stream (or flood) is over.
            paced = false;
            flooding = false;
        }
        final long capNs = quiet ? idleMaxParkNs : flooding ? floodMaxParkNs : activeMaxParkNs;
        parkNs = Math.min(parkNs << 1, capNs);
    }

    @Override
    public void reset()
    {
        spins = 0;
        paced = false;
        flooding = false;
        parkNs = minParkNs;
    }

    private void onWork()
    {
        if (0 == spins)
        {
            return; // still draining: no idle call since the last work
        }
        // Work that a park found after a short wait means the producer streams: waking sooner would only find fewer
        // frames per wake-up, so the next wait parks at once and its period keeps growing to the active cap. Work
        // found while spinning or yielding, or after a long quiet spell, starts the backoff over.
        final long quietNs = System.nanoTime() - idleSinceNs;
        paced = spins > maxSpins + maxYields && quietNs <= activeWindowNs;
        // A flood: this wake-up found output at the flood rate or faster over the wait that ended with it.
        flooding = paced && null != bytesRead && bytesRead.getAsLong() - bytesAtIdle >= floodBytesPerNs * quietNs;
        if (!paced)
        {
            parkNs = minParkNs;
        }
        spins = 0;
    }

    /**
     * @return true while output streams: the last work was found by a park after a short wait, so the next wait
     * parks at once instead of spinning and yielding first; false again once a wait has lasted longer than the
     * active window.
     */
    public boolean isPaced()
    {
        return paced;
    }

    /**
     * @return true while output floods: the last wake-up found output at the flood rate or faster, so parks may grow
     * to the flood cap; false again once a wait has lasted longer than the active window.
     */
    public boolean isFlooding()
    {
        return flooding;
    }

    /**
     * @return how long the next park will be, if the next idle call parks.
     */
    long nextParkNs()
    {
        return parkNs;
    }

    @Override
    public String alias()
    {
        return "activity-backoff";
    }
}
