package io.ptyq.bench;

import io.ptyq.codec.FrameDescriptor;
import io.ptyq.codec.sbe.OutputDecoder;
import io.ptyq.consumer.JournalAdapter;
import io.ptyq.consumer.JournalAgent;
import io.ptyq.consumer.JournalListener;
import io.ptyq.consumer.JournalReader;
import io.ptyq.consumer.SchedulerSlice;
import io.ptyq.consumer.StartPosition;
import io.ptyq.producer.JournalFiles;
import io.ptyq.producer.JournalPublisher;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Measures latency from a {@link JournalPublisher} append to a consumer's callback in another JVM at a paced rate,
 * for ptyq's {@link JournalAdapter} and for a raw Chronicle tailer (the baseline), each busy-spinning and backing off
 * (ptyq's default backoff), and the raw tailer with Agrona's {@code BackoffIdleStrategy}, the default before.
 * A last mode reads nothing: "park-probe" times {@code parkNanos(1 us)} in the child while the producer runs, the
 * floor this machine sets for any consumer that sleeps (its "frames" are parks, its latencies park durations).
 * <p>
 * The producer writes its {@link System#nanoTime()} (CLOCK_MONOTONIC, system-wide on Linux) into the frame's
 * timestampNs just before the append; the child records {@code nanoTime() - timestampNs} in an HdrHistogram.
 * Arguments: measured seconds per mode (15), warm-up seconds (5), frames/s (10000), payload bytes (200).
 * {@code -Dptyq.bench.modes=sbe-backoff,park-probe} runs only the modes named; {@code -Dptyq.bench.stalls=true} has
 * each consumer print, on stderr, every stall: a run of consecutive frames (or parks) of more than 1 ms.
 */
public final class ConsumerLatencyHarness
{
    private static final String READY = "READY";
    private static final String RESULT = "RESULT";
    private static final String[] MODES = {
        "raw-spin", "sbe-spin", "raw-backoff", "sbe-backoff", "raw-agrona", "park-probe" };
    private static final long PROBE_PARK_NS = 1_000;
    private static final String MODES_PROPERTY = "ptyq.bench.modes";
    private static final String STALLS_PROPERTY = "ptyq.bench.stalls";
    private static final long STALL_NS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final StallLog STALLS = Boolean.getBoolean(STALLS_PROPERTY) ? new StallLog(STALL_NS, 4096) : null;
    private static final int TIMESTAMP_OFFSET =
        FrameDescriptor.HEADER_LENGTH + OutputDecoder.timestampNsEncodingOffset();

    private ConsumerLatencyHarness()
    {
    }

    /**
     * Run every mode once, each with a new journal and a new consumer JVM, and print a table.
     *
     * @param args [measureSeconds [warmupSeconds [framesPerSecond [payloadBytes]]]]; the child JVM gets
     *             {@code consumer dir mode warmupFrames measuredFrames}.
     */
    public static void main(final String[] args)
    {
        if (args.length > 0 && "consumer".equals(args[0]))
        {
            runConsumer(Path.of(args[1]), args[2], Long.parseLong(args[3]), Long.parseLong(args[4]),
                Integer.parseInt(args[5]));
            return;
        }
        final int measureSeconds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        final int warmupSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        final int rate = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
        final int payloadBytes = args.length > 3 ? Integer.parseInt(args[3]) : 200;
        final long warmupFrames = (long)warmupSeconds * rate;
        final long measuredFrames = (long)measureSeconds * rate;
        final String only = System.getProperty(MODES_PROPERTY);
        final List<String> modes = null == only ? List.of(MODES) : List.of(only.split(","));
        if (!List.of(MODES).containsAll(modes))
        {
            System.err.println("-D" + MODES_PROPERTY + ": modes are " + String.join(",", MODES) + ", not " + only);
            System.exit(2);
        }
        System.out.printf("latency append -> callback in another JVM: %,d frames/s of %d B, warm-up %d s, %d s each%n",
            rate, payloadBytes, warmupSeconds, measureSeconds);
        System.out.printf("%-12s %10s %10s %10s %10s %10s%n", "mode", "frames", "p50 us", "p99 us", "p99.9 us",
            "max us");
        final double[] p99 = new double[MODES.length];
        for (int i = 0; i < MODES.length; i++)
        {
            final String mode = MODES[i];
            if (!modes.contains(mode))
            {
                continue;
            }
            final Path dir = BenchFiles.newTempDir("ptyq-latency-");
            try (SingleChronicleQueue queue = JournalFiles.openForWrite(dir);
                JournalPublisher publisher = new JournalPublisher(queue);
                ChildJvm child = ChildJvm.start(ConsumerLatencyHarness.class, "consumer", dir.toString(), mode,
                    Long.toString(warmupFrames), Long.toString(measuredFrames), Integer.toString(rate)))
            {
                child.awaitLine(READY);
                publish(publisher, rate, payloadBytes, warmupFrames + measuredFrames);
                final String[] result = child.awaitLine(RESULT).split(" ");
                p99[i] = Double.parseDouble(result[2]);
                System.out.printf("%-12s %10s %10s %10s %10s %10s%n", mode, result[0], result[1], result[2],
                    result[3], result[4]);
            }
            finally
            {
                BenchFiles.deleteRecursively(dir);
            }
        }
        if (null != only)
        {
            return; // the ratios need every mode
        }
        System.out.printf("p99 ratio sbe/raw: busy-spin %.2fx, backoff %.2fx; raw tailer, ptyq's backoff / Agrona's: " +
            "%.2fx%n", p99[1] / p99[0], p99[3] / p99[2], p99[2] / p99[4]);
        System.out.printf("p99 / target: busy-spin %.2f of 50 us, backoff %.3f of 1000 us%n", p99[1] / 50.0,
            p99[3] / 1000.0);
    }

    private static void publish(
        final JournalPublisher publisher, final int rate, final int payloadBytes, final long frames)
    {
        final UnsafeBuffer payload = new UnsafeBuffer(Payloads.terminalOutput(payloadBytes));
        final long intervalNs = TimeUnit.SECONDS.toNanos(1) / rate;
        final long startNs = System.nanoTime();
        long streamPosition = 0;
        for (long i = 0; i < frames; i++)
        {
            final long dueNs = startNs + i * intervalNs;
            long nowNs;
            while ((nowNs = System.nanoTime()) < dueNs)
            {
                // parkNanos overshoots by ~50 us on Linux: park only while far from the due time, then spin.
                if (dueNs - nowNs > 80_000)
                {
                    LockSupport.parkNanos(dueNs - nowNs - 70_000);
                }
            }
            publisher.output(1, streamPosition, System.nanoTime(), payload, 0, payloadBytes);
            streamPosition += payloadBytes;
        }
    }

    /**
     * The consumer JVM: tail the journal from its end and record latency of each frame after the warm-up.
     */
    private static void runConsumer(
        final Path dir, final String mode, final long warmupFrames, final long measuredFrames, final int rate)
    {
        final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        if ("park-probe".equals(mode))
        {
            parkProbe(histogram, warmupFrames * TimeUnit.SECONDS.toNanos(1) / rate,
                (warmupFrames + measuredFrames) * TimeUnit.SECONDS.toNanos(1) / rate);
            printResult(histogram);
            return;
        }
        final long total = warmupFrames + measuredFrames;
        final long[] count = new long[1];
        if (mode.startsWith("raw"))
        {
            try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(dir).readOnly(true).build();
                ExcerptTailer tailer = queue.createTailer())
            {
                tailer.toEnd();
                final IdleStrategy idle = idleStrategy(mode, null);
                System.out.println(READY);
                while (count[0] < total)
                {
                    int work = 0;
                    try (DocumentContext dc = tailer.readingDocument())
                    {
                        if (dc.isPresent())
                        {
                            final Bytes<?> bytes = dc.wire().bytes();
                            final long timestampNs = bytes.readLong(bytes.readPosition() + TIMESTAMP_OFFSET);
                            record(histogram, count, warmupFrames, timestampNs);
                            work = 1;
                        }
                    }
                    idle.idle(work);
                }
            }
        }
        else
        {
            final JournalListener listener = new JournalListener()
            {
                @Override
                public void onOutput(
                    final long index, final long sessionId, final long streamPosition, final long timestampNs,
                    final DirectBuffer buffer, final int offset, final int length)
                {
                    record(histogram, count, warmupFrames, timestampNs);
                }
            };
            try (JournalReader reader = JournalReader.open(dir))
            {
                final JournalAdapter adapter = reader.adapter(listener, StartPosition.end());
                final JournalAgent agent = new JournalAgent(adapter);
                final IdleStrategy idle = idleStrategy(mode, adapter);
                System.out.println(READY);
                // The same duty cycle as AgentRunner, on this thread.
                while (count[0] < total)
                {
                    idle.idle(agent.doWork());
                }
                agent.onClose();
            }
        }
        printResult(histogram);
    }

    /**
     * The machine's floor for any consumer that sleeps: how long {@code parkNanos(1 us)} takes on a thread with the
     * default's short scheduler slice, while the producer runs as in the other modes and nothing is read.
     */
    private static void parkProbe(final Histogram histogram, final long warmupNs, final long totalNs)
    {
        SchedulerSlice.requestForCurrentThread();
        System.out.println(READY);
        final long startNs = System.nanoTime();
        long nowNs = startNs;
        while (nowNs - startNs < totalNs)
        {
            final long beforeNs = nowNs;
            LockSupport.parkNanos(PROBE_PARK_NS);
            nowNs = System.nanoTime();
            if (beforeNs - startNs >= warmupNs)
            {
                histogram.recordValue(Math.min(nowNs - beforeNs, histogram.getHighestTrackableValue()));
                if (null != STALLS)
                {
                    STALLS.record(nowNs, nowNs - beforeNs);
                }
            }
        }
    }

    private static void printResult(final Histogram histogram)
    {
        if (null != STALLS)
        {
            STALLS.print(System.err);
        }
        System.out.printf("%s %d %.1f %.1f %.1f %.1f%n", RESULT, histogram.getTotalCount(),
            histogram.getValueAtPercentile(50) / 1e3, histogram.getValueAtPercentile(99) / 1e3,
            histogram.getValueAtPercentile(99.9) / 1e3, histogram.getMaxValue() / 1e3);
    }

    /**
     * "spin": busy-spin; "backoff": ptyq's default ({@link JournalAgent#defaultIdleStrategy()}; ptyq's reader gets
     * {@link JournalAgent#defaultIdleStrategy(JournalAdapter)}, which counts its bytes for the flood test, as
     * {@code JournalAgent.start} sets it up); "agrona": Agrona's
     * {@link BackoffIdleStrategy} with its defaults (spin, yield, park up to 1 ms), ptyq's default before session 3.
     * The adapter is ptyq's reader, or null for the raw tailer.
     */
    private static IdleStrategy idleStrategy(final String mode, final JournalAdapter adapter)
    {
        if (mode.endsWith("spin"))
        {
            return new BusySpinIdleStrategy();
        }
        if (mode.endsWith("agrona"))
        {
            return new BackoffIdleStrategy();
        }

        return null == adapter ? JournalAgent.defaultIdleStrategy() : JournalAgent.defaultIdleStrategy(adapter);
    }

    private static void record(
        final Histogram histogram, final long[] count, final long warmupFrames, final long timestampNs)
    {
        final long latencyNs = System.nanoTime() - timestampNs;
        if (count[0]++ >= warmupFrames)
        {
            histogram.recordValue(Math.max(0, Math.min(latencyNs, histogram.getHighestTrackableValue())));
            if (null != STALLS)
            {
                STALLS.record(timestampNs, latencyNs);
            }
        }
    }
}
