package io.ptyq.consumer;

import io.ptyq.codec.sbe.InputDecoder;
import io.ptyq.codec.sbe.MarkerDecoder;
import io.ptyq.codec.sbe.ResizedDecoder;
import io.ptyq.codec.sbe.SessionExitedDecoder;
import io.ptyq.codec.sbe.SessionStartedDecoder;
import org.agrona.DirectBuffer;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A listener that records every callback, copying what the views show, for tests.
 */
class EventLog implements JournalListener
{
    /**
     * One callback.
     */
    record Event(String kind, long index, long sessionId, long streamPosition, long timestampNs, byte[] data)
    {
        @Override
        public String toString()
        {
            return kind + "@" + Long.toHexString(index) + "(session " + sessionId + ")";
        }
    }

    final List<Event> events = new ArrayList<>();

    @Override
    public void onSessionStarted(final long index, final SessionStartedDecoder decoder)
    {
        events.add(new Event("started", index, decoder.sessionId(), 0, decoder.timestampNs(), new byte[0]));
    }

    @Override
    public void onOutput(
        final long index, final long sessionId, final long streamPosition, final long timestampNs,
        final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] data = new byte[length];
        buffer.getBytes(offset, data);
        events.add(new Event("output", index, sessionId, streamPosition, timestampNs, data));
    }

    @Override
    public void onInput(
        final long index, final InputDecoder decoder, final DirectBuffer buffer, final int offset, final int length)
    {
        events.add(new Event("input", index, decoder.sessionId(), decoder.position(), decoder.timestampNs(),
            new byte[0]));
    }

    @Override
    public void onResized(final long index, final ResizedDecoder decoder)
    {
        events.add(new Event("resized", index, decoder.sessionId(), 0, decoder.timestampNs(), new byte[0]));
    }

    @Override
    public void onMarker(final long index, final MarkerDecoder decoder)
    {
        events.add(new Event("marker", index, decoder.sessionId(), 0, decoder.timestampNs(), new byte[0]));
    }

    @Override
    public void onSessionExited(final long index, final SessionExitedDecoder decoder)
    {
        events.add(new Event("exited", index, decoder.sessionId(), 0, decoder.timestampNs(), new byte[0]));
    }

    @Override
    public void onInvalidFrame(final long index, final String reason)
    {
        events.add(new Event("invalid", index, -1, 0, 0, new byte[0]));
    }

    @Override
    public void onRedelivery(final long index)
    {
        events.add(new Event("redelivery", index, -1, 0, 0, new byte[0]));
    }

    List<Long> indices()
    {
        return events.stream().map(Event::index).collect(Collectors.toList());
    }

    List<String> kinds()
    {
        return events.stream().map(Event::kind).collect(Collectors.toList());
    }

    void clear()
    {
        events.clear();
    }

    /**
     * Poll until caught up.
     *
     * @return frames read.
     */
    static int drain(final JournalAdapter adapter)
    {
        int frames = 0;
        int read;
        while ((read = adapter.poll(64)) > 0)
        {
            frames += read;
        }

        return frames;
    }
}
