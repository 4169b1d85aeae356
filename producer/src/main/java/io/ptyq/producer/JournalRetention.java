package io.ptyq.producer;

import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;

import java.io.File;
import java.text.ParseException;
import java.text.SimpleDateFormat;
import java.util.TimeZone;

/**
 * Deletes whole journal cycles older than the retention, never the cycle being written nor any cycle from the
 * start of a session that is still running (so a live session stays replayable from its first byte).
 */
final class JournalRetention
{
    private static final String SUFFIX = ".cq4";

    private final SingleChronicleQueue queue;
    private final long retentionMs;
    private final SimpleDateFormat cycleFormat;
    private final long cycleLengthMs;

    JournalRetention(final SingleChronicleQueue queue, final long retentionMs)
    {
        final RollCycle rollCycle = queue.rollCycle();
        this.queue = queue;
        this.retentionMs = retentionMs;
        this.cycleLengthMs = rollCycle.lengthInMillis();
        this.cycleFormat = new SimpleDateFormat(rollCycle.format());
        this.cycleFormat.setTimeZone(TimeZone.getTimeZone("UTC"));
    }

    /**
     * @param nowMs       the time now.
     * @param pinnedCycle the earliest cycle that must stay (the current one, or an older running session's start).
     * @return the number of cycle files deleted.
     */
    int apply(final long nowMs, final int pinnedCycle)
    {
        if (retentionMs <= 0)
        {
            return 0;
        }
        final File[] files = queue.file().listFiles((dir, name) -> name.endsWith(SUFFIX));
        if (null == files)
        {
            return 0;
        }

        int deleted = 0;
        for (final File file : files)
        {
            final int cycle = cycleOf(file.getName());
            if (cycle < 0 || cycle >= pinnedCycle || cycle >= queue.cycle())
            {
                continue;
            }
            final long cycleEndMs = (cycle + 1L) * cycleLengthMs;
            if (cycleEndMs <= nowMs - retentionMs && file.delete())
            {
                deleted++;
            }
        }
        if (deleted > 0)
        {
            queue.refreshDirectoryListing();
        }

        return deleted;
    }

    int cycleOf(final String fileName)
    {
        try
        {
            final String stem = fileName.substring(0, fileName.length() - SUFFIX.length());
            return (int)(cycleFormat.parse(stem).getTime() / cycleLengthMs);
        }
        catch (final ParseException | RuntimeException ex)
        {
            return -1;
        }
    }
}
