package io.ptyq.consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Filtering by session: other sessions' frames are read and skipped, invalid frames still reported.
 */
class SessionFilterTest
{
    private static final byte[] BYTES = "x".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path journal;

    @Test
    void shouldDeliverOnlyTheChosenSessions()
    {
        final long last;
        try (TestJournal writer = TestJournal.open(journal))
        {
            for (long session = 1; session <= 3; session++)
            {
                writer.sessionStarted(session, 1, "s" + session);
            }
            for (int i = 0; i < 10; i++)
            {
                writer.output(1 + i % 3, i / 3, 2, BYTES);
            }
            writer.garbage(new byte[]{ 9, 9, 9, 9, 9, 9, 9, 9, 9 });
            writer.resized(2, 3, 100, 30);
            writer.marker(1, 3, "m");
            writer.exited(2, 4, 3);
            last = writer.exited(3, 4, 3);
        }

        try (JournalReader reader = JournalReader.open(journal))
        {
            final EventLog two = new EventLog();
            try (JournalAdapter adapter = reader.adapter(two, StartPosition.beginning(), SessionFilter.only(2)))
            {
                assertEquals(18, EventLog.drain(adapter), "skipped frames are read and counted");
                assertEquals(last, adapter.lastIndex(), "skipped frames advance the position");
            }
            assertEquals(List.of("started", "output", "output", "output", "invalid", "resized", "exited"), two.kinds());
            assertTrue(two.events.stream().filter(e -> !"invalid".equals(e.kind())).allMatch(e -> e.sessionId() == 2));

            final EventLog oneAndThree = new EventLog();
            try (JournalAdapter adapter = reader.adapter(oneAndThree, StartPosition.beginning(),
                SessionFilter.only(1, 3)))
            {
                EventLog.drain(adapter);
            }
            assertEquals(12, oneAndThree.events.size());
            assertFalse(oneAndThree.events.stream().anyMatch(e -> e.sessionId() == 2));

            final EventLog all = new EventLog();
            try (JournalAdapter adapter = reader.adapter(all, StartPosition.beginning(), SessionFilter.all()))
            {
                EventLog.drain(adapter);
            }
            assertEquals(18, all.events.size());
        }
    }
}
