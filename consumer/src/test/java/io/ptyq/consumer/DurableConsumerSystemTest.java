package io.ptyq.consumer;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 of a named durable consumer, 20 times while the journal grows, then a last run to the session's end: its
 * exact sink holds every output byte once, and its delivery log shows no gap and no duplicate except the announced
 * redelivery of the one frame in flight at a kill.
 */
@Tag("slow")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DurableConsumerSystemTest
{
    private static final int TRIALS = 20;
    private static final long SESSION = 7;
    private static final long OTHER_SESSION = 8;
    private static final long DAWDLE_NS = 100_000;

    @TempDir
    Path temp;

    @Test
    void shouldResumeWithNoGapAndNoDuplicateAfterKill9() throws Exception
    {
        final Path journal = temp.resolve("journal");
        final Path logs = temp.resolve("logs");
        final Path sink = temp.resolve("sink.bin");
        final Path deliveries = temp.resolve("deliveries.log");
        Files.createDirectories(journal);

        final AtomicBoolean writing = new AtomicBoolean(true);
        final AtomicLong written = new AtomicLong();
        final AtomicReference<Throwable> writerError = new AtomicReference<>();
        final Thread writer;
        try (TestJournal journalWriter = TestJournal.open(journal))
        {
            journalWriter.sessionStarted(OTHER_SESSION, System.currentTimeMillis() * 1_000_000L, "noise");
            journalWriter.sessionStarted(SESSION, System.currentTimeMillis() * 1_000_000L, "durable");
            writer = new Thread(() -> produce(journalWriter, writing, written, writerError), "test-producer");
            writer.start();
            final Random random = new Random(42);
            try
            {
                for (int trial = 0; trial < TRIALS; trial++)
                {
                    final long logBefore = size(deliveries);
                    final ChildJvm child = start(journal, logs, sink, deliveries, trial);
                    try
                    {
                        child.awaitOutput(0 == trial ? "new" : "resumed", 30_000);
                        final long deadlineMs = System.currentTimeMillis() + 30_000;
                        while (size(deliveries) <= logBefore)
                        {
                            assertTrue(child.isAlive(), "consumer died: " + child.stderr());
                            assertEquals(null, writerError.get(), "the test's producer failed");
                            assertTrue(System.currentTimeMillis() < deadlineMs, "trial " + trial +
                                ": waited 30 s for the consumer to deliver a frame");
                            Thread.sleep(1);
                        }
                        // It is catching up on what was written while it was down: kill it somewhere in that.
                        Thread.sleep(random.nextInt(60));
                        child.kill9();
                    }
                    finally
                    {
                        child.close();
                    }
                }
            }
            finally
            {
                writing.set(false);
                writer.join(10_000);
            }
            assertEquals(null, writerError.get());
            journalWriter.moveToThisThread();
            journalWriter.exited(OTHER_SESSION, System.currentTimeMillis() * 1_000_000L, 0);
            journalWriter.exited(SESSION, System.currentTimeMillis() * 1_000_000L, written.get());

            try (ChildJvm last = start(journal, logs, sink, deliveries, TRIALS))
            {
                assertEquals(0, last.awaitExit(60_000), "last run: " + last.stderr());
                assertTrue(last.stdout().contains("done"), last.stdout());
            }
        }

        final long total = written.get();
        assertTrue(total > 100_000, "the producer wrote " + total + " bytes");
        checkSink(sink, total);
        final int redeliveries = checkDeliveries(deliveries, total);
        System.out.println(TRIALS + " kills, " + total + " bytes, " + redeliveries + " announced redeliveries");
        assertTrue(redeliveries >= TRIALS / 2, "most kills land inside a callback of the slow sink: " + redeliveries);
    }

    private static ChildJvm start(
        final Path journal, final Path logs, final Path sink, final Path deliveries, final int trial)
    {
        return ChildJvm.start(logs, "durable-" + trial, DurableSinkMain.class, journal.toString(), "exact-sink",
            Long.toString(SESSION), sink.toString(), deliveries.toString(), Long.toString(DAWDLE_NS));
    }

    /**
     * Output of the session at a steady pace, frames of 1 to 2048 bytes, interleaved with another session's.
     */
    private static void produce(
        final TestJournal journal, final AtomicBoolean writing, final AtomicLong written,
        final AtomicReference<Throwable> error)
    {
        try
        {
            journal.moveToThisThread();
            final Random random = new Random(1);
            final byte[] data = new byte[2048];
            long position = 0;
            long otherPosition = 0;
            while (writing.get())
            {
                final int length = 1 + random.nextInt(data.length);
                for (int i = 0; i < length; i++)
                {
                    data[i] = expected(position + i);
                }
                final long nowNs = System.currentTimeMillis() * 1_000_000L;
                journal.output(SESSION, position, nowNs, data, 0, length);
                position += length;
                written.set(position);
                if (random.nextInt(4) == 0)
                {
                    journal.output(OTHER_SESSION, otherPosition, nowNs, data, 0, 16);
                    otherPosition += 16;
                }
                Thread.sleep(0, 300_000);
            }
        }
        catch (final Throwable ex)
        {
            error.set(ex);
        }
    }

    private static void checkSink(final Path sink, final long total) throws IOException
    {
        assertEquals(total, Files.size(sink), "sink length");
        try (InputStream in = Files.newInputStream(sink))
        {
            final byte[] chunk = new byte[1 << 16];
            long position = 0;
            int read;
            while ((read = in.read(chunk)) > 0)
            {
                for (int i = 0; i < read; i++)
                {
                    if (chunk[i] != expected(position + i))
                    {
                        throw new AssertionError("sink byte at " + (position + i) + " is wrong");
                    }
                }
                position += read;
            }
        }
    }

    /**
     * Walk the delivery log: each delivery starts where the previous one ended (no gap, no duplicate), except a
     * delivery flagged as a redelivery, which either repeats the delivery just before it (the previous run logged it
     * and died before committing) or is the first delivery of its frame (that run died before logging it).
     *
     * @return the number of redeliveries seen.
     */
    private static int checkDeliveries(final Path deliveries, final long total) throws IOException
    {
        final byte[] bytes = Files.readAllBytes(deliveries);
        assertEquals(0, bytes.length % DurableSinkMain.RECORD_LENGTH, "whole records");
        final ByteBuffer records = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long expectedPosition = 0;
        long previousIndex = -1;
        long previousPosition = -1;
        int redeliveries = 0;
        for (int i = 0; records.remaining() >= DurableSinkMain.RECORD_LENGTH; i++)
        {
            final long index = records.getLong();
            final long streamPosition = records.getLong();
            final long length = records.getLong();
            final boolean redelivered = 1 == records.getLong();
            if (redelivered)
            {
                redeliveries++;
            }
            if (redelivered && index == previousIndex && streamPosition == previousPosition)
            {
                continue;
            }
            if (streamPosition != expectedPosition)
            {
                throw new AssertionError("delivery " + i + " (index " + Long.toHexString(index) + ") starts at " +
                    streamPosition + ", expected " + expectedPosition + ": " +
                    (streamPosition < expectedPosition ? "duplicate" : "gap"));
            }
            assertTrue(index > previousIndex, "indices increase");
            previousIndex = index;
            previousPosition = streamPosition;
            expectedPosition = streamPosition + length;
        }
        assertEquals(total, expectedPosition, "every byte delivered");

        return redeliveries;
    }

    private static long size(final Path file) throws IOException
    {
        return Files.exists(file) ? Files.size(file) : 0;
    }

    static byte expected(final long position)
    {
        return (byte)(position * 31 + (position >>> 11));
    }
}
