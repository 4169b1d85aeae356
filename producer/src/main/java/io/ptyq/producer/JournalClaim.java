package io.ptyq.producer;

import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * A journal taken for writing by a process that is not the daemon ({@code ptyq import}), under the daemon's own
 * rule: it holds the mark file's exclusive lock for as long as it writes, so it is the journal's single writer, and
 * a daemon cannot start meanwhile. Like a starting daemon, it marks the sessions a dead daemon left running abandoned
 * and continues session ids without reuse. One thread.
 */
public final class JournalClaim implements AutoCloseable
{
    private final DaemonMarkFile markFile;
    private final SingleChronicleQueue queue;
    private final JournalPublisher publisher;
    private long nextSessionId;

    private JournalClaim(final DaemonMarkFile markFile, final SingleChronicleQueue queue, final long nextSessionId)
    {
        this.markFile = markFile;
        this.queue = queue;
        this.publisher = new JournalPublisher(queue);
        this.nextSessionId = nextSessionId;
    }

    /**
     * Take the journal, creating it if needed.
     *
     * @param journalDir the journal directory.
     * @param log        told of sessions marked abandoned and of damage found while scanning.
     * @return the held journal.
     * @throws DaemonMarkFile.DaemonRunningException if a daemon (or another writer) holds the journal.
     * @throws IOException                           if the mark file cannot be written.
     */
    public static JournalClaim acquire(
        final Path journalDir, final Consumer<String> log) throws IOException
    {
        JournalFiles.secureDirectory(journalDir);
        final DaemonMarkFile markFile = DaemonMarkFile.acquire(
            journalDir, ProcessHandle.current().pid(), System.currentTimeMillis());
        SingleChronicleQueue queue = null;
        try
        {
            JournalSalvage.quarantineUnreadableCycles(journalDir, log);
            JournalSalvage.salvageNewestCycle(journalDir, JournalFiles.rollCycle(), log);
            queue = JournalFiles.openForWrite(journalDir);
            final JournalRecovery recovery = JournalRecovery.scan(journalDir, log);
            final JournalClaim claim = new JournalClaim(markFile, queue, recovery.maxSessionId() + 1);
            recovery.abandonUnfinished(claim.publisher, System.currentTimeMillis() * 1_000_000L, log);

            return claim;
        }
        catch (final RuntimeException ex)
        {
            if (null != queue)
            {
                queue.close();
            }
            markFile.close();
            throw ex;
        }
    }

    /**
     * @return a new session id, never used in this journal.
     */
    public long nextSessionId()
    {
        return nextSessionId++;
    }

    /**
     * @return the appender, for the thread that acquired the claim.
     */
    public JournalPublisher publisher()
    {
        return publisher;
    }

    /**
     * Keep the mark file's heartbeat fresh during a long write, so readers see a live writer.
     */
    public void heartbeat()
    {
        markFile.heartbeat(System.currentTimeMillis());
    }

    @Override
    public void close()
    {
        publisher.close();
        queue.close();
        markFile.close();
    }
}
