package io.ptyq.producer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The guard refuses appends that would cross the free-space floor and grants them again once space is back.
 */
class DiskSpaceGuardTest
{
    @TempDir
    File dir;

    @Test
    void shouldGrantWhileAboveTheFloor()
    {
        final DiskSpaceGuard guard = new DiskSpaceGuard(dir, 0);

        assertTrue(guard.tryReserve(4096));
        assertTrue(guard.tryReserve(1 << 20));
        assertFalse(guard.isLow());
    }

    @Test
    void shouldRefuseBelowTheFloorAndNotDriftIntoIt()
    {
        // A floor above all the usable space stands for a full disk.
        final DiskSpaceGuard guard = new DiskSpaceGuard(dir, dir.getUsableSpace() + (1L << 40));

        assertFalse(guard.tryReserve(1));
        assertTrue(guard.isLow());
        assertFalse(guard.tryReserve(1), "a refusal leaves no budget behind");
    }
}
