package io.ptyq.consumer;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The park periods the strategy chooses, on a real clock with small periods.
 */
class ActivityBackoffIdleStrategyTest
{
    private static final long MIN_NS = 1_000;
    private static final long ACTIVE_MAX_NS = 8_000;
    private static final long IDLE_MAX_NS = 64_000;
    private static final long WINDOW_NS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long FLOOD_MAX_NS = 32_000;
    private static final long FLOOD_BYTES_PER_SECOND = ActivityBackoffIdleStrategy.DEFAULT_FLOOD_BYTES_PER_SECOND;

    @Test
    void shouldSpinThenDoubleParksUpToTheActiveCapWhileWorkWasRecent()
    {
        final ActivityBackoffIdleStrategy idle = new ActivityBackoffIdleStrategy(3, 0, MIN_NS, ACTIVE_MAX_NS, IDLE_MAX_NS,
            WINDOW_NS);
        idle.idle(1);
        final long startNs = System.nanoTime();
        for (int i = 0; i < 3; i++)
        {
            idle.idle(0);
            assertEquals(MIN_NS, idle.nextParkNs(), "spinning");
        }
        long expectedNs = MIN_NS;
        for (int i = 0; i < 6; i++)
        {
            idle.idle(0);
            expectedNs = Math.min(expectedNs * 2, ACTIVE_MAX_NS);
            if (System.nanoTime() - startNs < WINDOW_NS)
            {
                assertEquals(expectedNs, idle.nextParkNs());
            }
        }
    }

    @Test
    void shouldGrowToTheIdleCapOnceTheJournalWasQuietForTheWindow() throws Exception
    {
        final ActivityBackoffIdleStrategy idle = new ActivityBackoffIdleStrategy(0, 0, MIN_NS, ACTIVE_MAX_NS, IDLE_MAX_NS,
            TimeUnit.MILLISECONDS.toNanos(5));
        idle.idle(0);
        Thread.sleep(10);
        for (int i = 0; i < 10; i++)
        {
            idle.idle(0);
        }
        assertEquals(IDLE_MAX_NS, idle.nextParkNs());
    }

    @Test
    void shouldYieldAfterTheSpinsBeforeTheFirstPark()
    {
        final ActivityBackoffIdleStrategy idle = new ActivityBackoffIdleStrategy(2, 3, MIN_NS, ACTIVE_MAX_NS,
            IDLE_MAX_NS, WINDOW_NS);
        for (int i = 0; i < 5; i++)
        {
            idle.idle(0);
            assertEquals(MIN_NS, idle.nextParkNs(), "spinning, then yielding: no park yet");
        }
        idle.idle(0);
        assertEquals(2 * MIN_NS, idle.nextParkNs(), "the first park, then the next one doubles");
        assertThrows(IllegalArgumentException.class, () -> new ActivityBackoffIdleStrategy(0, -1, 1, 2, 3, 0));
    }

    @Test
    void shouldParkAtOnceWhileOutputStreams()
    {
        final ActivityBackoffIdleStrategy idle = new ActivityBackoffIdleStrategy(3, 2, MIN_NS, ACTIVE_MAX_NS,
            IDLE_MAX_NS, WINDOW_NS);
        for (int i = 0; i < 5; i++)
        {
            idle.idle(0); // spins, then yields
        }
        idle.idle(0);
        assertEquals(2 * MIN_NS, idle.nextParkNs(), "one park");
        idle.idle(4);
        assertTrue(idle.isPaced(), "a park found work after a short wait: output streams");
        idle.idle(2);
        assertTrue(idle.isPaced(), "still draining");
        idle.idle(0);
        assertEquals(4 * MIN_NS, idle.nextParkNs(), "the first wait parks at once, and the period keeps growing");
        for (int i = 0; i < 5; i++)
        {
            idle.idle(1);
            idle.idle(0);
        }
        assertEquals(ACTIVE_MAX_NS, idle.nextParkNs(), "up to the active cap");
        idle.reset();
        assertFalse(idle.isPaced());
        assertEquals(MIN_NS, idle.nextParkNs());
    }

    @Test
    void shouldGrowToTheFloodCapWhileEachWakeUpFindsAFloodAndGoBackWhenItEnds()
    {
        final long[] bytesRead = new long[1];
        final ActivityBackoffIdleStrategy idle = new ActivityBackoffIdleStrategy(0, 0, MIN_NS, ACTIVE_MAX_NS,
            IDLE_MAX_NS, WINDOW_NS, () -> bytesRead[0], FLOOD_BYTES_PER_SECOND, FLOOD_MAX_NS);
        idle.idle(0); // a park
        for (int i = 0; i < 8; i++)
        {
            // Each wake-up finds 1 GiB: far above 16 MiB/s whatever this machine's clock and load.
            bytesRead[0] += 1L << 30;
            idle.idle(1);
            assertTrue(idle.isFlooding());
            idle.idle(0);
        }
        assertEquals(FLOOD_MAX_NS, idle.nextParkNs(), "past the active cap, up to the flood cap");
        bytesRead[0] += 1; // a byte per wake-up: at most 1 MB/s for a park of 1 µs
        idle.idle(1);
        assertTrue(idle.isPaced());
        assertFalse(idle.isFlooding(), "the flood ended");
        idle.idle(0);
        assertEquals(ACTIVE_MAX_NS, idle.nextParkNs(), "back to the active cap at once");
    }

    @Test
    void shouldEndTheFloodAndTheStreamAfterAWaitLongerThanTheWindow() throws Exception
    {
        final long[] bytesRead = new long[1];
        final ActivityBackoffIdleStrategy idle = new ActivityBackoffIdleStrategy(0, 0, MIN_NS, ACTIVE_MAX_NS,
            IDLE_MAX_NS, WINDOW_NS, () -> bytesRead[0], FLOOD_BYTES_PER_SECOND, FLOOD_MAX_NS);
        idle.idle(0);
        bytesRead[0] += 1L << 30;
        idle.idle(1);
        assertTrue(idle.isFlooding());
        idle.idle(0);
        assertTrue(idle.isFlooding(), "a short wait: still a flood");
        assertTrue(idle.isPaced());
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(WINDOW_NS) + 100); // longer than the window, no output
        idle.idle(0);
        assertFalse(idle.isFlooding(), "quiet for longer than the window: the flood is over");
        assertFalse(idle.isPaced(), "and so is the stream");
    }

    @Test
    void shouldKeepTheActiveCapForAStreamBelowTheFloodRate()
    {
        final long[] bytesRead = new long[1];
        final ActivityBackoffIdleStrategy idle = new ActivityBackoffIdleStrategy(0, 0, MIN_NS, ACTIVE_MAX_NS,
            IDLE_MAX_NS, WINDOW_NS, () -> bytesRead[0], FLOOD_BYTES_PER_SECOND, FLOOD_MAX_NS);
        idle.idle(0);
        for (int i = 0; i < 8; i++)
        {
            bytesRead[0] += 1;
            idle.idle(1);
            assertTrue(idle.isPaced());
            assertFalse(idle.isFlooding());
            idle.idle(0);
        }
        assertEquals(ACTIVE_MAX_NS, idle.nextParkNs());
        assertThrows(IllegalArgumentException.class, () -> new ActivityBackoffIdleStrategy(0, 0, MIN_NS,
            ACTIVE_MAX_NS, IDLE_MAX_NS, WINDOW_NS, () -> 0, FLOOD_BYTES_PER_SECOND, ACTIVE_MAX_NS - 1));
        assertThrows(IllegalArgumentException.class, () -> new ActivityBackoffIdleStrategy(0, 0, MIN_NS,
            ACTIVE_MAX_NS, IDLE_MAX_NS, WINDOW_NS, () -> 0, 0, FLOOD_MAX_NS));
    }

    @Test
    void shouldStartOverAfterWorkFoundWhileSpinning()
    {
        final ActivityBackoffIdleStrategy idle = new ActivityBackoffIdleStrategy(3, 0, MIN_NS, ACTIVE_MAX_NS,
            IDLE_MAX_NS, WINDOW_NS);
        idle.idle(0);
        idle.idle(1);
        assertFalse(idle.isPaced());
        assertEquals(MIN_NS, idle.nextParkNs());
    }

    @Test
    void shouldStartOverAfterWorkThatEndsALongQuietSpell() throws Exception
    {
        final ActivityBackoffIdleStrategy idle = new ActivityBackoffIdleStrategy(0, 0, MIN_NS, ACTIVE_MAX_NS, IDLE_MAX_NS,
            WINDOW_NS);
        for (int i = 0; i < 3; i++)
        {
            idle.idle(0);
        }
        idle.idle(1);
        assertTrue(idle.isPaced());
        idle.idle(0);
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(WINDOW_NS) + 100); // longer than the window
        idle.idle(0);
        assertTrue(idle.nextParkNs() > MIN_NS);
        idle.idle(3);
        assertFalse(idle.isPaced(), "the journal was quiet for longer than the window");
        assertEquals(MIN_NS, idle.nextParkNs());
    }

    @Test
    void shouldRefuseInconsistentPeriods()
    {
        assertThrows(IllegalArgumentException.class, () -> new ActivityBackoffIdleStrategy(-1, 0, 1, 2, 3, 0));
        assertThrows(IllegalArgumentException.class, () -> new ActivityBackoffIdleStrategy(0, 0, 0, 2, 3, 0));
        assertThrows(IllegalArgumentException.class, () -> new ActivityBackoffIdleStrategy(0, 0, 4, 2, 3, 0));
        assertThrows(IllegalArgumentException.class, () -> new ActivityBackoffIdleStrategy(0, 0, 1, 4, 3, 0));
    }
}
