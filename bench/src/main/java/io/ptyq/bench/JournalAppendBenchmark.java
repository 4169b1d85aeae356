package io.ptyq.bench;

import io.ptyq.codec.FrameDescriptor;
import io.ptyq.producer.JournalFiles;
import io.ptyq.producer.JournalPublisher;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The daemon's write path: one Output frame encoded in place in the journal's mapped memory by
 * {@link JournalPublisher}, against the same payload appended as raw bytes by Chronicle (the cheapest append there is).
 * Run with {@code -prof gc}: the publisher must allocate about 0 B per frame.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class JournalAppendBenchmark
{
    @Param({ "200", "4096" })
    public int payloadSize;

    private Path journalDir;
    private SingleChronicleQueue queue;
    private JournalPublisher publisher;
    private ExcerptAppender rawAppender;
    private UnsafeBuffer payload;
    private Bytes<?> rawFrame;
    private long streamPosition;

    @Setup(Level.Trial)
    public void setup() throws IOException
    {
        journalDir = Files.createTempDirectory("ptyq-append-bench");
        queue = JournalFiles.openForWrite(journalDir);
        publisher = new JournalPublisher(queue);
        rawAppender = queue.createAppender();
        final byte[] bytes = Payloads.terminalOutput(payloadSize);
        payload = new UnsafeBuffer(bytes);
        rawFrame = Bytes.allocateDirect(FrameDescriptor.outputFrameLength(payloadSize));
        rawFrame.write(bytes);
        rawFrame.writeSkip(FrameDescriptor.OUTPUT_OVERHEAD);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        publisher.close();
        rawAppender.close();
        queue.close();
        rawFrame.releaseLast();
        try (Stream<Path> files = Files.walk(journalDir))
        {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    /**
     * ptyq: encode the Output frame straight into the journal.
     */
    @Benchmark
    public long publishOutput()
    {
        final long position = streamPosition;
        streamPosition = position + payloadSize;

        return publisher.output(1, position, System.nanoTime(), payload, 0, payloadSize);
    }

    /**
     * Baseline: Chronicle appending the same number of bytes, already encoded, by copy.
     */
    @Benchmark
    public long appendRawBytes()
    {
        rawAppender.writeBytes(rawFrame);
        return rawAppender.lastIndexAppended();
    }
}
