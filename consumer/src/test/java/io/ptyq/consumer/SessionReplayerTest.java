package io.ptyq.consumer;

import io.ptyq.consumer.ReplayControl.Command;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The replay timeline on a real journal with a stepped clock: every write is checked against the clock time it
 * happened at, in ms after the replay began.
 */
class SessionReplayerTest
{
    private static final long DEMO = 1;
    private static final long OTHER = 2;

    @TempDir
    Path journal;

    private final SteppedClock clock = new SteppedClock();
    private final ReplayControl control = new ReplayControl();
    private final List<String> writes = new ArrayList<>();

    @BeforeEach
    void writeJournal()
    {
        // "demo": a at 1 s, b and B together at 1.5 s, c at 3 s; "other" interleaves and is never replayed.
        try (TimedJournal writer = TimedJournal.open(journal))
        {
            writer.started(DEMO, 0, "demo")
                .started(OTHER, 100, "other")
                .output(DEMO, 1000, "a")
                .output(OTHER, 1200, "X")
                .output(DEMO, 1500, "b")
                .output(DEMO, 1500, "B")
                .output(OTHER, 2000, "Y")
                .output(DEMO, 3000, "c")
                .exited(DEMO, 3100);
        }
    }

    @Test
    void shouldPlayWithTheRecordedTimingAndFlushEachBatch()
    {
        assertEquals(List.of("1000 a", "1500 bB", "3000 c"), replay(context()));
    }

    @Test
    void shouldScaleTimingBySpeed()
    {
        assertEquals(List.of("500 a", "750 bB", "1500 c"), replay(context().speed(2)));
    }

    @Test
    void shouldTakeATenthOfTheTimeAtSpeedTen()
    {
        assertEquals(List.of("100 a", "150 bB", "300 c"), replay(context().speed(10)));
    }

    @Test
    void shouldCapEveryGapAtTheIdleLimitBeforeSpeed()
    {
        assertEquals(List.of("200 a", "400 bB", "600 c"), replay(context().idleLimitNs(ms(200))));
        writes.clear();
        assertEquals(List.of("100 a", "200 bB", "300 c"), replay(context().idleLimitNs(ms(200)).speed(2)));
    }

    @Test
    void shouldWriteWhatComesBeforeFromAtOnceThenPlayFromThere()
    {
        assertEquals(List.of("0 a", "300 bB", "1800 c"), replay(context().fromNs(ms(1200))));
    }

    @Test
    void shouldStopBeforeTo()
    {
        assertEquals(List.of("0 a", "500 bB"), replay(context().fromNs(ms(1000)).toNs(ms(3000))));
    }

    @Test
    void shouldWriteEverythingAtOnceWithoutWaiting()
    {
        assertEquals(List.of("0 abBc"), replay(context().noWait(true)));
        assertEquals(0, clock.idles);
    }

    @Test
    void shouldPauseAndResume()
    {
        clock.at(500, Command.TOGGLE_PAUSE).at(2500, Command.TOGGLE_PAUSE);
        assertEquals(List.of("3000 a", "3500 bB", "5000 c"), replay(context()));
    }

    @Test
    void shouldStepOneFrameWhilePaused()
    {
        // The second step writes b and B: they share a time, so the step moves play time to both.
        clock.at(500, Command.TOGGLE_PAUSE).at(700, Command.STEP).at(800, Command.STEP).at(1000, Command.TOGGLE_PAUSE);
        assertEquals(List.of("700 a", "800 bB", "2500 c"), replay(context()));
    }

    @Test
    void shouldPauseWhenSteppingDuringPlay()
    {
        clock.at(500, Command.STEP).at(600, Command.TOGGLE_PAUSE);
        assertEquals(List.of("500 a", "1100 bB", "2600 c"), replay(context()));
    }

    @Test
    void shouldChangeSpeedFromThePlayPositionReached()
    {
        clock.at(500, Command.FASTER).at(1000, Command.SLOWER).at(1000, Command.SLOWER);
        final SessionReplayer replayer = new SessionReplayer(context(), new Recorder());
        try (JournalReader reader = JournalReader.open(journal))
        {
            replayer.replay(reader);
        }
        // 0.5 s at 1x, then 2x until 1.0 s (play 1.5 s), then 0.5x: c is 1.5 s of play later, 3 s of wall time.
        assertEquals(List.of("750 a", "1000 bB", "4000 c"), writes);
        assertEquals(0.5, replayer.speed());
    }

    @Test
    void shouldQuitAtOnce()
    {
        clock.at(1200, Command.QUIT);
        assertEquals(List.of("1000 a"), replay(context()));
    }

    @Test
    void shouldFollowALiveSessionUntilItExits() throws Exception
    {
        try (TimedJournal writer = TimedJournal.open(journal))
        {
            writer.started(3, 0, "live").output(3, 1000, "a");
            // More output arrives while the replay waits at the end of the journal.
            clock.at(1500, () -> writer.output(3, 2000, "z").exited(3, 2100));
            assertEquals(List.of("1000 a", "2000 z"), replay(context().sessionId(3).live(() -> true)));
        }
    }

    @Test
    void shouldRejectBadSettings()
    {
        assertThrows(IllegalArgumentException.class, () -> context().speed(0).conclude());
        assertThrows(IllegalArgumentException.class, () -> context().speed(Double.NaN).conclude());
        assertThrows(IllegalArgumentException.class, () -> context().idleLimitNs(0).conclude());
        assertThrows(IllegalArgumentException.class, () -> context().fromNs(ms(2)).toNs(ms(2)).conclude());
    }

    @Test
    void shouldMapKeysToCommands()
    {
        assertEquals(Command.TOGGLE_PAUSE, Command.forKey(' '));
        assertEquals(Command.FASTER, Command.forKey('+'));
        assertEquals(Command.SLOWER, Command.forKey('-'));
        assertEquals(Command.STEP, Command.forKey('.'));
        assertEquals(Command.QUIT, Command.forKey('q'));
        assertNull(Command.forKey('x'));
    }

    private SessionReplayer.Context context()
    {
        return new SessionReplayer.Context().sessionId(DEMO).clock(clock).control(control);
    }

    private List<String> replay(final SessionReplayer.Context ctx)
    {
        clock.origin();
        try (JournalReader reader = JournalReader.open(journal))
        {
            new SessionReplayer(ctx, new Recorder()).replay(reader);
        }

        return writes;
    }

    private static long ms(final long ms)
    {
        return TimeUnit.MILLISECONDS.toNanos(ms);
    }

    /**
     * Records each write as "ms-after-origin text".
     */
    private final class Recorder extends OutputStream
    {
        @Override
        public void write(final int b)
        {
            write(new byte[]{ (byte)b }, 0, 1);
        }

        @Override
        public void write(final byte[] bytes, final int offset, final int length)
        {
            writes.add(clock.elapsedMs() + " " + new String(bytes, offset, length, StandardCharsets.UTF_8));
        }
    }

    /**
     * A clock that only moves when the replayer idles, jumping to the end of the idle or to the next scheduled
     * event, whichever comes first; events stand for keys pressed at those times.
     */
    private final class SteppedClock implements ReplayClock
    {
        private final TreeMap<Long, List<Runnable>> events = new TreeMap<>();
        private long originNs = 7_000_000_000L;
        private long nowNs = originNs;
        private int idles;

        SteppedClock at(final long atMs, final Command command)
        {
            return at(atMs, () -> control.submit(command));
        }

        SteppedClock at(final long atMs, final Runnable event)
        {
            events.computeIfAbsent(originNs + ms(atMs), k -> new ArrayList<>()).add(event);
            return this;
        }

        void origin()
        {
            // A second replay in one test starts its own timeline where the first one ended.
            final long shift = nowNs - originNs;
            originNs = nowNs;
            final TreeMap<Long, List<Runnable>> shifted = new TreeMap<>();
            events.forEach((atNs, runs) -> shifted.put(atNs + shift, runs));
            events.clear();
            events.putAll(shifted);
        }

        long elapsedMs()
        {
            return TimeUnit.NANOSECONDS.toMillis(nowNs - originNs);
        }

        @Override
        public long nanoTime()
        {
            return nowNs;
        }

        @Override
        public void idle(final long durationNs)
        {
            if (++idles > 1_000_000)
            {
                throw new AssertionError("the replay never finished; clock at " + elapsedMs() + " ms");
            }
            final long targetNs = nowNs + durationNs;
            final Map.Entry<Long, List<Runnable>> next = events.firstEntry();
            if (null != next && next.getKey() <= targetNs)
            {
                events.remove(next.getKey());
                nowNs = Math.max(nowNs, next.getKey());
                next.getValue().forEach(Runnable::run);
            }
            else
            {
                nowNs = targetNs;
            }
        }
    }
}
