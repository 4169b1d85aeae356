package io.ptyq.consumer;

import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The poll path allocates nothing per frame in steady state: plain, filtered and durable, measured with the JVM's
 * per-thread allocation counter.
 */
class JournalAdapterAllocationTest
{
    private static final int FRAMES = 200_000;

    @TempDir
    Path journal;

    @Test
    void shouldNotAllocatePerFrame()
    {
        final byte[] data = new byte[100];
        try (TestJournal writer = TestJournal.open(journal))
        {
            for (int i = 0; i < FRAMES; i++)
            {
                writer.output(1 + (i & 1), i * 100L, i, data);
            }
        }

        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        try (JournalReader reader = JournalReader.open(journal))
        {
            for (int round = 0; round < 3; round++)
            {
                final Counter plain = new Counter();
                final Counter filtered = new Counter();
                final Counter durable = new Counter();
                try (JournalAdapter all = reader.adapter(plain);
                    JournalAdapter one = reader.adapter(filtered, StartPosition.beginning(), SessionFilter.only(2));
                    DurableConsumer named = DurableConsumer.open(reader, "alloc-" + round, durable))
                {
                    // Warm up (JIT, first touch of the mapped pages) on the first half, measure the second.
                    pollFrames(all, FRAMES / 2);
                    pollFrames(one, FRAMES / 2);
                    pollFrames(named.adapter(), FRAMES / 2);
                    final long before = threads.getCurrentThreadAllocatedBytes();
                    pollFrames(all, FRAMES / 2);
                    pollFrames(one, FRAMES / 2);
                    pollFrames(named.adapter(), FRAMES / 2);
                    final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
                    assertEquals(FRAMES, plain.frames);
                    assertEquals(FRAMES / 2, filtered.frames);
                    assertEquals(FRAMES, durable.frames);
                    if (round > 0)
                    {
                        // 0 seen; a little slack for Chronicle's bookkeeping at a block boundary, far below a byte
                        // per frame.
                        assertTrue(allocated < 1024, "allocated " + allocated + " bytes polling " +
                            (3 * FRAMES / 2) + " frames");
                    }
                }
            }
        }
    }

    private static void pollFrames(final JournalAdapter adapter, final int frames)
    {
        int read = 0;
        while (read < frames)
        {
            read += adapter.poll(Math.min(64, frames - read));
        }
    }

    /**
     * Counts output callbacks and touches every byte, as a real consumer would.
     */
    private static final class Counter implements JournalListener
    {
        long frames;
        long sum;

        @Override
        public void onOutput(
            final long index, final long sessionId, final long streamPosition, final long timestampNs,
            final DirectBuffer buffer, final int offset, final int length)
        {
            frames++;
            for (int i = 0; i < length; i++)
            {
                sum += buffer.getByte(offset + i);
            }
        }
    }
}
