package io.ptyq.producer;

import io.ptyq.codec.control.DaemonProxy;
import io.ptyq.codec.control.SessionSpec;
import io.ptyq.codec.sbe.ExitReason;
import io.ptyq.codec.sbe.SessionExitedDecoder;
import io.ptyq.codec.sbe.SessionStartedDecoder;
import io.ptyq.consumer.JournalAdapter;
import io.ptyq.consumer.JournalListener;
import io.ptyq.consumer.JournalReader;
import io.ptyq.consumer.StartPosition;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * kill -9 of the daemon at random moments while three sessions flood their PTYs, {@code -Dptyq.crash.trials} times
 * (default 20) on one journal. A reader tails the journal live across every crash and restart; after each one the
 * journal must open, every frame the live reader saw before the kill must still be there byte for byte, each
 * session's stream must be contiguous, no reader may ever see a partial frame, and the next daemon must continue
 * session ids and be ready quickly (its own "ready in" figure, from launch to serving): within 2 s at the median (or
 * three times a fresh daemon's start on an empty journal, measured first, on a loaded machine), and never after
 * waiting out Chronicle's 10 s lock timeout, since it releases the dead writer's lock deliberately. A restart that
 * waited out the timeout takes the timeout plus at least a fresh daemon's start, which is the per-trial bound: a
 * fixed one (8 s until session 8) failed once on a CI-like machine so loaded that one restart without any lock wait
 * took 9.1 s. Figures go to {@code target/daemon-crash-figures.txt}, and each trial's line also to stdout as it ends.
 */
@Tag("slow")
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class DaemonCrashSystemTest
{
    private static final Pattern READY = Pattern.compile("ready in (\\d+) ms");
    private static final long MEDIAN_READY_MS = 2000;
    private static final long CHRONICLE_LOCK_TIMEOUT_MS = 10_000;
    private static final int BASELINE_STARTS = 3;
    private static final int PLANT_LOCK_EVERY = 4;

    @TempDir
    Path temp;

    private DaemonProcess daemon;

    @AfterEach
    void tearDown()
    {
        if (null != daemon)
        {
            daemon.close();
        }
    }

    @Test
    void shouldRecoverFromKill9AtRandomMomentsUnderHeavyOutput() throws Exception
    {
        final int trials = Integer.getInteger("ptyq.crash.trials", 20);
        final long seed = Long.getLong("ptyq.crash.seed", System.nanoTime());
        final Random random = new Random(seed);
        final Path journal = temp.resolve("journal");
        final Path logs = temp.resolve("logs");
        final List<String> figures = new ArrayList<>();
        figures.add("seed " + seed + ", " + trials + " trials");
        final long baselineReadyMs = baselineReadyMs(logs, figures);
        figures.forEach(System.out::println);
        daemon = DaemonProcess.start(journal, logs);
        long lastSessionId = 0;
        int locksReleased = 0;
        int lockHolds = 0;
        long maxReadyMs = 0;
        final List<Long> readyTimes = new ArrayList<>();
        long totalFrames = 0;

        for (int trial = 1; trial <= trials; trial++)
        {
            final FrameLog live = new FrameLog();
            final LiveTail tail = new LiveTail(journal, live);
            final List<Long> sessions = new ArrayList<>();
            try (DaemonProxy proxy = DaemonProxy.connect(journal))
            {
                sessions.add(proxy.newSession(spec("seq", "1", "100000000")));
                sessions.add(proxy.newSession(spec("yes", "a line of output from the flood")));
                sessions.add(proxy.newSession(spec("sh", "-c", "while :; do echo $$ $RANDOM; done")));
            }
            assertTrue(sessions.get(0) > lastSessionId, "session ids continue: " + sessions + " after " +
                lastSessionId);
            lastSessionId = sessions.get(sessions.size() - 1);

            // Every session floods before the kill: on a loaded machine a child may not have run 200 ms after it
            // was spawned, and a session with no output would check nothing.
            awaitOutput(live, sessions, tail);
            final long killAfterMs = 200 + random.nextInt(1300);
            Thread.sleep(killAfterMs);
            final long framesBeforeKill = live.frames();
            final long killedPid = daemon.pid();
            daemon.kill9();
            Thread.sleep(50);
            final Long2LongHashMap seenBeforeKill = live.checksumsCopy();
            final long holder = writeLockHolder(journal);
            final String lockState;
            Process reusedPid = null;
            if (trial % PLANT_LOCK_EVERY == 0)
            {
                // The worst case: the dead daemon's pid already belongs to a live process, so Chronicle, which
                // frees a lock only when its holder pid is dead, would wait out its timeout on every append.
                reusedPid = new ProcessBuilder("sleep", "120").start();
                plantWriteLock(journal, reusedPid.pid());
                lockState = "held, pid reused";
            }
            else
            {
                lockState = holder == killedPid ? "held by the dead" : "free            ";
            }

            daemon = DaemonProcess.start(journal, logs);
            final String log = daemon.stdout();
            final Matcher ready = READY.matcher(log);
            assertTrue(ready.find(), log);
            final long readyMs = Long.parseLong(ready.group(1));
            maxReadyMs = Math.max(maxReadyMs, readyMs);
            readyTimes.add(readyMs);
            final boolean released = log.contains("was held by pid");
            locksReleased += released ? 1 : 0;
            if (null != reusedPid)
            {
                assertTrue(log.contains("was held by pid " + reusedPid.pid()), "trial " + trial + ": " + log);
                reusedPid.destroyForcibly();
            }
            lockHolds += holder == killedPid || null != reusedPid ? 1 : 0;
            assertTrue(readyMs < CHRONICLE_LOCK_TIMEOUT_MS + baselineReadyMs, "trial " + trial + ": daemon ready in " +
                readyMs + " ms, as long as waiting out Chronicle's lock timeout would take: " + log);

            awaitAbandoned(live, sessions, tail);
            tail.stop();
            assertNull(tail.failure(), "trial " + trial + ": live reader failed");
            assertEquals(0, live.invalidFrames(), "trial " + trial + ": the live reader saw a partial frame");

            final FrameLog after = FrameLog.readFrom(journal, live.firstIndex());
            assertEquals(0, after.invalidFrames(), "trial " + trial + ": invalid frames after the crash");
            final Long2LongHashMap.KeyIterator indices = seenBeforeKill.keySet().iterator();
            while (indices.hasNext())
            {
                final long index = indices.nextValue();
                assertEquals(seenBeforeKill.get(index), after.checksums().get(index),
                    "trial " + trial + ": frame " + index + " seen before the kill changed or vanished");
            }
            for (final long session : sessions)
            {
                assertEquals(ExitReason.ABANDONED, after.reasons.get(session), "session " + session);
                assertEquals(after.positions.get(session), after.totals.get(session),
                    "trial " + trial + ": session " + session + " total bytes");
                assertTrue(after.positions.get(session) > 0, "session " + session + " wrote output");
            }
            totalFrames += after.frames();
            figures.add(String.format("trial %2d: killed after %4d ms, %6d frames seen before the kill, " +
                "write lock %s, next daemon ready in %4d ms", trial, killAfterMs, framesBeforeKill,
                lockState, readyMs));
            System.out.println(figures.get(figures.size() - 1));
        }
        readyTimes.sort(null);
        final long medianReadyMs = readyTimes.get(readyTimes.size() / 2);
        figures.add("write lock left held in " + lockHolds + " of " + trials + " trials (released by the daemon " +
            locksReleased + " times, by Chronicle's dead-pid check the others); next daemon ready in median " +
            medianReadyMs + " ms, slowest " + maxReadyMs + " ms (a fresh daemon on an empty journal: " +
            baselineReadyMs + " ms); " + totalFrames + " frames checked; journal " +
            directorySize(journal) / (1 << 20) + " MiB");
        Files.createDirectories(Path.of("target"));
        Files.write(Path.of("target", "daemon-crash-figures.txt"), figures);
        System.out.println(figures.get(figures.size() - 1));
        // 2 s; on a machine so loaded that a fresh daemon on an empty journal, measured now, takes over 2/3 s,
        // three times that (the restart also scans the journal, which grows with every trial).
        assertTrue(medianReadyMs < Math.max(MEDIAN_READY_MS, baselineReadyMs * 3),
            "median time to a ready daemon: " + figures);
    }

    private long baselineReadyMs(final Path logs, final List<String> figures) throws Exception
    {
        final List<Long> times = new ArrayList<>();
        for (int i = 0; i < BASELINE_STARTS; i++)
        {
            try (DaemonProcess fresh = DaemonProcess.start(temp.resolve("empty-" + i), logs))
            {
                final Matcher ready = READY.matcher(fresh.stdout());
                assertTrue(ready.find(), fresh.stdout());
                times.add(Long.parseLong(ready.group(1)));
            }
        }
        times.sort(null);
        figures.add("fresh daemons on empty journals ready in " + times + " ms");

        return times.get(times.size() / 2);
    }

    private static long writeLockHolder(final Path journal)
    {
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(journal).readOnly(true).build())
        {
            return queue.tableStoreGet(JournalLockRecovery.WRITE_LOCK_KEY);
        }
    }

    private static void plantWriteLock(final Path journal, final long deadPid)
    {
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(journal).build())
        {
            queue.tableStorePut(JournalLockRecovery.WRITE_LOCK_KEY, deadPid);
        }
    }

    private static void awaitOutput(final FrameLog live, final List<Long> sessions, final LiveTail tail)
        throws InterruptedException
    {
        final long deadlineMs = System.currentTimeMillis() + 60_000;
        while (true)
        {
            boolean all = true;
            for (final long session : sessions)
            {
                all &= live.hasOutput(session);
            }
            if (all || null != tail.failure())
            {
                return;
            }
            if (System.currentTimeMillis() > deadlineMs)
            {
                fail("timed out waiting for the live reader to see output from every one of sessions " + sessions);
            }
            Thread.sleep(20);
        }
    }

    private static void awaitAbandoned(final FrameLog live, final List<Long> sessions, final LiveTail tail)
        throws InterruptedException
    {
        final long deadlineMs = System.currentTimeMillis() + 60_000;
        while (true)
        {
            boolean all = null == tail.failure();
            for (final long session : sessions)
            {
                all &= live.hasExited(session);
            }
            if (all || null != tail.failure())
            {
                return;
            }
            if (System.currentTimeMillis() > deadlineMs)
            {
                fail("timed out waiting for the live reader to see sessions " + sessions + " abandoned");
            }
            Thread.sleep(20);
        }
    }

    private static long directorySize(final Path dir) throws java.io.IOException
    {
        try (var files = Files.list(dir))
        {
            return files.filter(Files::isRegularFile).mapToLong(file -> file.toFile().length()).sum();
        }
    }

    private static SessionSpec spec(final String... argv)
    {
        return new SessionSpec("", List.of(argv), null, Map.of(), 80, 24);
    }

    /**
     * A reader tailing the journal on its own thread from the end as it is when created.
     */
    private static final class LiveTail
    {
        private final Thread thread;
        private volatile boolean stop;
        private volatile Throwable failure;

        LiveTail(final Path journal, final FrameLog log)
        {
            final JournalReader reader = JournalReader.open(journal);
            final JournalAdapter adapter = reader.adapter(log, StartPosition.end());
            thread = new Thread(() ->
            {
                try (reader; adapter)
                {
                    while (!stop)
                    {
                        if (adapter.poll(256) == 0)
                        {
                            Thread.onSpinWait();
                        }
                    }
                }
                catch (final Throwable ex)
                {
                    failure = ex;
                }
            }, "live-tail");
            thread.start();
        }

        void stop() throws InterruptedException
        {
            stop = true;
            thread.join(30_000);
        }

        Throwable failure()
        {
            return failure;
        }
    }

    /**
     * Frames read: a CRC of each output frame by journal index, per-session stream order, exits.
     */
    private static final class FrameLog implements JournalListener
    {
        final Map<Long, Long> positions = new HashMap<>();
        final Map<Long, Long> totals = new HashMap<>();
        final Map<Long, ExitReason> reasons = new HashMap<>();
        private final Long2LongHashMap checksums = new Long2LongHashMap(-1);
        private final CRC32 crc = new CRC32();
        private final byte[] copy = new byte[1 << 20];
        private volatile long frames;
        private volatile long invalidFrames;
        private volatile long firstIndex = -1;

        static FrameLog readFrom(final Path journal, final long index)
        {
            final FrameLog log = new FrameLog();
            try (JournalReader reader = JournalReader.open(journal);
                JournalAdapter adapter = reader.adapter(log, StartPosition.index(index)))
            {
                while (adapter.poll(4096) > 0)
                {
                    // Everything there now.
                }
            }

            return log;
        }

        @Override
        public void onSessionStarted(final long index, final SessionStartedDecoder decoder)
        {
            onFrame(index);
            synchronized (this)
            {
                positions.put(decoder.sessionId(), 0L);
            }
        }

        @Override
        public void onOutput(
            final long index, final long sessionId, final long streamPosition, final long timestampNs,
            final DirectBuffer buffer, final int offset, final int length)
        {
            onFrame(index);
            buffer.getBytes(offset, copy, 0, length);
            crc.reset();
            crc.update(copy, 0, length);
            synchronized (this)
            {
                final Long expected = positions.get(sessionId);
                if (null == expected)
                {
                    return; // a session started before this log's first frame
                }
                if (expected != streamPosition)
                {
                    throw new AssertionError("session " + sessionId + " output at streamPosition " +
                        streamPosition + ", expected " + expected + " (frame " + index + ")");
                }
                positions.put(sessionId, streamPosition + length);
                checksums.put(index, crc.getValue());
            }
        }

        @Override
        public void onSessionExited(final long index, final SessionExitedDecoder decoder)
        {
            onFrame(index);
            synchronized (this)
            {
                totals.put(decoder.sessionId(), decoder.totalOutputBytes());
                reasons.put(decoder.sessionId(), decoder.reason());
            }
        }

        @Override
        public void onInvalidFrame(final long index, final String reason)
        {
            invalidFrames++;
        }

        private void onFrame(final long index)
        {
            if (firstIndex < 0)
            {
                firstIndex = index;
            }
            frames++;
        }

        synchronized boolean hasOutput(final long session)
        {
            return positions.getOrDefault(session, 0L) > 0;
        }

        synchronized boolean hasExited(final long session)
        {
            return reasons.containsKey(session);
        }

        synchronized Long2LongHashMap checksumsCopy()
        {
            final Long2LongHashMap copy = new Long2LongHashMap(-1);
            copy.putAll(checksums);
            return copy;
        }

        Long2LongHashMap checksums()
        {
            return checksums;
        }

        long frames()
        {
            return frames;
        }

        long invalidFrames()
        {
            return invalidFrames;
        }

        long firstIndex()
        {
            return firstIndex;
        }
    }
}
