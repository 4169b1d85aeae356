package io.ptyq.producer;

import com.pty4j.PtyProcess;
import com.pty4j.WinSize;
import com.pty4j.unix.UnixPtyProcess;
import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import io.ptyq.codec.FrameDescriptor;
import io.ptyq.codec.sbe.ExitReason;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.agrona.BufferUtil;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One running PTY session: a blocking reader thread ({@code pty-reader-ID}) that appends what each wake-up reads as
 * an Output frame, in order, with no timer between the read and the append, then journals the exit.
 * <p>
 * The reader polls and reads the PTY master itself ({@link MasterReader}) rather than through pty4j's stream, whose
 * per-read allocation and reflective JNA calls were most of the daemon's CPU while recording.
 */
final class PtySession implements Runnable
{
    /**
     * Bytes one frame may carry: the reads of one wake-up; far below the frame limit.
     */
    static final int READ_BUFFER_LENGTH = 64 * 1024;

    /**
     * How often a reader with nothing to read checks that its child still runs: only a descendant that keeps the
     * terminal open after the child exits needs it, as the end of output otherwise arrives as a hang-up at once.
     */
    static final int EXIT_CHECK_MS = 500;

    private static final long DISK_RETRY_MS = 250;

    private final long sessionId;
    private final String name;
    private final PtyProcess process;
    private final SingleChronicleQueue queue;
    private final DiskSpaceGuard diskSpaceGuard;
    private final EpochNanoClock clock;
    private final ErrorHandler errorHandler;
    private final SessionListener listener;
    private final AtomicReference<SessionState> state = new AtomicReference<>(SessionState.RUNNING);
    private final Thread readerThread;
    private volatile long outputBytes;
    private volatile int cols;
    private volatile int rows;
    private long inputPosition;

    /**
     * Told when a session has journaled its exit or when the disk is too full to journal.
     */
    interface SessionListener
    {
        void onExited(PtySession session, int exitCode, int signal);

        void onDiskLow(PtySession session);
    }

    PtySession(
        final long sessionId,
        final String name,
        final PtyProcess process,
        final int cols,
        final int rows,
        final SingleChronicleQueue queue,
        final DiskSpaceGuard diskSpaceGuard,
        final EpochNanoClock clock,
        final ErrorHandler errorHandler,
        final SessionListener listener)
    {
        this.sessionId = sessionId;
        this.name = name;
        this.process = process;
        this.cols = cols;
        this.rows = rows;
        this.queue = queue;
        this.diskSpaceGuard = diskSpaceGuard;
        this.clock = clock;
        this.errorHandler = errorHandler;
        this.listener = listener;
        this.readerThread = new Thread(this, "pty-reader-" + sessionId);
        this.readerThread.setDaemon(true);
    }

    void start()
    {
        readerThread.start();
    }

    long sessionId()
    {
        return sessionId;
    }

    String name()
    {
        return name;
    }

    int pid()
    {
        return (int)process.pid();
    }

    int cols()
    {
        return cols;
    }

    int rows()
    {
        return rows;
    }

    long outputBytes()
    {
        return outputBytes;
    }

    boolean isRunning()
    {
        return state.get() == SessionState.RUNNING;
    }

    Thread readerThread()
    {
        return readerThread;
    }

    /**
     * Write bytes to the child; blocks while the PTY's input buffer is full.
     *
     * @return the input position before these bytes.
     */
    synchronized long write(final byte[] data) throws IOException
    {
        final OutputStream out = process.getOutputStream();
        out.write(data);
        out.flush();
        final long position = inputPosition;
        inputPosition += data.length;

        return position;
    }

    void resize(final int cols, final int rows)
    {
        process.setWinSize(new WinSize(cols, rows));
        this.cols = cols;
        this.rows = rows;
    }

    boolean signal(final int signal)
    {
        return Signals.send(pid(), signal);
    }

    @Override
    public void run()
    {
        long position = 0;
        try (JournalPublisher publisher = new JournalPublisher(queue))
        {
            final MasterReader master = new MasterReader(process);
            int length;
            while ((length = master.readBatch()) != MasterReader.END_OF_OUTPUT)
            {
                if (length > 0)
                {
                    awaitDiskSpace(FrameDescriptor.outputFrameLength(length));
                    publisher.output(sessionId, position, clock.nanoTime(), master.buffer(), 0, length);
                    position += length;
                    outputBytes = position;
                }
            }

            final int exitCode = process.waitFor();
            final int signal = exitCode > 128 && exitCode <= 128 + 64 ? exitCode - 128 : 0;
            if (state.compareAndSet(SessionState.RUNNING, SessionState.EXITED))
            {
                awaitDiskSpace(FrameDescriptor.MAX_FRAME_LENGTH);
                publisher.sessionExited(sessionId, clock.nanoTime(), exitCode, signal,
                    signal != 0 ? ExitReason.SIGNALED : ExitReason.EXITED, position, "");
                listener.onExited(this, exitCode, signal);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final RuntimeException ex)
        {
            errorHandler.onError(ex);
        }
    }

    private void awaitDiskSpace(final int frameLength) throws InterruptedException
    {
        // Pausing the reader pauses the child once the PTY buffer fills: nothing is dropped while the disk is full.
        while (!diskSpaceGuard.tryReserve(frameLength))
        {
            listener.onDiskLow(this);
            Thread.sleep(DISK_RETRY_MS);
        }
    }

    /**
     * Mark the session exited without its reader: used at shutdown for a child that never closed its PTY.
     *
     * @return true if this call moved the state, so the caller must journal the exit.
     */
    boolean markExited()
    {
        return state.compareAndSet(SessionState.RUNNING, SessionState.EXITED);
    }

    /**
     * Reads a session's PTY master with libc's poll and read into one off-heap buffer. Used by the reader thread only.
     */
    static final class MasterReader
    {
        /**
         * What {@link #readBatch()} returns once the session's output has ended.
         */
        static final int END_OF_OUTPUT = -1;

        private static final short POLLIN = 0x1;
        private static final int EINTR = 4;
        private static final int POLLFD_LENGTH = 8;
        private static final int POLLFD_FD_OFFSET = 0;
        private static final int POLLFD_EVENTS_OFFSET = 4;
        private static final int POLLFD_REVENTS_OFFSET = 6;
        private static final int INTERRUPTED = -1;

        private final PtyProcess process;
        private final int fd;
        private final UnsafeBuffer pollFd = new UnsafeBuffer(BufferUtil.allocateDirectAligned(POLLFD_LENGTH, 8));
        private final UnsafeBuffer buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(READ_BUFFER_LENGTH, 64));
        private boolean childExited;

        MasterReader(final PtyProcess process)
        {
            this.process = process;
            this.fd = ((UnixPtyProcess)process).getPty().getMasterFD();
            pollFd.putInt(POLLFD_FD_OFFSET, fd);
            pollFd.putShort(POLLFD_EVENTS_OFFSET, POLLIN);
        }

        /**
         * @return the buffer {@link #readBatch()} reads into, from offset 0.
         */
        UnsafeBuffer buffer()
        {
            return buffer;
        }

        /**
         * Wait for output, then read all that is ready, up to the buffer's length: a child that writes faster than
         * one read takes (a PTY gives at most about 4 KiB a read) gets one frame per wake-up, not one per read, and
         * sparse output is returned as soon as it is read.
         *
         * @return bytes read into the buffer (0 after an interrupted call), or {@link #END_OF_OUTPUT}.
         */
        int readBatch()
        {
            if (!awaitReadable())
            {
                return END_OF_OUTPUT;
            }
            int length = read(0);
            if (length <= 0)
            {
                return length;
            }
            int more;
            while (length < buffer.capacity() && poll(0) > 0 && (more = read(length)) > 0)
            {
                length += more;
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
                final int ready = poll(childExited ? 0 : EXIT_CHECK_MS);
                if (ready > 0)
                {
                    return (pollFd.getShort(POLLFD_REVENTS_OFFSET) & POLLIN) != 0;
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
         * @return 1 if the master is ready (readable, hung up or in error), 0 on timeout, or {@link #INTERRUPTED}.
         */
        private int poll(final int timeoutMs)
        {
            pollFd.putShort(POLLFD_REVENTS_OFFSET, (short)0);
            try
            {
                return LibC.poll(pollFd.addressOffset(), 1, timeoutMs);
            }
            catch (final LastErrorException ex)
            {
                // Any other failure is reported as ready with no POLLIN, so the output ends and the exit is journaled.
                return EINTR == ex.getErrorCode() ? INTERRUPTED : 1;
            }
        }

        /**
         * @return bytes read into the buffer at the offset, 0 if interrupted, or {@link #END_OF_OUTPUT}.
         */
        private int read(final int offset)
        {
            try
            {
                final long length = LibC.read(fd, buffer.addressOffset() + offset, buffer.capacity() - offset);
                return length > 0 ? (int)length : END_OF_OUTPUT;
            }
            catch (final LastErrorException ex)
            {
                // EIO once every slave descriptor is closed and the output is drained: the end of the output.
                return EINTR == ex.getErrorCode() ? 0 : END_OF_OUTPUT;
            }
        }
    }

    /**
     * The two libc calls of the read path, direct-mapped: no allocation, reflection or argument conversion per call,
     * where pty4j's {@code PTYInputStream} allocates a {@code byte[]} of the requested length and two JNA structures
     * on every read. Addresses and sizes are passed as {@code long}, which fits {@code void *}, {@code size_t} and
     * {@code nfds_t} on the LP64 platforms the daemon runs on. A failed call throws with errno (JNA clears errno
     * before each call).
     */
    private static final class LibC
    {
        static
        {
            Native.register(LibC.class, Platform.C_LIBRARY_NAME);
        }

        static native int poll(long pollFds, long count, int timeoutMs) throws LastErrorException;

        static native long read(int fd, long address, long length) throws LastErrorException;
    }
}
