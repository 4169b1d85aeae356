package io.ptyq.bench;

import io.ptyq.consumer.JournalAdapter;
import io.ptyq.consumer.JournalListener;
import io.ptyq.consumer.JournalReader;
import io.ptyq.producer.JournalFiles;
import io.ptyq.producer.JournalPublisher;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Measures one consumer reading a recorded journal from the page cache against a plain sequential
 * {@link FileChannel} read of the same .cq4 files, alternating the two in one run; the journal is deleted afterwards.
 * <p>
 * Arguments: journal megabytes of payload (1024), payload bytes per frame (4096), measured rounds of each (3).
 */
public final class ScanHarness
{
    private static final int READ_BUFFER_BYTES = 1 << 20;

    private long frames;
    private long payloadBytes;
    private long checksum;

    private ScanHarness()
    {
    }

    /**
     * Write the journal, read it once to warm, then alternate the baseline and the consumer and print GB/s.
     *
     * @param args [megabytes [payloadBytes [rounds]]].
     */
    public static void main(final String[] args) throws IOException
    {
        final long megabytes = args.length > 0 ? Long.parseLong(args[0]) : 1024;
        final int frameBytes = args.length > 1 ? Integer.parseInt(args[1]) : 4096;
        final int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        final long frameCount = (megabytes << 20) / frameBytes;
        final Path dir = BenchFiles.newTempDir("ptyq-scan-");
        try
        {
            final long writeStartNs = System.nanoTime();
            write(dir, frameCount, frameBytes);
            final long fileBytes = BenchFiles.directorySize(dir, ".cq4");
            System.out.printf("wrote %,d frames of %d B (%,d payload bytes, %,d bytes of .cq4 files) in %.2f s%n",
                frameCount, frameBytes, frameCount * frameBytes, fileBytes, (System.nanoTime() - writeStartNs) / 1e9);
            final List<Path> files = cycleFiles(dir);
            final ScanHarness warm = new ScanHarness();
            warm.scan(dir, frameCount, true);
            final long baselineWarm = readFiles(files);
            System.out.printf("warm-up read done (%,d file bytes)%n", baselineWarm);
            System.out.printf("%-6s %14s %14s %18s %10s %10s%n", "round", "FileChannel GB/s", "consumer GB/s",
                "consumer hdr GB/s", "ratio", "hdr ratio");
            double sumBase = 0;
            double sumConsumer = 0;
            double sumHeader = 0;
            for (int round = 1; round <= rounds; round++)
            {
                long startNs = System.nanoTime();
                final long bytesRead = readFiles(files);
                final double baseGbps = bytesRead / ((System.nanoTime() - startNs) / 1e9) / 1e9;

                final ScanHarness consumer = new ScanHarness();
                startNs = System.nanoTime();
                consumer.scan(dir, frameCount, true);
                final double consumerGbps = consumer.payloadBytes / ((System.nanoTime() - startNs) / 1e9) / 1e9;

                final ScanHarness header = new ScanHarness();
                startNs = System.nanoTime();
                header.scan(dir, frameCount, false);
                final double headerGbps = header.payloadBytes / ((System.nanoTime() - startNs) / 1e9) / 1e9;
                if (consumer.checksum != warm.checksum || consumer.frames != frameCount)
                {
                    throw new IllegalStateException("consumer read " + consumer.frames + " frames, checksum differs");
                }
                System.out.printf("%-6d %14.2f %14.2f %18.2f %9.2fx %9.2fx%n", round, baseGbps, consumerGbps,
                    headerGbps, consumerGbps / baseGbps, headerGbps / baseGbps);
                sumBase += baseGbps;
                sumConsumer += consumerGbps;
                sumHeader += headerGbps;
            }
            System.out.printf("%-6s %14.2f %14.2f %18.2f %9.2fx %9.2fx  (target: consumer >= 1 GB/s)%n", "mean",
                sumBase / rounds, sumConsumer / rounds, sumHeader / rounds, sumConsumer / sumBase,
                sumHeader / sumBase);
        }
        finally
        {
            BenchFiles.deleteRecursively(dir);
            System.out.println("deleted " + dir);
        }
    }

    private static void write(final Path dir, final long frameCount, final int frameBytes)
    {
        final UnsafeBuffer payload = new UnsafeBuffer(Payloads.terminalOutput(frameBytes));
        try (SingleChronicleQueue queue = JournalFiles.openForWrite(dir);
            JournalPublisher publisher = new JournalPublisher(queue))
        {
            for (long i = 0; i < frameCount; i++)
            {
                payload.putLong(0, i);
                publisher.output(1, i * frameBytes, System.nanoTime(), payload, 0, frameBytes);
            }
        }
    }

    /**
     * Read every frame from the beginning; with {@code touchPayload} every payload byte is read (summed eight at a
     * time), as a consumer that looks at the output must, otherwise only the callback's arguments are used.
     */
    private void scan(final Path dir, final long frameCount, final boolean touchPayload)
    {
        final JournalListener listener = new JournalListener()
        {
            @Override
            public void onOutput(
                final long index, final long sessionId, final long streamPosition, final long timestampNs,
                final DirectBuffer buffer, final int offset, final int length)
            {
                frames++;
                payloadBytes += length;
                if (touchPayload)
                {
                    long sum = 0;
                    final int end = offset + length;
                    int i = offset;
                    for (; i + 8 <= end; i += 8)
                    {
                        sum += buffer.getLong(i);
                    }
                    for (; i < end; i++)
                    {
                        sum += buffer.getByte(i);
                    }
                    checksum += sum;
                }
                else
                {
                    checksum += streamPosition;
                }
            }
        };
        try (JournalReader reader = JournalReader.open(dir);
            JournalAdapter adapter = reader.adapter(listener))
        {
            while (frames < frameCount)
            {
                if (0 == adapter.poll(4096))
                {
                    throw new IllegalStateException("journal ended after " + frames + " of " + frameCount + " frames");
                }
            }
        }
    }

    private static List<Path> cycleFiles(final Path dir) throws IOException
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.filter((file) -> file.toString().endsWith(".cq4")).sorted().collect(Collectors.toList());
        }
    }

    /**
     * The baseline: read each file start to end into one reused direct buffer, as {@code cat} would.
     */
    private static long readFiles(final List<Path> files)
    {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(READ_BUFFER_BYTES);
        long total = 0;
        for (final Path file : files)
        {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
            {
                int read;
                while ((read = channel.read(buffer)) >= 0)
                {
                    total += read;
                    buffer.clear();
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }

        return total;
    }
}
