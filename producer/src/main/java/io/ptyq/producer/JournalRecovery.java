package io.ptyq.producer;

import io.ptyq.codec.sbe.ExitReason;
import io.ptyq.codec.sbe.SessionExitedDecoder;
import io.ptyq.codec.sbe.SessionStartedDecoder;
import io.ptyq.consumer.JournalAdapter;
import io.ptyq.consumer.JournalListener;
import io.ptyq.consumer.JournalReader;
import io.ptyq.consumer.StartPosition;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2LongHashMap;

import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * What a starting daemon learns from the journal it inherits: the highest session id, so ids continue without reuse,
 * and the sessions a previous daemon left running, which it then marks abandoned.
 * <p>
 * It reads with the consumer API, so a damaged cycle file is logged and skipped as every reader skips it, rather
 * than stopping the daemon from starting; sessions whose end was in it are then marked abandoned.
 */
final class JournalRecovery implements JournalListener
{
    private static final int POLL_LIMIT = 4096;
    private static final long WAIT_NS = 1_000_000;

    private final Long2LongHashMap unfinishedOutputBytes = new Long2LongHashMap(-1);
    private final Consumer<String> log;
    private long maxSessionId;
    private long corruptFrames;

    private JournalRecovery(final Consumer<String> log)
    {
        this.log = log;
    }

    /**
     * Scan the whole journal; call while holding its mark file, before anything is appended.
     *
     * @param journalDir the journal directory.
     * @param log        told of damaged cycle files and of frames that could not be decoded, one line each.
     * @return what the scan found.
     */
    static JournalRecovery scan(final Path journalDir, final Consumer<String> log)
    {
        final JournalRecovery recovery = new JournalRecovery(log);
        try (JournalReader reader = JournalReader.open(journalDir);
            JournalAdapter adapter = reader.adapter(recovery, StartPosition.beginning()))
        {
            while (true)
            {
                if (0 == adapter.poll(POLL_LIMIT))
                {
                    if (adapter.isInNewestCycle())
                    {
                        break;
                    }
                    // Stopped before a cycle file that may be damaged: the adapter decides after a short wait.
                    LockSupport.parkNanos(WAIT_NS);
                }
            }
        }
        if (recovery.corruptFrames > 0)
        {
            log.accept("ERROR: " + recovery.corruptFrames + " journal frame(s) could not be decoded and were skipped");
        }

        return recovery;
    }

    @Override
    public void onSessionStarted(final long index, final SessionStartedDecoder decoder)
    {
        final long sessionId = decoder.sessionId();
        maxSessionId = Math.max(maxSessionId, sessionId);
        unfinishedOutputBytes.put(sessionId, 0);
    }

    @Override
    public void onOutput(
        final long index, final long sessionId, final long streamPosition, final long timestampNs,
        final DirectBuffer buffer, final int offset, final int length)
    {
        if (unfinishedOutputBytes.containsKey(sessionId))
        {
            unfinishedOutputBytes.put(sessionId, streamPosition + length);
        }
    }

    @Override
    public void onSessionExited(final long index, final SessionExitedDecoder decoder)
    {
        maxSessionId = Math.max(maxSessionId, decoder.sessionId());
        unfinishedOutputBytes.remove(decoder.sessionId());
    }

    @Override
    public void onInvalidFrame(final long index, final String reason)
    {
        corruptFrames++;
    }

    @Override
    public void onDamagedFile(final Path file, final String reason)
    {
        log.accept("ERROR: journal file " + file + " is damaged: " + reason + "; skipped it and read on (sessions " +
            "that ended in it are marked abandoned)");
    }

    /**
     * Journal an ABANDONED exit for every session started and never ended: the writer that ran them is gone.
     */
    void abandonUnfinished(final JournalPublisher publisher, final long timestampNs, final Consumer<String> log)
    {
        final Long2LongHashMap.KeyIterator ids = unfinishedOutputBytes.keySet().iterator();
        while (ids.hasNext())
        {
            final long sessionId = ids.nextValue();
            publisher.sessionExited(sessionId, timestampNs, -1, 0, ExitReason.ABANDONED,
                unfinishedOutputBytes.get(sessionId), "the daemon running it stopped without journaling its end");
            log.accept("session " + sessionId + " marked abandoned (its daemon died)");
        }
    }

    long maxSessionId()
    {
        return maxSessionId;
    }
}
