package io.ptyq.producer;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Retention deletes whole hourly cycles past the retention, and never a pinned or the current cycle.
 */
class JournalRetentionTest
{
    private static final long HOUR_MS = 3_600_000L;

    @TempDir
    Path journal;

    @Test
    void shouldDeleteOnlyWholeCyclesOlderThanRetentionAndBeforeThePin() throws IOException
    {
        final SetTimeProvider time = new SetTimeProvider("2026-11-21T06:30:00");
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(journal)
            .rollCycle(JournalFiles.ROLL_CYCLE).blockSize(JournalFiles.BLOCK_SIZE).timeProvider(time).build();
            ExcerptAppender appender = queue.createAppender())
        {
            // One frame in each of the hours 06, 07, 08, 09 and 10.
            for (int hour = 0; hour < 5; hour++)
            {
                appender.writeBytes(Bytes.from("frame " + hour));
                time.advanceMillis(HOUR_MS);
            }
            assertEquals(List.of("20261121-06F", "20261121-07F", "20261121-08F", "20261121-09F", "20261121-10F"),
                cycleFiles());

            final JournalRetention retention = new JournalRetention(queue, 2 * HOUR_MS);
            final long nowMs = time.currentTimeMillis();
            final int cycle08 = retention.cycleOf("20261121-08F.cq4");

            // Now is 11:30: cycles that ended by 09:30 may go (06, 07, 08), but a running session started in 08.
            assertEquals(2, retention.apply(nowMs, cycle08));
            assertEquals(List.of("20261121-08F", "20261121-09F", "20261121-10F"), cycleFiles());

            // Once that session ends, the pin moves to the current cycle and 08 goes too; 09 is still inside 2 h.
            assertEquals(1, retention.apply(nowMs, queue.cycle()));
            assertEquals(List.of("20261121-09F", "20261121-10F"), cycleFiles());
            assertEquals(-1, retention.cycleOf("metadata.cq4t"));
        }
    }

    @Test
    void shouldKeepEverythingWithoutRetention()
    {
        final SetTimeProvider time = new SetTimeProvider("2026-11-21T06:30:00");
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(journal)
            .rollCycle(JournalFiles.ROLL_CYCLE).timeProvider(time).build())
        {
            assertEquals(0, new JournalRetention(queue, 0).apply(time.currentTimeMillis() + 100 * HOUR_MS,
                Integer.MAX_VALUE));
        }
    }

    private List<String> cycleFiles() throws IOException
    {
        try (Stream<Path> files = Files.list(journal))
        {
            return files.map(file -> file.getFileName().toString())
                .filter(name -> name.endsWith(".cq4"))
                .map(name -> name.substring(0, name.length() - 4))
                .sorted()
                .collect(Collectors.toList());
        }
    }
}
