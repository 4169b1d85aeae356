package io.ptyq.consumer;

import net.openhft.chronicle.core.time.SetTimeProvider;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A newest cycle file the tailer cannot open, with no daemon on the journal: one whose header is not written yet may
 * be a writer's file being created (an application's own publisher at the hour's roll), so it is reported damaged only
 * after the tailer stayed stuck before it for a while; one full of other bytes is reported at once.
 */
class UnreadableCycleTest
{
    @TempDir
    Path journal;

    @Test
    void shouldWaitBeforeCallingANewestCycleWithNoHeaderYetDamaged() throws Exception
    {
        final Path next = writeJournalAndNextCycle(new byte[64 * 1024]);
        final Damage damage = new Damage();
        try (JournalReader reader = JournalReader.open(journal);
            JournalAdapter adapter = reader.adapter(damage, StartPosition.beginning()))
        {
            final long startNs = System.nanoTime();
            pollFor(adapter, TimeUnit.MILLISECONDS.toNanos(1_000));
            assertEquals(2, damage.outputs, "both frames of the first cycle");
            assertTrue(damage.files.isEmpty(), "a file being created is not damaged yet: " + damage.files);
            assertFalse(adapter.isInNewestCycle(), "not at the journal's end while the newest file cannot be read");

            while (damage.files.isEmpty() && System.nanoTime() - startNs < TimeUnit.SECONDS.toNanos(10))
            {
                pollFor(adapter, TimeUnit.MILLISECONDS.toNanos(50));
            }
            assertEquals(List.of(next), damage.files, "still unreadable after the wait: damaged");
            assertTrue(System.nanoTime() - startNs >= TimeUnit.MILLISECONDS.toNanos(1_900), "not before the wait");
        }
    }

    @Test
    void shouldReadANewestCycleWhoseHeaderIsWrittenAfterTheTailerFirstMetIt() throws Exception
    {
        // The race of a reader that opens the journal as a writer creates the newest cycle's file: the tailer first
        // meets the file with no header, and by the next check the header is there.
        final Path next = writeJournalAndNextCycle(new byte[64 * 1024]);
        final byte[] written = Files.readAllBytes(journal.resolve(".real-next-cycle"));
        final Damage damage = new Damage();
        try (JournalReader reader = JournalReader.open(journal);
            JournalAdapter adapter = reader.adapter(damage, StartPosition.beginning()))
        {
            pollFor(adapter, TimeUnit.MILLISECONDS.toNanos(300));
            assertEquals(2, damage.outputs);
            Files.write(next, written);
            pollFor(adapter, TimeUnit.MILLISECONDS.toNanos(2_500));
            assertTrue(damage.files.isEmpty(), "a file whose header has been written since is not damaged: " +
                damage.files);
            assertEquals(3, damage.outputs, "the newest cycle's frame read once its header is there");
        }
    }

    @Test
    void shouldCallANewestCycleFullOfOtherBytesDamagedAtOnce() throws Exception
    {
        final byte[] text = new byte[64 * 1024];
        Arrays.fill(text, (byte)'A');
        final Path next = writeJournalAndNextCycle(text);
        final Damage damage = new Damage();
        try (JournalReader reader = JournalReader.open(journal);
            JournalAdapter adapter = reader.adapter(damage, StartPosition.beginning()))
        {
            pollFor(adapter, TimeUnit.MILLISECONDS.toNanos(500));
            assertEquals(2, damage.outputs);
            assertEquals(List.of(next), damage.files);
        }
    }

    /**
     * Two output frames in the 10:00 cycle and one in the 11:00 cycle, whose file then holds only {@code content}:
     * the journal's metadata knows the newest cycle, as it does the instant a writer creates its file. The file's
     * real bytes are kept in {@code .real-next-cycle} in the journal directory.
     *
     * @return the 11:00 cycle's file.
     */
    private Path writeJournalAndNextCycle(final byte[] content) throws Exception
    {
        final SetTimeProvider time = new SetTimeProvider("2026-11-21T10:00:00");
        try (TestJournal writer = TestJournal.open(journal, time))
        {
            final byte[] data = "hello\r\n".getBytes(StandardCharsets.US_ASCII);
            writer.sessionStarted(1, 1, "s");
            writer.output(1, 0, 2, data);
            writer.output(1, data.length, 3, data);
            time.advanceMillis(TestJournal.HOUR_MS);
            writer.output(1, 2L * data.length, 4, data);
        }
        try (JournalReader reader = JournalReader.open(journal))
        {
            final int[] cycles = reader.cycles();
            assertEquals(2, cycles.length);
            final Path next = reader.cycleFile(cycles[1]);
            Files.write(journal.resolve(".real-next-cycle"), Files.readAllBytes(next));
            Files.write(next, content);

            return next;
        }
    }

    private static void pollFor(final JournalAdapter adapter, final long nanos) throws InterruptedException
    {
        final long endNs = System.nanoTime() + nanos;
        while (System.nanoTime() < endNs)
        {
            if (0 == adapter.poll(16))
            {
                Thread.sleep(5);
            }
        }
    }

    private static final class Damage implements JournalListener
    {
        private final List<Path> files = new ArrayList<>();
        private int outputs;

        @Override
        public void onOutput(
            final long index, final long sessionId, final long streamPosition, final long timestampNs,
            final DirectBuffer buffer, final int offset, final int length)
        {
            outputs++;
        }

        @Override
        public void onDamagedFile(final Path file, final String reason)
        {
            files.add(file);
        }
    }
}
