package io.ptyq.producer;

import java.io.File;

/**
 * Keeps appends away from a full disk, where a write into a mapped journal page would raise SIGBUS.
 * <p>
 * Writers reserve bytes before appending; the guard grants them from a budget it refills from the file system's usable
 * space, minus a floor it never lets writes cross. Thread safe; a reservation is one CAS-free synchronized add on the
 * common path, and the file system is asked at most once per budget.
 */
public final class DiskSpaceGuard
{
    private static final long MAX_BUDGET = 64L << 20;

    private final File journalDir;
    private final long minFreeBytes;
    private long budget;
    private boolean low;

    /**
     * @param journalDir   a path on the journal's file system.
     * @param minFreeBytes usable bytes the journal always leaves free.
     */
    public DiskSpaceGuard(final File journalDir, final long minFreeBytes)
    {
        this.journalDir = journalDir;
        this.minFreeBytes = minFreeBytes;
    }

    /**
     * @param bytes bytes about to be appended.
     * @return true if they may be written; false while the disk is below the floor.
     */
    public synchronized boolean tryReserve(final long bytes)
    {
        if (budget < bytes)
        {
            final long usable = journalDir.getUsableSpace();
            budget = Math.min(MAX_BUDGET, usable - minFreeBytes);
            low = budget < bytes;
            if (low)
            {
                budget = 0;
                return false;
            }
        }
        budget -= bytes;

        return true;
    }

    /**
     * Reserve room for a lifecycle frame (a session's exit): these may go below the floor, down to half of it, so that
     * the journal still records that a session ended while output stays paused on a full disk.
     *
     * @param bytes bytes about to be appended.
     * @return true if they may be written.
     */
    public synchronized boolean tryReserveLifecycle(final long bytes)
    {
        if (budget >= bytes)
        {
            budget -= bytes;
            return true;
        }

        return journalDir.getUsableSpace() - minFreeBytes / 2 >= bytes;
    }

    /**
     * @return true if the last reservation was refused for lack of space.
     */
    public synchronized boolean isLow()
    {
        return low;
    }

    /**
     * @return usable bytes on the journal's file system now.
     */
    public long usableBytes()
    {
        return journalDir.getUsableSpace();
    }

    /**
     * @return the floor of usable bytes.
     */
    public long minFreeBytes()
    {
        return minFreeBytes;
    }
}
