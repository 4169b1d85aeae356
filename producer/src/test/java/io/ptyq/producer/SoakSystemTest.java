package io.ptyq.producer;

import io.ptyq.codec.control.DaemonProxy;
import io.ptyq.codec.control.SessionSpec;
import io.ptyq.codec.sbe.SessionExitedDecoder;
import io.ptyq.codec.sbe.SessionStartedDecoder;
import io.ptyq.consumer.JournalAdapter;
import io.ptyq.consumer.JournalListener;
import io.ptyq.consumer.JournalReader;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Soak: a daemon on one-second journal cycles under mixed load (bulk output, trickles, interactive sessions with input,
 * resizes and markers, quick exits) for {@code -Dptyq.soak.seconds} (default 120), with retention deleting old cycles
 * and a live reader checking every session's stream. The daemon's file descriptors, memory mappings and heap after a
 * full GC must stay flat after the warm-up. Figures go to {@code target/soak-figures.txt}.
 */
@Tag("slow")
class SoakSystemTest
{
    private static final long TICK_MS = 250;
    private static final int FD_SLACK = 24;
    private static final int MAPS_SLACK = 64;
    private static final long HEAP_SLACK_KB = 24 * 1024;

    @TempDir
    Path temp;

    @Test
    void shouldKeepDescriptorsMappingsAndHeapFlatUnderMixedLoad() throws Exception
    {
        final long durationMs = Long.getLong("ptyq.soak.seconds", 120) * 1000;
        final long sampleEveryMs = Math.max(5_000, durationMs / 60);
        final Path journal = temp.resolve("journal");
        final Path logs = temp.resolve("logs");
        final List<String> report = new ArrayList<>();
        final List<ProcessFootprint> samples = new ArrayList<>();
        final StreamChecker checker = new StreamChecker();
        final AtomicReference<Throwable> readerFailure = new AtomicReference<>();

        try (DaemonProcess daemon = DaemonProcess.start(journal, logs,
            List.of("-D" + JournalFiles.ROLL_CYCLE_PROPERTY + "=TEST_SECONDLY"), "--retain", "20s");
            DaemonProxy proxy = DaemonProxy.connect(journal))
        {
            final Thread reader = new Thread(() -> checker.run(journal, readerFailure), "soak-reader");
            reader.start();
            final long startMs = System.currentTimeMillis();
            final long warmEndMs = startMs + Math.max(20_000, durationMs / 10);
            long nextSampleMs = warmEndMs;
            final ArrayDeque<long[]> interactive = new ArrayDeque<>();
            long tick = 0;
            long sessionsStarted = 0;
            while (System.currentTimeMillis() - startMs < durationMs)
            {
                assertTrue(daemon.process().isAlive(), "daemon died: " + daemon.stderr());
                switch ((int)(tick % 4))
                {
                    case 0 -> proxy.newSession(spec("seq", "1", "40000"));
                    case 1 -> proxy.newSession(spec("sh", "-c",
                        "for i in 1 2 3 4 5 6 7 8; do echo \"tick $i\"; sleep 0.25; done"));
                    case 2 ->
                    {
                        final long id = proxy.newSession(spec("cat"));
                        interactive.add(new long[]{ id, tick });
                    }
                    default -> proxy.newSession(spec("sh", "-c", "printf 'quick\\n'; exit 3"));
                }
                sessionsStarted++;
                for (final long[] session : interactive)
                {
                    final String id = Long.toString(session[0]);
                    proxy.input(id, ("line " + tick + "\r").getBytes(StandardCharsets.US_ASCII));
                    if ((tick & 1) == 0)
                    {
                        proxy.resize(id, 80 + (int)(tick % 40), 24 + (int)(tick % 10));
                    }
                    else
                    {
                        proxy.marker(id, "mark " + tick);
                    }
                }
                while (!interactive.isEmpty() && tick - interactive.peek()[1] >= 12)
                {
                    proxy.signal(Long.toString(interactive.poll()[0]), Signals.number("TERM"));
                }
                if (System.currentTimeMillis() >= nextSampleMs)
                {
                    final ProcessFootprint sample = ProcessFootprint.of(daemon.pid());
                    samples.add(sample);
                    report.add(String.format("t=%4ds %s, cycle files %d, sessions %d, bytes read %d",
                        (System.currentTimeMillis() - startMs) / 1000, sample, cycleFiles(journal), sessionsStarted,
                        checker.bytes()));
                    nextSampleMs += sampleEveryMs;
                }
                if (null != readerFailure.get())
                {
                    break;
                }
                tick++;
                Thread.sleep(TICK_MS);
            }
            for (final long[] session : interactive)
            {
                proxy.signal(Long.toString(session[0]), Signals.number("TERM"));
            }
            final long deadlineMs = System.currentTimeMillis() + 60_000;
            while (checker.running() > 0 && null == readerFailure.get() && System.currentTimeMillis() < deadlineMs)
            {
                Thread.sleep(100);
            }
            checker.stop();
            reader.join(30_000);
            final ProcessFootprint last = ProcessFootprint.of(daemon.pid());
            samples.add(last);
            report.add("end: " + last + ", sessions " + sessionsStarted + " (" + checker.exited() + " exits read), " +
                "bytes read " + checker.bytes() + ", duration " + durationMs / 1000 + " s");
            writeReport(report);

            if (null != readerFailure.get())
            {
                throw new AssertionError("the live reader failed", readerFailure.get());
            }
            assertEquals(0, checker.running(), "sessions never seen to exit");
            assertEquals(sessionsStarted, checker.exited(), "every session started was read to its exit");
            assertTrue(samples.size() >= 3, "too few samples: " + report);
            assertFlat(samples, report);
            assertTrue(cycleFiles(journal) < 60, "retention keeps the cycle files bounded: " + cycleFiles(journal));
        }
    }

    private static void assertFlat(final List<ProcessFootprint> samples, final List<String> report)
    {
        final int third = Math.max(1, samples.size() / 3);
        final ProcessFootprint first = samples.get(0);
        long minFds = Long.MAX_VALUE;
        long minMaps = Long.MAX_VALUE;
        long earlyHeap = Long.MAX_VALUE;
        for (int i = 0; i < third; i++)
        {
            minFds = Math.min(minFds, samples.get(i).fds());
            minMaps = Math.min(minMaps, samples.get(i).maps());
            earlyHeap = Math.min(earlyHeap, samples.get(i).heapUsedKb());
        }
        long lateHeap = Long.MAX_VALUE;
        for (int i = samples.size() - third; i < samples.size(); i++)
        {
            lateHeap = Math.min(lateHeap, samples.get(i).heapUsedKb());
        }
        for (final ProcessFootprint sample : samples)
        {
            assertTrue(sample.fds() <= minFds + FD_SLACK, "file descriptors grow from " + first + ": " + report);
            assertTrue(sample.maps() <= minMaps + MAPS_SLACK, "memory mappings grow from " + first + ": " + report);
        }
        assertTrue(lateHeap <= earlyHeap + HEAP_SLACK_KB, "heap after GC grows: " + report);
    }

    private static long cycleFiles(final Path journal) throws IOException
    {
        try (Stream<Path> files = Files.list(journal))
        {
            return files.filter(file -> file.toString().endsWith(".cq4")).count();
        }
    }

    private static void writeReport(final List<String> report) throws IOException
    {
        final Path target = Path.of("target");
        Files.createDirectories(target);
        Files.write(target.resolve("soak-figures.txt"), report);
        report.forEach(System.out::println);
    }

    private static SessionSpec spec(final String... argv)
    {
        return new SessionSpec("", List.of(argv), null, Map.of(), 80, 24);
    }

    /**
     * The live reader: every session's output must arrive in order, without gaps, and add up to its exit's total.
     */
    private static final class StreamChecker implements JournalListener
    {
        private final Map<Long, Long> positions = new HashMap<>();
        private volatile boolean stop;
        private volatile long bytes;
        private volatile long exited;
        private volatile int running;

        void run(final Path journal, final AtomicReference<Throwable> failure)
        {
            try (JournalReader reader = JournalReader.open(journal);
                JournalAdapter adapter = reader.adapter(this))
            {
                while (!stop)
                {
                    if (adapter.poll(1024) == 0)
                    {
                        Thread.sleep(1);
                    }
                }
                while (adapter.poll(1024) > 0)
                {
                    // Drain what is left.
                }
            }
            catch (final Throwable ex)
            {
                failure.set(ex);
            }
        }

        @Override
        public void onSessionStarted(final long index, final SessionStartedDecoder decoder)
        {
            positions.put(decoder.sessionId(), 0L);
            running = positions.size();
        }

        @Override
        public void onOutput(
            final long index, final long sessionId, final long streamPosition, final long timestampNs,
            final DirectBuffer buffer, final int offset, final int length)
        {
            final Long expected = positions.get(sessionId);
            if (null == expected || expected != streamPosition)
            {
                throw new AssertionError("session " + sessionId + " output at " + streamPosition + ", expected " +
                    expected);
            }
            positions.put(sessionId, streamPosition + length);
            bytes += length;
        }

        @Override
        public void onSessionExited(final long index, final SessionExitedDecoder decoder)
        {
            final Long seen = positions.remove(decoder.sessionId());
            if (null == seen || seen != decoder.totalOutputBytes())
            {
                throw new AssertionError("session " + decoder.sessionId() + " exited with " +
                    decoder.totalOutputBytes() + " bytes, read " + seen);
            }
            running = positions.size();
            exited++;
        }

        @Override
        public void onInvalidFrame(final long index, final String reason)
        {
            throw new AssertionError("invalid frame at " + index + ": " + reason);
        }

        long bytes()
        {
            return bytes;
        }

        long exited()
        {
            return exited;
        }

        int running()
        {
            return running;
        }

        void stop()
        {
            stop = true;
        }
    }
}
