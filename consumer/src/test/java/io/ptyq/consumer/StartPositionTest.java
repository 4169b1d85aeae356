package io.ptyq.consumer;

import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every way to start reading, over real journals with several cycle files, idle hours, deleted cycles, invalid
 * frames and timestamps slightly out of order.
 */
class StartPositionTest
{
    private static final long T0 = Instant.parse("2026-11-21T10:00:00Z").toEpochMilli() * 1_000_000L;
    private static final byte[] BYTES = "hello".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path journal;

    @Test
    void shouldStartAtBeginningOrEnd()
    {
        try (TestJournal writer = TestJournal.open(journal))
        {
            final long first = writer.sessionStarted(1, T0, "a");
            writer.output(1, 0, T0, BYTES);
            try (JournalReader reader = JournalReader.open(journal))
            {
                final EventLog fromStart = new EventLog();
                final EventLog fromEnd = new EventLog();
                try (JournalAdapter start = reader.adapter(fromStart, StartPosition.beginning());
                    JournalAdapter end = reader.adapter(fromEnd, StartPosition.end()))
                {
                    assertEquals(0, EventLog.drain(end));
                    final long later = writer.output(1, BYTES.length, T0, BYTES);
                    assertEquals(3, EventLog.drain(start));
                    assertEquals(1, EventLog.drain(end));
                    assertEquals(first, fromStart.events.get(0).index());
                    assertEquals(List.of(later), fromEnd.indices());
                    assertEquals(later, end.lastIndex());
                }
            }
        }
    }

    @Test
    void shouldStartAtOrAfterAnIndexAcrossCyclesIdleHoursAndRetention() throws Exception
    {
        final SetTimeProvider time = new SetTimeProvider("2026-11-21T10:00:00");
        final List<Long> indices = new ArrayList<>();
        try (TestJournal writer = TestJournal.open(journal, time))
        {
            for (int cycle = 0; cycle < 3; cycle++)
            {
                for (int i = 0; i < 5; i++)
                {
                    indices.add(writer.output(1, indices.size(), T0, BYTES, 0, 1));
                }
                // Two hours: the hour between has no cycle file.
                time.advanceMillis(2 * TestJournal.HOUR_MS);
            }
        }

        try (JournalReader reader = JournalReader.open(journal))
        {
            for (int i = 0; i < indices.size(); i++)
            {
                assertEquals(indices.subList(i, indices.size()), read(reader, StartPosition.index(indices.get(i))));
                assertEquals(indices.subList(i + 1, indices.size()), read(reader, StartPosition.after(indices.get(i))));
            }
            // One past the last frame of a cycle, and the first index of the idle hour: the next cycle's first frame.
            assertEquals(indices.subList(5, 15), read(reader, StartPosition.index(indices.get(4) + 1)));
            final long idleHour = indices.get(4) + (1L << 32);
            assertEquals(indices.subList(5, 15), read(reader, StartPosition.index(idleHour & ~0xFFFF_FFFFL)));
            assertEquals(List.of(), read(reader, StartPosition.after(indices.get(14))));
            assertEquals(indices, read(reader, StartPosition.index(0)));
            assertEquals(indices, read(reader, StartPosition.after(-1)));
        }

        // Retention deletes the first cycle, and the daemon refreshes the listing: an index in it means the first
        // frame left.
        Files.delete(TestJournal.cycleFiles(journal).get(0));
        try (TestJournal daemon = TestJournal.open(journal, time))
        {
            daemon.queue().refreshDirectoryListing();
        }
        try (JournalReader reader = JournalReader.open(journal))
        {
            assertEquals(indices.subList(5, 15), read(reader, StartPosition.after(indices.get(2))));
            assertEquals(indices.subList(5, 15), read(reader, StartPosition.beginning()));
        }
    }

    @Test
    void shouldStartAtTheFirstFrameStampedAtOrAfterATime()
    {
        final SetTimeProvider time = new SetTimeProvider("2026-11-21T10:00:00");
        final Random random = new Random(7);
        final List<long[]> frames = new ArrayList<>();
        try (TestJournal writer = TestJournal.open(journal, time))
        {
            for (int i = 0; i < 4000; i++)
            {
                if (i % 1000 == 999)
                {
                    time.advanceMillis(TestJournal.HOUR_MS * (1 + random.nextInt(2)));
                }
                if (random.nextInt(50) == 0)
                {
                    writer.garbage(new byte[]{ 1, 2, 3 });
                }
                // 1 ms apart, up to 400 ms early or late: never a second out of order.
                final long timestampNs = T0 + i * 1_000_000L + (random.nextInt(800_000) - 400_000) * 1_000L;
                final long index = i % 100 == 0 ?
                    writer.marker(1, timestampNs, "m") : writer.output(1, i, timestampNs, BYTES, 0, 1);
                frames.add(new long[]{ index, timestampNs });
            }
        }

        try (JournalReader reader = JournalReader.open(journal))
        {
            final List<Long> times = new ArrayList<>(List.of(T0 - 1_000_000_000L, Long.MIN_VALUE + 1));
            for (int i = 0; i < 100; i++)
            {
                final long timestampNs = frames.get(random.nextInt(frames.size()))[1];
                times.add(timestampNs);
                times.add(timestampNs + 1);
                times.add(timestampNs - 1);
            }
            for (final long timestampNs : times)
            {
                final EventLog log = new EventLog();
                try (JournalAdapter adapter = reader.adapter(log, StartPosition.time(timestampNs)))
                {
                    adapter.poll(1);
                }
                final long expected = expectedIndex(frames, timestampNs);
                if (expected < 0)
                {
                    assertEquals(List.of(), log.events, "no frame reaches the time: the end");
                    continue;
                }
                assertEquals(expected, log.events.get(0).index(), "time " + timestampNs);
                assertTrue(log.events.get(0).timestampNs() >= timestampNs);
            }

            final long afterAll = T0 + 3_600_000_000_000L;
            final EventLog log = new EventLog();
            try (JournalAdapter adapter = reader.adapter(log, StartPosition.time(Instant.ofEpochSecond(0, afterAll))))
            {
                assertEquals(0, EventLog.drain(adapter), "no frame reaches the time: the end");
            }
        }
    }

    @Test
    void shouldStartAtASessionsStartOrWhereItWillBeWritten()
    {
        try (TestJournal writer = TestJournal.open(journal);
            JournalReader reader = JournalReader.open(journal))
        {
            writer.sessionStarted(1, T0, "one");
            writer.output(1, 0, T0, BYTES);
            final long start2 = writer.sessionStarted(2, T0, "two");
            writer.output(1, BYTES.length, T0, BYTES);
            writer.output(2, 0, T0, BYTES);

            final EventLog log = new EventLog();
            try (JournalAdapter adapter = reader.adapter(log, StartPosition.sessionStart(2), SessionFilter.only(2)))
            {
                EventLog.drain(adapter);
            }
            assertEquals(List.of("started", "output"), log.kinds());
            assertEquals(start2, log.events.get(0).index());

            final EventLog later = new EventLog();
            try (JournalAdapter adapter = reader.adapter(later, StartPosition.sessionStart(3)))
            {
                assertEquals(0, EventLog.drain(adapter));
                final long start3 = writer.sessionStarted(3, T0, "three");
                EventLog.drain(adapter);
                assertEquals(List.of(start3), later.indices());
            }
        }
    }

    @Test
    void shouldWaitForAJournalWithNoFileYet() throws Exception
    {
        try (JournalReader reader = JournalReader.open(journal))
        {
            final EventLog log = new EventLog();
            try (JournalAdapter adapter = reader.adapter(log, StartPosition.end()))
            {
                assertEquals(0, adapter.poll(10));
                try (TestJournal writer = TestJournal.open(journal))
                {
                    writer.sessionStarted(1, T0, "first");
                    final long deadlineMs = System.currentTimeMillis() + 10_000;
                    while (log.events.isEmpty())
                    {
                        assertTrue(System.currentTimeMillis() < deadlineMs, "waited 10 s for the first frame");
                        adapter.poll(10);
                        Thread.sleep(10);
                    }
                }
            }
            assertEquals(List.of("started"), log.kinds(), "the end of a journal not yet written is its beginning");
        }
    }

    private static long expectedIndex(final List<long[]> frames, final long timestampNs)
    {
        for (final long[] frame : frames)
        {
            if (frame[1] >= timestampNs)
            {
                return frame[0];
            }
        }
        return -1;
    }

    private static List<Long> read(final JournalReader reader, final StartPosition start)
    {
        final EventLog log = new EventLog();
        try (JournalAdapter adapter = reader.adapter(log, start))
        {
            EventLog.drain(adapter);
        }

        return log.indices();
    }
}
