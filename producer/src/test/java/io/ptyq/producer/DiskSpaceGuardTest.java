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

    @Test
    void shouldGrantLifecycleFramesHalfOfTheFloor()
    {
        // A floor just above the usable space: output is refused, a session's exit still fits in half the floor.
        final long floor = dir.getUsableSpace() + (16L << 20);
        final DiskSpaceGuard guard = new DiskSpaceGuard(dir, floor);

        assertFalse(guard.tryReserve(4096));
        assertTrue(guard.tryReserveLifecycle(4096));
        assertFalse(new DiskSpaceGuard(dir, 4 * floor).tryReserveLifecycle(1), "not below half the floor");
    }
}
