package io.ptyq.producer;

import com.pty4j.PtyProcess;
import com.pty4j.unix.UnixPtyProcess;
import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.util.Arrays;

/**
 * A session's PTY master, read and written with libc directly: the reader thread's {@link #readBatch()} and the
 * control threads' {@link #writeInput(byte[])}.
 * <p>
 * The master is non-blocking. The reader waits in {@code poll} and then reads until the master is empty, one
 * {@code read} per chunk the line discipline hands over (about 4 KiB) and no {@code poll} between them. Input is
 * written in a loop that waits for room with {@code poll(POLLOUT)} for at most {@link #INPUT_TIMEOUT_MS}, so a child
 * that stops reading its input gives the sender an error instead of a control thread blocked for ever.
 */
final class PtyMaster
{
    /**
     * What {@link #readBatch()} returns once the session's output has ended.
     */
    static final int END_OF_OUTPUT = -1;

    /**
     * How long input waits for the child to make room in the PTY's input buffer.
     */
    static final int INPUT_TIMEOUT_MS = 5_000;

    private static final short POLLIN = 0x1;
    private static final short POLLOUT = 0x4;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    private static final int F_GETFL = 3;
    private static final int F_SETFL = 4;
    private static final int O_NONBLOCK = 04000;
    private static final int POLLFD_LENGTH = 8;
    private static final int POLLFD_FD_OFFSET = 0;
    private static final int POLLFD_EVENTS_OFFSET = 4;
    private static final int POLLFD_REVENTS_OFFSET = 6;
    private static final int INTERRUPTED = -1;

    private final PtyProcess process;
    private final int fd;
    private final int exitCheckMs;
    private final UnsafeBuffer readPollFd = pollFd();
    private final UnsafeBuffer writePollFd = pollFd();
    private final UnsafeBuffer buffer;
    private boolean childExited;

    /**
     * @param process     the session's process; its master is made non-blocking here.
     * @param bufferBytes the most one {@link #readBatch()} returns.
     * @param exitCheckMs how often a reader with nothing to read checks that the child still runs.
     * @throws IOException if the master cannot be made non-blocking.
     */
    PtyMaster(final PtyProcess process, final int bufferBytes, final int exitCheckMs) throws IOException
    {
        this.process = process;
        this.fd = ((UnixPtyProcess)process).getPty().getMasterFD();
        this.exitCheckMs = exitCheckMs;
        this.buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(bufferBytes, 64));
        readPollFd.putInt(POLLFD_FD_OFFSET, fd);
        readPollFd.putShort(POLLFD_EVENTS_OFFSET, POLLIN);
        writePollFd.putInt(POLLFD_FD_OFFSET, fd);
        writePollFd.putShort(POLLFD_EVENTS_OFFSET, POLLOUT);
        try
        {
            LibC.fcntl(fd, F_SETFL, LibC.fcntl(fd, F_GETFL, 0) | O_NONBLOCK);
        }
        catch (final LastErrorException ex)
        {
            throw new IOException("cannot make the PTY master non-blocking: errno " + ex.getErrorCode(), ex);
        }
    }

    private static UnsafeBuffer pollFd()
    {
        return new UnsafeBuffer(BufferUtil.allocateDirectAligned(POLLFD_LENGTH, 8));
    }

    /**
     * @return the buffer {@link #readBatch()} reads into, from offset 0.
     */
    UnsafeBuffer buffer()
    {
        return buffer;
    }

    /**
     * Wait for output, then read all that is ready, up to the buffer's length: a child that writes faster than one
     * read takes gets one frame per wake-up, not one per read, and sparse output is returned as soon as it is read.
     * Reader thread only.
     *
     * @return bytes read into the buffer (0 after an interrupted or spurious wake-up), or {@link #END_OF_OUTPUT}.
     */
    int readBatch()
    {
        if (!awaitReadable())
        {
            return END_OF_OUTPUT;
        }
        int length = readFirst();
        if (length <= 0)
        {
            return length;
        }
        final long address = buffer.addressOffset();
        final int capacity = buffer.capacity();
        long more;
        // Empty (EAGAIN) or failed alike end the batch; a failure shows again at the next poll and first read.
        while (length < capacity && (more = LibCNoErrno.read(fd, address + length, capacity - length)) > 0)
        {
            length += (int)more;
        }

        return length;
    }

    /**
     * @return true when the master has bytes to read; false once the output has ended: every holder of the
     * terminal closed it (a hang-up with nothing left to read), or the child exited and nothing is left to read.
     */
    private boolean awaitReadable()
    {
        while (true)
        {
            final int ready = poll(readPollFd, childExited ? 0 : exitCheckMs);
            if (ready > 0)
            {
                return (readPollFd.getShort(POLLFD_REVENTS_OFFSET) & POLLIN) != 0;
            }
            if (0 == ready)
            {
                if (childExited)
                {
                    return false;
                }
                // Nothing to read for a while: a descendant may hold the terminal open after the child exited,
                // which pty4j's own stream ends on; drain what is ready and stop, as it does.
                childExited = !process.isAlive();
            }
        }
    }

    /**
     * @return 1 if the master is ready (or in error), 0 on timeout, or {@link #INTERRUPTED}.
     */
    private static int poll(final UnsafeBuffer pollFd, final int timeoutMs)
    {
        pollFd.putShort(POLLFD_REVENTS_OFFSET, (short)0);
        try
        {
            return LibC.poll(pollFd.addressOffset(), 1, timeoutMs);
        }
        catch (final LastErrorException ex)
        {
            // Any other failure is reported as ready, so the caller's next call sees the error itself.
            return EINTR == ex.getErrorCode() ? INTERRUPTED : 1;
        }
    }

    /**
     * @return bytes read at the start of the buffer, 0 if interrupted or nothing was there after all, or
     * {@link #END_OF_OUTPUT}.
     */
    private int readFirst()
    {
        try
        {
            final long length = LibC.read(fd, buffer.addressOffset(), buffer.capacity());
            return length > 0 ? (int)length : END_OF_OUTPUT;
        }
        catch (final LastErrorException ex)
        {
            // EIO once every slave descriptor is closed and the output is drained: the end of the output.
            final int errno = ex.getErrorCode();
            return EINTR == errno || EAGAIN == errno ? 0 : END_OF_OUTPUT;
        }
    }

    /**
     * Write all of {@code data} to the child's input, waiting for room while the child reads.
     *
     * @throws IOException if the master fails, or the child leaves its input full for {@link #INPUT_TIMEOUT_MS}
     *                     (the bytes written by then have reached it).
     */
    synchronized void writeInput(final byte[] data) throws IOException
    {
        byte[] remaining = data;
        long deadlineMs = System.currentTimeMillis() + INPUT_TIMEOUT_MS;
        while (remaining.length > 0)
        {
            long written = 0;
            try
            {
                written = LibC.write(fd, remaining, remaining.length);
            }
            catch (final LastErrorException ex)
            {
                if (EAGAIN != ex.getErrorCode() && EINTR != ex.getErrorCode())
                {
                    throw new IOException("write failed: errno " + ex.getErrorCode(), ex);
                }
            }

            if (written > 0)
            {
                remaining = Arrays.copyOfRange(remaining, (int)written, remaining.length);
                deadlineMs = System.currentTimeMillis() + INPUT_TIMEOUT_MS;
                continue;
            }
            final long waitMs = deadlineMs - System.currentTimeMillis();
            if (waitMs <= 0)
            {
                throw new IOException("the session has not read its input for " + INPUT_TIMEOUT_MS + " ms; " +
                    (data.length - remaining.length) + " of " + data.length + " bytes were written");
            }
            poll(writePollFd, (int)waitMs);
        }
    }

    /**
     * The libc calls of the master, direct-mapped: no allocation, reflection or argument conversion per call. A failed
     * call throws with errno (JNA clears errno before each call). Addresses and sizes are passed as {@code long}, which
     * fits {@code void *}, {@code size_t} and {@code nfds_t} on the LP64 platforms the daemon runs on.
     */
    private static final class LibC
    {
        static
        {
            Native.register(LibC.class, Platform.C_LIBRARY_NAME);
        }

        static native int poll(long pollFds, long count, int timeoutMs) throws LastErrorException;

        static native long read(int fd, long address, long length) throws LastErrorException;

        static native long write(int fd, byte[] data, long length) throws LastErrorException;

        static native int fcntl(int fd, int command, int argument) throws LastErrorException;
    }

    /**
     * {@code read} without errno: the batch loop stops at any result below 1, and an empty master (EAGAIN) then
     * costs no exception.
     */
    private static final class LibCNoErrno
    {
        static
        {
            Native.register(LibCNoErrno.class, Platform.C_LIBRARY_NAME);
        }

        static native long read(int fd, long address, long length);
    }
}
