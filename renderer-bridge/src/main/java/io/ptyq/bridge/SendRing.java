package io.ptyq.bridge;

import org.agrona.concurrent.UnsafeBuffer;
import org.eclipse.jetty.websocket.api.Callback;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The outgoing messages of one viewer: a ring of direct memory where each message is written once and handed to the
 * WebSocket without another copy, released when the WebSocket reports it written. Messages complete in the order
 * they were sent, so the ring frees from its tail. Allocates nothing after construction.
 * <p>
 * One writer thread (the bridge agent) opens, writes and sends; the WebSocket's threads only complete.
 */
final class SendRing implements Callback
{
    private final int capacity;
    private final UnsafeBuffer buffer;
    private final ByteBuffer[] slots;
    private final long[] ends;
    private final AtomicLong completed = new AtomicLong();
    private volatile Throwable failure;
    private long head;
    private long sent;
    private long openStart = -1;
    private int openLimit;

    /**
     * @param capacity bytes of memory for messages in flight.
     * @param maxInFlight most messages in flight.
     */
    SendRing(final int capacity, final int maxInFlight)
    {
        this.capacity = capacity;
        final ByteBuffer memory = ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
        this.buffer = new UnsafeBuffer(memory);
        this.slots = new ByteBuffer[maxInFlight];
        for (int i = 0; i < maxInFlight; i++)
        {
            slots[i] = memory.duplicate();
        }
        this.ends = new long[maxInFlight];
    }

    /**
     * @return the ring's memory; write a message at the offset {@link #open(int)} returned.
     */
    UnsafeBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return bytes free now, without wrap-around waste.
     */
    long freeBytes()
    {
        return capacity - (head - released());
    }

    /**
     * @return messages that may still be sent before one completes.
     */
    int freeSlots()
    {
        return slots.length - (int)(sent - completed.get());
    }

    /**
     * @return whether nothing is in flight.
     */
    boolean isIdle()
    {
        return completed.get() == sent;
    }

    /**
     * @return why a send failed, or null.
     */
    Throwable failure()
    {
        return failure;
    }

    /**
     * Reserve contiguous room for a message of up to {@code maxLength} bytes.
     *
     * @param maxLength the most the message may need.
     * @return the message's offset in {@link #buffer()}, or -1 if there is no room or no slot now.
     */
    int open(final int maxLength)
    {
        if (openStart >= 0)
        {
            throw new IllegalStateException("a message is already open");
        }
        if (freeSlots() <= 0)
        {
            return -1;
        }
        final int offset = (int)(head % capacity);
        final int padding = offset + maxLength > capacity ? capacity - offset : 0;
        if (capacity - (head - released()) < padding + (long)maxLength)
        {
            return -1;
        }
        head += padding;
        openStart = head;
        openLimit = maxLength;

        return (int)(head % capacity);
    }

    /**
     * @return whether a message is open.
     */
    boolean isOpen()
    {
        return openStart >= 0;
    }

    /**
     * Finish the open message.
     *
     * @param length its final length, at most what was reserved.
     * @return the message as a buffer to send, with this ring as its callback; valid until it completes.
     */
    ByteBuffer close(final int length)
    {
        if (openStart < 0 || length > openLimit || length <= 0)
        {
            throw new IllegalStateException("no open message of " + length + " bytes");
        }
        final int offset = (int)(openStart % capacity);
        head = openStart + length;
        openStart = -1;
        final int slot = (int)(sent % slots.length);
        ends[slot] = head;
        sent++;
        final ByteBuffer message = slots[slot];
        message.limit(offset + length).position(offset);

        return message;
    }

    /**
     * Drop the open message unsent.
     */
    void abandon()
    {
        openStart = -1;
    }

    private long released()
    {
        final long done = completed.get();
        return 0 == done ? 0 : ends[(int)((done - 1) % slots.length)];
    }

    @Override
    public void succeed()
    {
        completed.incrementAndGet();
    }

    @Override
    public void fail(final Throwable cause)
    {
        failure = cause;
        completed.incrementAndGet();
    }
}
