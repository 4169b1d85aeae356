package io.ptyq.consumer;

import io.ptyq.codec.CommandLine;
import io.ptyq.codec.sbe.ExitReason;
import io.ptyq.codec.sbe.ResizedDecoder;
import io.ptyq.codec.sbe.SessionExitedDecoder;
import io.ptyq.codec.sbe.SessionStartedDecoder;
import org.agrona.DirectBuffer;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sessions of a journal, built by reading it from the start: what {@code ptyq ls} shows and how a session
 * name or id is resolved.
 */
public final class SessionCatalog implements JournalListener
{
    private final Map<Long, Builder> sessions = new LinkedHashMap<>();
    private long invalidFrames;
    private String firstInvalid;
    private String damage;

    /**
     * Read a whole journal.
     *
     * @param journalDir the journal directory.
     * @return the catalog of its sessions.
     */
    public static SessionCatalog load(final Path journalDir)
    {
        final SessionCatalog catalog = new SessionCatalog();
        try (JournalReader reader = JournalReader.open(journalDir);
            JournalAdapter adapter = reader.adapter(catalog))
        {
            while (adapter.poll(4096) > 0)
            {
                // Read to the end of what is journaled now.
            }
        }

        return catalog;
    }

    /**
     * @param daemonAlive whether a daemon runs the journal now: without one, sessions never ended are abandoned.
     * @return every session, in start order.
     */
    public List<SessionRecord> sessions(final boolean daemonAlive)
    {
        final List<SessionRecord> records = new ArrayList<>(sessions.size());
        for (final Builder builder : sessions.values())
        {
            records.add(builder.build(daemonAlive));
        }

        return records;
    }

    /**
     * @param ref a session id or name; a name that several sessions had means the latest of them.
     * @return the session's id, or -1 if none matches.
     */
    public long resolve(final String ref)
    {
        if (ref.matches("\\d{1,18}") && sessions.containsKey(Long.parseLong(ref)))
        {
            return Long.parseLong(ref);
        }
        long found = -1;
        for (final Builder builder : sessions.values())
        {
            if (builder.name.equals(ref))
            {
                found = builder.sessionId;
            }
        }

        return found;
    }

    /**
     * @param sessionId a session id.
     * @return whether the journal has seen the session's end.
     */
    public boolean hasEnded(final long sessionId)
    {
        final Builder builder = sessions.get(sessionId);
        return null != builder && null != builder.endedAt;
    }

    /**
     * @return frames skipped as invalid.
     */
    public long invalidFrames()
    {
        return invalidFrames;
    }

    /**
     * @return what was wrong with the first invalid frame, or null.
     */
    public String firstInvalid()
    {
        return firstInvalid;
    }

    /**
     * @return one line naming the first damaged journal file met (the catalog holds what was readable), or null.
     */
    public String damage()
    {
        return damage;
    }

    /**
     * @param session the session as the user named it.
     * @return "no session" for the user, saying if a damaged file may hide it.
     */
    public String noSuchSession(final String session)
    {
        return "no session '" + session + "'" + (null == damage ? "" : " readable: " + damage);
    }

    @Override
    public void onDamagedFile(final Path file, final String reason)
    {
        if (null == damage)
        {
            damage = "journal file " + file + " is damaged: " + reason;
        }
    }

    @Override
    public void onSessionStarted(final long index, final SessionStartedDecoder decoder)
    {
        final Builder builder = new Builder();
        builder.sessionId = decoder.sessionId();
        builder.startedAt = toInstant(decoder.timestampNs());
        builder.cols = decoder.cols();
        builder.rows = decoder.rows();
        builder.name = decoder.name();
        builder.argv = CommandLine.split(decoder.command());
        sessions.put(builder.sessionId, builder);
    }

    @Override
    public void onOutput(
        final long index, final long sessionId, final long streamPosition, final long timestampNs,
        final DirectBuffer buffer, final int offset, final int length)
    {
        final Builder builder = sessions.get(sessionId);
        if (null != builder)
        {
            builder.outputBytes = streamPosition + length;
        }
    }

    @Override
    public void onResized(final long index, final ResizedDecoder decoder)
    {
        final Builder builder = sessions.get(decoder.sessionId());
        if (null != builder)
        {
            builder.cols = decoder.cols();
            builder.rows = decoder.rows();
        }
    }

    @Override
    public void onSessionExited(final long index, final SessionExitedDecoder decoder)
    {
        final Builder builder = sessions.get(decoder.sessionId());
        if (null != builder)
        {
            builder.endedAt = toInstant(decoder.timestampNs());
            builder.exitCode = decoder.exitCode();
            builder.signal = decoder.signal();
            builder.abandoned = decoder.reason() == ExitReason.ABANDONED;
            builder.detail = decoder.detail();
        }
    }

    @Override
    public void onInvalidFrame(final long index, final String reason)
    {
        if (0 == invalidFrames++)
        {
            firstInvalid = "index " + Long.toHexString(index) + ": " + reason;
        }
    }

    private static Instant toInstant(final long epochNs)
    {
        return Instant.ofEpochSecond(Math.floorDiv(epochNs, 1_000_000_000L), Math.floorMod(epochNs, 1_000_000_000L));
    }

    private static final class Builder
    {
        long sessionId;
        String name = "";
        Instant startedAt;
        Instant endedAt;
        Integer exitCode;
        int signal;
        boolean abandoned;
        long outputBytes;
        List<String> argv = List.of();
        int cols;
        int rows;
        String detail = "";

        SessionRecord build(final boolean daemonAlive)
        {
            final SessionRecord.State state;
            if (null != endedAt)
            {
                state = abandoned ? SessionRecord.State.ABANDONED : SessionRecord.State.EXITED;
            }
            else
            {
                state = daemonAlive ? SessionRecord.State.RUNNING : SessionRecord.State.ABANDONED;
            }

            return new SessionRecord(sessionId, name, state, null == endedAt ? null : exitCode, signal, startedAt,
                endedAt, outputBytes, argv, cols, rows, detail);
        }
    }
}
