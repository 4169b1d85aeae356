package io.ptyq.consumer;

import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A named consumer in one JVM: stored position, resume, refusal of a second holder, redelivery of an unfinished
 * frame. The kill -9 proof is {@link DurableConsumerSystemTest}.
 */
class DurableConsumerTest
{
    private static final byte[] BYTES = "abc".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path journal;

    @Test
    void shouldStoreItsPositionOwnerOnlyAndResumeAfterIt() throws Exception
    {
        final List<Long> indices = new ArrayList<>();
        try (TestJournal writer = TestJournal.open(journal);
            JournalReader reader = JournalReader.open(journal))
        {
            for (int i = 0; i < 5; i++)
            {
                indices.add(writer.output(1, i * 3L, i, BYTES));
            }
            final EventLog first = new EventLog();
            try (DurableConsumer consumer = DurableConsumer.open(reader, "viewer", first))
            {
                assertFalse(consumer.isResumed());
                assertEquals(3, consumer.poll(3));
            }
            assertEquals(indices.subList(0, 3), first.indices());

            final Path file = DurableConsumer.positionFile(journal, "viewer");
            assertEquals(journal.resolve("consumers").resolve("viewer.position"), file);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));

            indices.add(writer.output(1, 15, 5, BYTES));
            final EventLog second = new EventLog();
            try (DurableConsumer consumer = DurableConsumer.open(reader, "viewer", second))
            {
                assertTrue(consumer.isResumed());
                EventLog.drain(consumer.adapter());
            }
            assertEquals(indices.subList(3, 6), second.indices(), "no gap, no duplicate");
        }
    }

    @Test
    void shouldKeepAnEndStartAcrossARestartBeforeAnyFrame()
    {
        try (TestJournal writer = TestJournal.open(journal);
            JournalReader reader = JournalReader.open(journal))
        {
            writer.output(1, 0, 0, BYTES);
            try (DurableConsumer consumer = DurableConsumer.open(
                reader, "tail", new EventLog(), StartPosition.end(), SessionFilter.all()))
            {
                assertEquals(0, consumer.poll(10));
            }
            final long appendedWhileDown = writer.output(1, 3, 0, BYTES);
            final EventLog log = new EventLog();
            try (DurableConsumer consumer = DurableConsumer.open(
                reader, "tail", log, StartPosition.end(), SessionFilter.all()))
            {
                EventLog.drain(consumer.adapter());
            }
            assertEquals(List.of(appendedWhileDown), log.indices(), "the stored start, not a new end");
        }
    }

    @Test
    void shouldStartOnAJournalWithNoFileYet() throws Exception
    {
        try (JournalReader reader = JournalReader.open(journal))
        {
            try (DurableConsumer consumer = DurableConsumer.open(
                reader, "early-bird", new EventLog(), StartPosition.end(), SessionFilter.all()))
            {
                assertEquals(0, consumer.poll(10));
            }
            final EventLog log = new EventLog();
            try (TestJournal writer = TestJournal.open(journal);
                DurableConsumer consumer = DurableConsumer.open(
                    reader, "early-bird", log, StartPosition.end(), SessionFilter.all()))
            {
                final long first = writer.output(1, 0, 0, BYTES);
                final long deadlineMs = System.currentTimeMillis() + 10_000;
                while (log.events.isEmpty())
                {
                    assertTrue(System.currentTimeMillis() < deadlineMs, "waited 10 s for the journal's first frame");
                    consumer.poll(10);
                    Thread.sleep(10);
                }
                assertEquals(List.of(first), log.indices(), "the end of a journal not yet written is its beginning");
            }
            try (DurableConsumer consumer = DurableConsumer.open(reader, "early-bird", new EventLog()))
            {
                assertTrue(consumer.isResumed());
                assertEquals(0, consumer.poll(10));
            }
        }
    }

    @Test
    void shouldRedeliverAFrameWhoseCallbackDidNotReturn()
    {
        final List<Long> indices = new ArrayList<>();
        try (TestJournal writer = TestJournal.open(journal);
            JournalReader reader = JournalReader.open(journal))
        {
            for (int i = 0; i < 4; i++)
            {
                indices.add(writer.output(1, i * 3L, i, BYTES));
            }
            final FailingOnce failing = new FailingOnce(indices.get(1));
            try (DurableConsumer consumer = DurableConsumer.open(reader, "sink", failing))
            {
                assertThrows(IllegalStateException.class, () -> EventLog.drain(consumer.adapter()));
                // The same consumer, polled again: the frame is delivered again, announced.
                EventLog.drain(consumer.adapter());
            }
            assertEquals(List.of("output", "output", "redelivery", "output", "output", "output"), failing.kinds());
            assertEquals(List.of(indices.get(0), indices.get(1), indices.get(1), indices.get(1), indices.get(2),
                indices.get(3)), failing.indices());

            // A consumer that dies inside a callback: the next one of the name redelivers that frame, announced.
            final FailingOnce dying = new FailingOnce(indices.get(2));
            try (JournalReader other = JournalReader.open(journal);
                DurableConsumer consumer = DurableConsumer.open(other, "dies", dying))
            {
                assertThrows(IllegalStateException.class, () -> EventLog.drain(consumer.adapter()));
            }
            final EventLog next = new EventLog();
            try (DurableConsumer consumer = DurableConsumer.open(reader, "dies", next))
            {
                EventLog.drain(consumer.adapter());
            }
            assertEquals(List.of("redelivery", "output", "output"), next.kinds());
            assertEquals(List.of(indices.get(2), indices.get(2), indices.get(3)), next.indices());
        }
    }

    @Test
    void shouldAdvancePastFilteredFrames()
    {
        try (TestJournal writer = TestJournal.open(journal);
            JournalReader reader = JournalReader.open(journal))
        {
            writer.output(1, 0, 0, BYTES);
            writer.output(2, 0, 0, BYTES);
            final long last = writer.output(2, 3, 0, BYTES);
            final EventLog log = new EventLog();
            try (DurableConsumer consumer = DurableConsumer.open(
                reader, "one", log, StartPosition.beginning(), SessionFilter.only(1)))
            {
                EventLog.drain(consumer.adapter());
                assertEquals(last, consumer.adapter().lastIndex());
            }
            final long next = writer.output(1, 3, 0, BYTES);
            log.clear();
            try (DurableConsumer consumer = DurableConsumer.open(
                reader, "one", log, StartPosition.beginning(), SessionFilter.only(1)))
            {
                assertEquals(1, EventLog.drain(consumer.adapter()), "filtered frames are not read again");
            }
            assertEquals(List.of(next), log.indices());
        }
    }

    @Test
    void shouldRefuseASecondConsumerOfTheSameNameAndBadNames() throws Exception
    {
        try (TestJournal writer = TestJournal.open(journal);
            JournalReader reader = JournalReader.open(journal);
            DurableConsumer consumer = DurableConsumer.open(reader, "only-one", new EventLog()))
        {
            writer.output(1, 0, 0, BYTES);
            final IllegalStateException ex = assertThrows(IllegalStateException.class,
                () -> DurableConsumer.open(reader, "only-one", new EventLog()));
            assertTrue(ex.getMessage().contains("already open"), ex.getMessage());
            assertEquals(1, consumer.poll(10));

            assertThrows(IllegalArgumentException.class, () -> DurableConsumer.open(reader, "../x", new EventLog()));
            assertThrows(IllegalArgumentException.class, () -> DurableConsumer.open(reader, "", new EventLog()));
            assertThrows(IllegalArgumentException.class, () -> DurableConsumer.open(reader, ".hidden", new EventLog()));

            Files.write(DurableConsumer.positionFile(journal, "garbled"), new byte[]{ 1, 2, 3 });
            assertThrows(IllegalStateException.class, () -> DurableConsumer.open(reader, "garbled", new EventLog()));
        }
    }

    @Test
    void shouldTreatAFileCutShortAtCreationAsNew() throws Exception
    {
        try (TestJournal writer = TestJournal.open(journal);
            JournalReader reader = JournalReader.open(journal))
        {
            final long index = writer.output(1, 0, 0, BYTES);
            // A consumer killed after creating its file but before writing the magic leaves zeros.
            Files.createDirectories(journal.resolve("consumers"));
            Files.write(DurableConsumer.positionFile(journal, "early"), new byte[ConsumerPositionFile.LENGTH]);
            final EventLog log = new EventLog();
            try (DurableConsumer consumer = DurableConsumer.open(reader, "early", log))
            {
                assertFalse(consumer.isResumed());
                EventLog.drain(consumer.adapter());
            }
            assertEquals(List.of(index), log.indices());
        }
    }

    /**
     * Throws from the first callback for one frame.
     */
    private static final class FailingOnce extends EventLog
    {
        private final long failAt;
        private boolean failed;

        FailingOnce(final long failAt)
        {
            this.failAt = failAt;
        }

        @Override
        public void onOutput(
            final long index, final long sessionId, final long streamPosition, final long timestampNs,
            final DirectBuffer buffer, final int offset, final int length)
        {
            super.onOutput(index, sessionId, streamPosition, timestampNs, buffer, offset, length);
            if (index == failAt && !failed)
            {
                failed = true;
                throw new IllegalStateException("sink failed at " + index);
            }
        }
    }
}
