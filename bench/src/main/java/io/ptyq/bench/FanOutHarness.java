package io.ptyq.bench;

import io.ptyq.codec.sbe.MarkerDecoder;
import io.ptyq.consumer.JournalAdapter;
import io.ptyq.consumer.JournalAgent;
import io.ptyq.consumer.JournalListener;
import io.ptyq.consumer.JournalReader;
import io.ptyq.consumer.StartPosition;
import io.ptyq.producer.JournalFiles;
import io.ptyq.producer.JournalPublisher;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Measures a {@link JournalPublisher} appending flat out with no consumer and with N consumer JVMs tailing with
 * {@link JournalAgent#defaultIdleStrategy(JournalAdapter)} ({@code -Dptyq.bench.flood=off}: without the flood test),
 * alternating the two in one run.
 * <p>
 * Arguments: seconds per round (4), consumers (8), pairs of rounds (3), payload bytes (4096), check ({@code frames}).
 * Every consumer checks every frame's sequence, length and {@code streamPosition} (no gap, no duplicate, in order);
 * with check {@code bytes} it also compares every 8-byte word of the payload, which on a 2-core machine makes 8
 * consumers CPU-bound (each compares the producer's full byte rate).
 */
public final class FanOutHarness
{
    private static final String READY = "READY";
    private static final String RESULT = "RESULT";
    private static final String END = "end";
    private static final long WARMUP_NS = TimeUnit.SECONDS.toNanos(2);

    private FanOutHarness()
    {
    }

    /**
     * Alternate rounds without and with consumers and print each round and the ratio of the means.
     *
     * @param args [seconds [consumers [pairs [payloadBytes [frames|bytes]]]]]; a consumer JVM gets
     *             {@code consumer dir payloadBytes check}.
     */
    public static void main(final String[] args)
    {
        if (args.length > 0 && "consumer".equals(args[0]))
        {
            runConsumer(Path.of(args[1]), Integer.parseInt(args[2]), "bytes".equals(args[3]));
            return;
        }
        final int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        final int consumers = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        final int pairs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        final int payloadBytes = args.length > 3 ? Integer.parseInt(args[3]) : 4096;
        final String check = args.length > 4 ? args[4] : "frames";
        if (!"frames".equals(check) && !"bytes".equals(check))
        {
            throw new IllegalArgumentException("check must be frames or bytes: " + check);
        }
        System.out.printf("fan-out: %d B frames appended flat out for %d s, 0 vs %d backoff consumer JVMs checking %s%n",
            payloadBytes, seconds, consumers, check);
        double sumNone = 0;
        double sumWith = 0;
        for (int round = 0; round < 2 * pairs; round++)
        {
            final int n = 0 == round % 2 ? 0 : consumers;
            final double rate = round(n, seconds, payloadBytes, check);
            if (0 == n)
            {
                sumNone += rate;
            }
            else
            {
                sumWith += rate;
            }
        }
        System.out.printf("mean frames/s: none %,.0f, with %d consumers %,.0f, ratio %.3fx (target >= 0.9x)%n",
            sumNone / pairs, consumers, sumWith / pairs, sumWith / sumNone);
    }

    private static double round(final int consumers, final int seconds, final int payloadBytes, final String check)
    {
        final Path dir = BenchFiles.newTempDir("ptyq-fanout-");
        final List<ChildJvm> children = new ArrayList<>();
        try (SingleChronicleQueue queue = JournalFiles.openForWrite(dir);
            JournalPublisher publisher = new JournalPublisher(queue))
        {
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[payloadBytes]);
            fill(payload, 0);
            // One frame so that every consumer opens the journal before the clock starts.
            publisher.output(1, 0, 0, payload, 0, payloadBytes);
            for (int i = 0; i < consumers; i++)
            {
                children.add(ChildJvm.start(FanOutHarness.class, "consumer", dir.toString(),
                    Integer.toString(payloadBytes), check));
            }
            for (final ChildJvm child : children)
            {
                child.awaitLine(READY);
            }
            // Warm-up, not counted: the consumers' JIT compilers settle before the clock starts.
            long frames = append(publisher, payload, payloadBytes, 1, System.nanoTime() + WARMUP_NS);
            final long firstMeasured = frames;
            final long cpuStartNs = ProcessCpu.currentJvmNs();
            final long startNs = System.nanoTime();
            frames = append(publisher, payload, payloadBytes, frames, startNs + TimeUnit.SECONDS.toNanos(seconds));
            final long nowNs = System.nanoTime();
            final double elapsedS = (nowNs - startNs) / 1e9;
            final double cpuS = (ProcessCpu.currentJvmNs() - cpuStartNs) / 1e9;
            publisher.marker(1, nowNs, END);
            final double rate = (frames - firstMeasured) / elapsedS;
            final StringBuilder checked = new StringBuilder();
            for (final ChildJvm child : children)
            {
                checked.append(' ').append(child.awaitLine(RESULT));
            }
            System.out.printf("consumers %d: %,12.0f frames/s %,8.1f MB/s producer JVM cpu %.2f s in %.2f s;%s%n",
                consumers, rate, rate * payloadBytes / 1e6, cpuS, elapsedS,
                0 == consumers ? "" : " consumers read/errors/cpu" + checked);

            return rate;
        }
        finally
        {
            children.forEach(ChildJvm::close);
            BenchFiles.deleteRecursively(dir);
        }
    }

    /**
     * Append frames from sequence {@code seq} until {@code deadlineNs}.
     *
     * @return the next sequence.
     */
    private static long append(
        final JournalPublisher publisher,
        final UnsafeBuffer payload,
        final int payloadBytes,
        final long seq,
        final long deadlineNs)
    {
        long frames = seq;
        do
        {
            for (int i = 0; i < 64; i++)
            {
                fill(payload, frames);
                publisher.output(1, frames * payloadBytes, frames, payload, 0, payloadBytes);
                frames++;
            }
        }
        while (System.nanoTime() < deadlineNs);

        return frames;
    }


    /**
     * Payload of frame {@code seq}: the sequence in the first 8 bytes, then a pattern derived from it.
     */
    private static void fill(final UnsafeBuffer payload, final long seq)
    {
        payload.putLong(0, seq);
        final int length = payload.capacity();
        for (int i = 8; i + 8 <= length; i += 8)
        {
            payload.putLong(i, seq * 31 + i);
        }
    }

    private static void runConsumer(final Path dir, final int payloadBytes, final boolean everyByte)
    {
        // frames read, errors, end seen, next expected sequence
        final long[] state = new long[4];
        final JournalListener listener = new JournalListener()
        {
            @Override
            public void onOutput(
                final long index, final long sessionId, final long streamPosition, final long timestampNs,
                final DirectBuffer buffer, final int offset, final int length)
            {
                final long seq = buffer.getLong(offset);
                // The first frame read is the round's first; after it every frame must follow with no gap.
                final boolean inOrder = 0 == state[0] || seq == state[3];
                boolean ok = inOrder && length == payloadBytes && seq == timestampNs &&
                    streamPosition == seq * payloadBytes;
                for (int i = 8; everyByte && ok && i + 8 <= length; i += 8)
                {
                    ok = buffer.getLong(offset + i) == seq * 31 + i;
                }
                state[3] = seq + 1;
                state[0]++;
                if (!ok)
                {
                    state[1]++;
                }
            }

            @Override
            public void onMarker(final long index, final MarkerDecoder decoder)
            {
                state[2] = 1;
            }
        };
        final long cpuAtReadyNs;
        try (JournalReader reader = JournalReader.open(dir))
        {
            final JournalAdapter adapter = reader.adapter(listener, StartPosition.beginning());
            final IdleStrategy idle = BenchIdle.consumerDefault(adapter);
            final JournalAgent agent = new JournalAgent(adapter);
            while (0 == state[0])
            {
                idle.idle(agent.doWork());
            }
            System.out.println(READY);
            cpuAtReadyNs = ProcessCpu.currentJvmNs();
            // The same duty cycle as AgentRunner, on this thread.
            while (0 == state[2])
            {
                idle.idle(agent.doWork());
            }
            agent.onClose();
        }
        // Frames read / errors / this JVM's CPU from READY (warm-up and measured seconds) to the end.
        System.out.println(RESULT + " " + state[0] + "/" + state[1] + "/" +
            (ProcessCpu.currentJvmNs() - cpuAtReadyNs) / 1_000_000 + "ms");
    }
}
