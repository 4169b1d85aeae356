package io.ptyq.consumer;

import org.agrona.collections.LongHashSet;

/**
 * Which sessions' events a {@link JournalAdapter} delivers; the others are read and skipped without a callback.
 * Invalid frames are always delivered, since their session id cannot be trusted. Must not allocate: it runs per frame.
 */
@FunctionalInterface
public interface SessionFilter
{
    /**
     * @param sessionId the session of a frame.
     * @return true to deliver the frame.
     */
    boolean accept(long sessionId);

    /**
     * @return a filter that delivers every session.
     */
    static SessionFilter all()
    {
        return (sessionId) -> true;
    }

    /**
     * @param sessionIds the sessions to deliver.
     * @return a filter that delivers only those sessions.
     */
    static SessionFilter only(final long... sessionIds)
    {
        if (1 == sessionIds.length)
        {
            final long sessionId = sessionIds[0];
            return (id) -> id == sessionId;
        }
        final LongHashSet set = new LongHashSet(Math.max(8, sessionIds.length * 2));
        for (final long sessionId : sessionIds)
        {
            set.add(sessionId);
        }

        return set::contains;
    }
}

