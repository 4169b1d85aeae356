package io.ptyq.producer;

import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.TableStoreWriteLock;
import net.openhft.chronicle.queue.impl.table.AbstractTSQueueLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JournalLockRecoveryTest
{
    @TempDir
    Path journal;

    @Test
    void shouldReleaseLocksOfADeadWriterAtOnce() throws Exception
    {
        final long deadPid = deadPid();
        try (SingleChronicleQueue queue = JournalFiles.openForWrite(journal))
        {
            // What a daemon killed inside an append leaves behind: its pid in both locks.
            queue.tableStorePut(JournalLockRecovery.WRITE_LOCK_KEY, deadPid);
            queue.tableStorePut(TableStoreWriteLock.APPEND_LOCK_KEY, deadPid);
            final List<String> log = new ArrayList<>();

            assertEquals(2, JournalLockRecovery.releaseDeadWriterLocks(queue, log::add));
            assertTrue(log.get(0).contains("held by pid " + deadPid), log.toString());
            assertEquals(AbstractTSQueueLock.UNLOCKED, queue.tableStoreGet(JournalLockRecovery.WRITE_LOCK_KEY));

            final long startNs = System.nanoTime();
            try (ExcerptAppender appender = queue.createAppender())
            {
                appender.writeText("after recovery");
            }
            assertTrue(System.nanoTime() - startNs < TimeUnit.SECONDS.toNanos(5), "the append did not wait");
            assertEquals(0, JournalLockRecovery.releaseDeadWriterLocks(queue, log::add), "nothing left to release");
        }
    }

    @Test
    void shouldReleaseALockWhosePidWasReusedByALiveProcess() throws Exception
    {
        final Process reused = new ProcessBuilder("sleep", "60").start();
        try (SingleChronicleQueue queue = JournalFiles.openForWrite(journal))
        {
            queue.tableStorePut(JournalLockRecovery.WRITE_LOCK_KEY, reused.pid());
        }
        try (SingleChronicleQueue queue = JournalFiles.openForWrite(journal))
        {
            // Chronicle's own open-time check keeps it: the pid is alive.
            assertEquals(reused.pid(), queue.tableStoreGet(JournalLockRecovery.WRITE_LOCK_KEY));
            final List<String> log = new ArrayList<>();
            assertEquals(1, JournalLockRecovery.releaseDeadWriterLocks(queue, log::add));
            try (ExcerptAppender appender = queue.createAppender())
            {
                appender.writeText("after recovery");
            }
        }
        finally
        {
            reused.destroyForcibly();
        }
    }

    @Test
    void shouldLeaveFreeLocksAlone()
    {
        try (SingleChronicleQueue queue = JournalFiles.openForWrite(journal))
        {
            final List<String> log = new ArrayList<>();
            assertEquals(0, JournalLockRecovery.releaseDeadWriterLocks(queue, log::add));
            assertTrue(log.isEmpty());
        }
    }

    private static long deadPid() throws Exception
    {
        final Process process = new ProcessBuilder("true").start();
        assertTrue(process.waitFor(10, TimeUnit.SECONDS));
        assertFalse(process.isAlive());
        return process.pid();
    }
}
