package io.ptyq.producer;

import io.ptyq.codec.control.DaemonProxy;
import io.ptyq.codec.control.SessionSpec;
import io.ptyq.codec.sbe.SessionExitedDecoder;
import io.ptyq.consumer.JournalAdapter;
import io.ptyq.consumer.JournalListener;
import io.ptyq.consumer.JournalReader;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A consumer ({@code ptyq cat --follow}, a real process) frozen with SIGSTOP for 30 s while a session floods its PTY:
 * the producer's throughput must not drop against a run with no consumer at all, measured in the same test from the
 * journal's own timestamps, and once resumed the consumer must catch up and print every byte. Figures go to
 * {@code target/stopped-consumer-figures.txt}.
 */
@Tag("slow")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class StoppedConsumerSystemTest
{
    private static final int FLOOD_BYTES = 96 << 20;
    private static final long STOP_MS = 30_000;
    private static final double MIN_RATIO = 0.5;

    @TempDir
    Path temp;

    @Test
    void shouldNeitherSlowTheProducerNorLoseBytesWhileAConsumerIsStopped() throws Exception
    {
        final Path flood = temp.resolve("flood.bin");
        final byte[] bytes = new byte[FLOOD_BYTES];
        new Random(7).nextBytes(bytes);
        Files.write(flood, bytes);
        final Path journal = temp.resolve("journal");
        final Path logs = temp.resolve("logs");
        final List<String> figures = new ArrayList<>();

        try (DaemonProcess daemon = DaemonProcess.start(journal, logs);
            DaemonProxy proxy = DaemonProxy.connect(journal))
        {
            // The first flood warms the daemon's JIT; the second is the baseline.
            awaitExit(journal, proxy.newSession(spec("warm-up", "stty raw -echo; cat " + flood)));
            final long baseline = proxy.newSession(spec("baseline", "stty raw -echo; cat " + flood));
            awaitExit(journal, baseline);
            final double baselineMbps = Throughput.of(journal, baseline, 0).mbPerSecond();

            // The flood waits for a line, sent once the consumer is stopped.
            final long session = proxy.newSession(spec("flood", "stty raw -echo; printf start; read go; cat " + flood));
            try (DaemonProcess consumer = DaemonProcess.spawn(logs, "", List.of(),
                List.of("cat", "flood", "--follow", "--journal", journal.toString())))
            {
                awaitConsumerOutput(consumer, "start");
                final long stoppedAtMs = System.currentTimeMillis();
                signal(consumer.pid(), "STOP");
                try
                {
                    proxy.input("flood", "go\n".getBytes(StandardCharsets.US_ASCII));
                    awaitExit(journal, session);
                    final long floodDoneMs = System.currentTimeMillis() - stoppedAtMs;
                    assertTrue(floodDoneMs < STOP_MS, "the flood ended while the consumer was stopped (" +
                        floodDoneMs + " ms)");
                    assertEquals(5, consumer.stdoutBytes().length, "a stopped consumer reads nothing");
                    Thread.sleep(STOP_MS - (System.currentTimeMillis() - stoppedAtMs));
                }
                finally
                {
                    signal(consumer.pid(), "CONT");
                }
                final long resumedNs = System.nanoTime();
                assertTrue(consumer.process().waitFor(120, TimeUnit.SECONDS), "the consumer caught up and ended");
                final long catchUpMs = (System.nanoTime() - resumedNs) / 1_000_000;
                assertEquals(0, consumer.process().exitValue(), consumer.stderr());

                final byte[] expected = new byte[5 + FLOOD_BYTES];
                System.arraycopy("start".getBytes(StandardCharsets.US_ASCII), 0, expected, 0, 5);
                System.arraycopy(bytes, 0, expected, 5, FLOOD_BYTES);
                assertArrayEquals(expected, consumer.stdoutBytes(), "the resumed consumer lost nothing");

                final double stoppedMbps = Throughput.of(journal, session, 5).mbPerSecond();
                final double ratio = stoppedMbps / baselineMbps;
                figures.add(String.format("producer throughput, %d MiB through a PTY: no consumer %.1f MB/s, " +
                    "a consumer stopped with SIGSTOP %.1f MB/s, ratio %.2f; the consumer caught up %d MiB in %d ms " +
                    "after SIGCONT", FLOOD_BYTES >> 20, baselineMbps, stoppedMbps, ratio, FLOOD_BYTES >> 20,
                    catchUpMs));
                Files.createDirectories(Path.of("target"));
                Files.write(Path.of("target", "stopped-consumer-figures.txt"), figures);
                figures.forEach(System.out::println);
                assertTrue(ratio >= MIN_RATIO, "throughput dropped with a stopped consumer: " + figures);
            }
            daemon.terminate();
        }
    }

    private static SessionSpec spec(final String name, final String script)
    {
        return new SessionSpec(name, List.of("sh", "-c", script), null, Map.of(), 80, 24);
    }

    private static void signal(final long pid, final String signal) throws Exception
    {
        final Process kill = new ProcessBuilder("sh", "-c", "kill -" + signal + " " + pid).inheritIO().start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + signal + " " + pid);
    }

    private static void awaitConsumerOutput(final DaemonProcess consumer, final String text) throws Exception
    {
        final long deadlineMs = System.currentTimeMillis() + 60_000;
        while (!new String(consumer.stdoutBytes(), StandardCharsets.US_ASCII).contains(text))
        {
            if (!consumer.process().isAlive() || System.currentTimeMillis() > deadlineMs)
            {
                fail("the consumer did not print '" + text + "': " + consumer.stderr());
            }
            Thread.sleep(20);
        }
    }

    private static void awaitExit(final Path journal, final long session) throws InterruptedException
    {
        final long deadlineMs = System.currentTimeMillis() + 120_000;
        while (!JournalContents.read(journal).reasons.containsKey(session))
        {
            if (System.currentTimeMillis() > deadlineMs)
            {
                fail("timed out waiting for session " + session + " to exit");
            }
            Thread.sleep(100);
        }
    }

    /**
     * A session's output rate by the journal's frame timestamps, from its first output frame at or past a stream
     * position to its last.
     */
    private static final class Throughput implements JournalListener
    {
        private final long sessionId;
        private final long fromPosition;
        private long firstNs = -1;
        private long lastNs;
        private long bytes;

        private Throughput(final long sessionId, final long fromPosition)
        {
            this.sessionId = sessionId;
            this.fromPosition = fromPosition;
        }

        static Throughput of(final Path journal, final long sessionId, final long fromPosition)
        {
            final Throughput throughput = new Throughput(sessionId, fromPosition);
            try (JournalReader reader = JournalReader.open(journal);
                JournalAdapter adapter = reader.adapter(throughput))
            {
                while (adapter.poll(4096) > 0)
                {
                    // Read it all.
                }
            }
            return throughput;
        }

        @Override
        public void onOutput(
            final long index, final long sessionId, final long streamPosition, final long timestampNs,
            final DirectBuffer buffer, final int offset, final int length)
        {
            if (sessionId == this.sessionId && streamPosition >= fromPosition)
            {
                if (firstNs < 0)
                {
                    firstNs = timestampNs;
                }
                lastNs = timestampNs;
                bytes += length;
            }
        }

        @Override
        public void onSessionExited(final long index, final SessionExitedDecoder decoder)
        {
        }

        double mbPerSecond()
        {
            return bytes / 1e6 / Math.max(1e-3, (lastNs - firstNs) / 1e9);
        }
    }
}
