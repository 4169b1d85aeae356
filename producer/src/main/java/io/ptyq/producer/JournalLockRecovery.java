package io.ptyq.producer;

import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.TableStoreWriteLock;
import net.openhft.chronicle.queue.impl.table.AbstractTSQueueLock;
import net.openhft.chronicle.threads.Pauser;

import java.util.function.Consumer;

/**
 * Releases the Chronicle write locks a killed daemon left in the journal's metadata file.
 * <p>
 * Chronicle keeps its write lock (and its append lock) as the holder's pid in the queue's table store. A daemon killed
 * while appending leaves its pid there. Opening the queue, Chronicle frees the write lock only if no process with that
 * pid is alive; if the pid has been reused by then, every append waits out Chronicle's lock timeout and then fails,
 * because the holder still looks alive. A starting daemon needs no guess about pids: it already holds the journal's
 * {@link DaemonMarkFile} lock, which the kernel releases when its holder dies and which no two daemons can hold, and
 * only a daemon ever writes a journal. So any other pid in a write lock at startup is a dead writer, whether or not
 * the pid has since been reused, and the lock is released at once. The half-written frame behind it was never
 * committed: Chronicle's next append overwrites it.
 */
final class JournalLockRecovery
{
    /**
     * Key of Chronicle's queue write lock in the table store (its {@code TableStoreWriteLock.LOCK_KEY}).
     */
    static final String WRITE_LOCK_KEY = "chronicle.write.lock";

    private JournalLockRecovery()
    {
    }

    /**
     * Release every write lock held by a process other than this one; call only while holding the mark file.
     *
     * @param queue the journal, opened for writing.
     * @param log   told about each lock released.
     * @return the number of locks released.
     */
    static int releaseDeadWriterLocks(final SingleChronicleQueue queue, final Consumer<String> log)
    {
        int released = 0;
        for (final String key : new String[]{ WRITE_LOCK_KEY, TableStoreWriteLock.APPEND_LOCK_KEY })
        {
            final TableStoreWriteLock lock = new TableStoreWriteLock(queue.metaStore(), Pauser::balanced, 0L, key);
            try
            {
                final long holder = lock.lockedBy();
                if (AbstractTSQueueLock.UNLOCKED != holder && ProcessHandle.current().pid() != holder)
                {
                    lock.forceUnlock();
                    released++;
                    log.accept("journal " + key + " was held by pid " + holder + ", a daemon that died while " +
                        "writing; released");
                }
            }
            finally
            {
                lock.close();
            }
        }

        return released;
    }
}
