package io.ptyq.bridge;

import io.ptyq.codec.sbe.InputDecoder;
import io.ptyq.codec.sbe.MarkerDecoder;
import io.ptyq.codec.sbe.ResizedDecoder;
import io.ptyq.codec.sbe.SessionExitedDecoder;
import io.ptyq.codec.sbe.SessionStartedDecoder;
import io.ptyq.consumer.DaemonStatus;
import io.ptyq.consumer.JournalAdapter;
import io.ptyq.consumer.JournalListener;
import io.ptyq.consumer.JournalReader;
import io.ptyq.consumer.SessionCatalog;
import io.ptyq.consumer.SessionRecord;
import org.agrona.DirectBuffer;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The journal's sessions kept current for the page: tails the journal into a {@link SessionCatalog} on the bridge
 * agent's thread and publishes an immutable {@link Snapshot} that request threads read.
 */
final class SessionDirectory implements JournalListener, AutoCloseable
{
    private static final long OUTPUT_PUBLISH_INTERVAL_NS = 250_000_000L;
    private static final long DAEMON_CHECK_INTERVAL_NS = 1_000_000_000L;

    private final Path journalDir;
    private final SessionCatalog catalog = new SessionCatalog();
    private final Map<Long, Long> startIndices = new HashMap<>();
    private final JournalAdapter adapter;
    private volatile Snapshot snapshot = new Snapshot(List.of(), Map.of(), "[]");
    private boolean changed = true;
    private boolean outputSeen;
    private boolean daemonAlive;
    private long nextPublishNs;
    private long nextDaemonCheckNs;

    SessionDirectory(final JournalReader reader)
    {
        this.journalDir = reader.journalDir();
        this.adapter = reader.adapter(this);
    }

    /**
     * @return the sessions as last published.
     */
    Snapshot snapshot()
    {
        return snapshot;
    }

    /**
     * Read what the journal gained and publish a new snapshot when the list changed; output only updates the byte
     * counts, at most four times a second.
     *
     * @param nowNs the agent's clock.
     * @return work done.
     */
    int doWork(final long nowNs)
    {
        final int frames = adapter.poll(4096);
        if (nowNs - nextDaemonCheckNs >= 0)
        {
            nextDaemonCheckNs = nowNs + DAEMON_CHECK_INTERVAL_NS;
            final boolean alive = DaemonStatus.isDaemonAlive(journalDir);
            if (alive != daemonAlive)
            {
                daemonAlive = alive;
                changed = true;
            }
        }
        if (changed || (outputSeen && nowNs - nextPublishNs >= 0))
        {
            publish();
            nextPublishNs = nowNs + OUTPUT_PUBLISH_INTERVAL_NS;
            return frames + 1;
        }

        return frames;
    }

    private void publish()
    {
        changed = false;
        outputSeen = false;
        final List<SessionRecord> sessions = catalog.sessions(daemonAlive);
        final Map<Long, SessionRecord> byId = new HashMap<>();
        for (final SessionRecord session : sessions)
        {
            byId.put(session.sessionId(), session);
        }
        snapshot = new Snapshot(List.copyOf(sessions), Map.copyOf(byId), SessionListJson.write(sessions));
    }

    /**
     * @param sessionId a session.
     * @return the journal index of its {@code SessionStarted} frame, or -1 if the journal does not hold it.
     */
    long startIndex(final long sessionId)
    {
        final Long index = startIndices.get(sessionId);
        return null == index ? -1 : index;
    }

    @Override
    public void onSessionStarted(final long index, final SessionStartedDecoder decoder)
    {
        startIndices.put(decoder.sessionId(), index);
        catalog.onSessionStarted(index, decoder);
        changed = true;
    }

    @Override
    public void onOutput(
        final long index, final long sessionId, final long streamPosition, final long timestampNs,
        final DirectBuffer buffer, final int offset, final int length)
    {
        catalog.onOutput(index, sessionId, streamPosition, timestampNs, buffer, offset, length);
        outputSeen = true;
    }

    @Override
    public void onInput(
        final long index, final InputDecoder decoder, final DirectBuffer buffer, final int offset, final int length)
    {
        catalog.onInput(index, decoder, buffer, offset, length);
    }

    @Override
    public void onResized(final long index, final ResizedDecoder decoder)
    {
        catalog.onResized(index, decoder);
        changed = true;
    }

    @Override
    public void onMarker(final long index, final MarkerDecoder decoder)
    {
        catalog.onMarker(index, decoder);
    }

    @Override
    public void onSessionExited(final long index, final SessionExitedDecoder decoder)
    {
        catalog.onSessionExited(index, decoder);
        changed = true;
    }

    @Override
    public void onInvalidFrame(final long index, final String reason)
    {
        catalog.onInvalidFrame(index, reason);
    }

    @Override
    public void close()
    {
        adapter.close();
    }

    /**
     * The sessions at one moment: the list, by id, and as the JSON the page reads.
     *
     * @param sessions every session in start order.
     * @param byId     the same, by id.
     * @param json     the list as a JSON array.
     */
    record Snapshot(List<SessionRecord> sessions, Map<Long, SessionRecord> byId, String json)
    {
    }
}
