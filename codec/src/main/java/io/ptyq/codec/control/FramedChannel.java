package io.ptyq.codec.control;

import io.ptyq.codec.ControlFrameDecoder;
import io.ptyq.codec.InvalidFrameException;
import org.agrona.CloseHelper;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * A non-blocking socket channel carrying length-prefixed control messages, with deadlines on every wait, so
 * neither end can be stalled forever by the other. Shared by the daemon's control server and {@link DaemonProxy};
 * one thread uses it, except {@link #abort()}, which any thread may call.
 */
public final class FramedChannel implements AutoCloseable
{
    /**
     * Name of the daemon's control socket in the journal directory.
     */
    public static final String SOCKET_FILE_NAME = "control.sock";

    private static final int INITIAL_CAPACITY = 4096;
    private static final long NO_DEADLINE = Long.MIN_VALUE;

    private final SocketChannel channel;
    private final Selector selector;
    private final SelectionKey key;
    private final ByteBuffer lengthBuffer =
        ByteBuffer.allocate(ControlFrameDecoder.LENGTH_PREFIX_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    private final ExpandableArrayBuffer sendBuffer = new ExpandableArrayBuffer(INITIAL_CAPACITY);
    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[0]);
    private ByteBuffer frameBuffer = ByteBuffer.allocate(INITIAL_CAPACITY);

    public FramedChannel(final SocketChannel channel) throws IOException
    {
        this.channel = channel;
        Selector selector = null;
        try
        {
            channel.configureBlocking(false);
            selector = Selector.open();
            this.key = channel.register(selector, 0);
            this.selector = selector;
        }
        catch (final IOException ex)
        {
            CloseHelper.quietClose(selector);
            CloseHelper.quietClose(channel);
            throw ex;
        }
    }

    /**
     * Read the next frame's message into {@link #frame()}.
     *
     * @param idleTimeoutMs how long to wait for a frame to begin, 0 for ever.
     * @param frameTimeoutMs how long a begun frame may take to arrive whole.
     * @return the message's length, or -1 if the peer closed the stream between frames.
     * @throws InvalidFrameException if the length prefix is out of bounds.
     * @throws IOException           on an I/O error, a timeout or a stream closed inside a frame.
     */
    public int read(final long idleTimeoutMs, final long frameTimeoutMs) throws IOException
    {
        lengthBuffer.clear();
        if (!awaitFirstByte(idleTimeoutMs))
        {
            return -1;
        }

        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(frameTimeoutMs);
        readFully(lengthBuffer, deadlineNs);
        final int length = lengthBuffer.getInt(0);
        if (length < ControlFrameDecoder.HEADER_LENGTH || length > ControlFrameDecoder.MAX_FRAME_LENGTH)
        {
            throw new InvalidFrameException("frame length " + Integer.toUnsignedLong(length) + " is outside " +
                ControlFrameDecoder.HEADER_LENGTH + ".." + ControlFrameDecoder.MAX_FRAME_LENGTH);
        }

        if (frameBuffer.capacity() < length)
        {
            frameBuffer = ByteBuffer.allocate(
                Math.min(ControlFrameDecoder.MAX_FRAME_LENGTH, Math.max(length, frameBuffer.capacity() * 2)));
        }
        frameBuffer.clear().limit(length);
        readFully(frameBuffer, deadlineNs);
        frame.wrap(frameBuffer.array(), 0, length);

        return length;
    }

    /**
     * @return the message last read, valid until the next read.
     */
    public UnsafeBuffer frame()
    {
        return frame;
    }

    /**
     * @return the buffer to encode a frame into: a message at {@link ControlFrameDecoder#LENGTH_PREFIX_LENGTH},
     * its length before it (see {@link #prefixLength(MutableDirectBuffer, int)}).
     */
    public MutableDirectBuffer sendBuffer()
    {
        return sendBuffer;
    }

    /**
     * Write the first {@code length} bytes of {@link #sendBuffer()}.
     *
     * @throws IOException on an I/O error, or when the peer takes none of it for {@code timeoutMs}.
     */
    public void send(final int length, final long timeoutMs) throws IOException
    {
        final ByteBuffer src = ByteBuffer.wrap(sendBuffer.byteArray(), 0, length);
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (src.hasRemaining())
        {
            if (0 == channel.write(src))
            {
                await(SelectionKey.OP_WRITE, deadlineNs, "the peer to take a frame");
            }
        }
    }

    /**
     * Close the channel from another thread and wake the thread waiting on it.
     */
    public void abort()
    {
        CloseHelper.quietClose(channel);
        selector.wakeup();
    }

    /**
     * Close the channel and its selector.
     */
    @Override
    public void close()
    {
        CloseHelper.quietClose(channel);
        CloseHelper.quietClose(selector);
    }

    private boolean awaitFirstByte(final long idleTimeoutMs) throws IOException
    {
        final long deadlineNs = idleTimeoutMs > 0 ?
            System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(idleTimeoutMs) : NO_DEADLINE;
        while (true)
        {
            final int bytesRead = channel.read(lengthBuffer);
            if (bytesRead < 0)
            {
                return false;
            }
            if (bytesRead > 0)
            {
                return true;
            }
            await(SelectionKey.OP_READ, deadlineNs, "a frame");
        }
    }

    private void readFully(final ByteBuffer dst, final long deadlineNs) throws IOException
    {
        while (dst.hasRemaining())
        {
            final int bytesRead = channel.read(dst);
            if (bytesRead < 0)
            {
                throw new EOFException("the peer closed the connection in the middle of a frame");
            }
            if (0 == bytesRead)
            {
                await(SelectionKey.OP_READ, deadlineNs, "the rest of a frame");
            }
        }
    }

    private void await(final int interestOps, final long deadlineNs, final String what) throws IOException
    {
        if (!channel.isOpen())
        {
            throw new ClosedChannelException();
        }
        long timeoutMs = 0;
        if (NO_DEADLINE != deadlineNs)
        {
            final long remainingNs = deadlineNs - System.nanoTime();
            if (remainingNs <= 0)
            {
                throw new IOException("timed out waiting for " + what);
            }
            timeoutMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(remainingNs));
        }

        try
        {
            key.interestOps(interestOps);
            selector.selectedKeys().clear();
            selector.select(timeoutMs);
        }
        catch (final CancelledKeyException | ClosedSelectorException ex)
        {
            throw new ClosedChannelException();
        }
    }

    /**
     * Write the length prefix of a message encoded at {@link ControlFrameDecoder#LENGTH_PREFIX_LENGTH}.
     *
     * @return the frame's length on the socket.
     */
    public static int prefixLength(final MutableDirectBuffer buffer, final int messageLength)
    {
        buffer.putInt(0, messageLength, ByteOrder.LITTLE_ENDIAN);

        return ControlFrameDecoder.LENGTH_PREFIX_LENGTH + messageLength;
    }
}
