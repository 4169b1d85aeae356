package io.ptyq.producer;

import com.pty4j.PtyProcess;
import com.pty4j.WinSize;
import io.ptyq.codec.FrameDescriptor;
import io.ptyq.codec.sbe.ExitReason;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One running PTY session: a blocking reader thread ({@code pty-reader-ID}) that appends what each wake-up reads as
 * an Output frame, in order, with no timer between the read and the append, then journals the exit.
 * <p>
 * The reader polls and reads the PTY master itself ({@link PtyMaster}) rather than through pty4j's stream, whose
 * per-read allocation and reflective JNA calls were most of the daemon's CPU while recording; input goes through the
 * same master, never through pty4j's stream, which drops what a short write leaves.
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
    private final PtyMaster master;
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
        final PtyMaster master,
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
        this.master = master;
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
     * Write bytes to the child, waiting while the PTY's input buffer is full, for at most
     * {@link PtyMaster#INPUT_TIMEOUT_MS} without progress.
     *
     * @return the input position before these bytes.
     * @throws IOException if the bytes cannot be written.
     */
    synchronized long write(final byte[] data) throws IOException
    {
        master.writeInput(data);
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
            int length;
            while ((length = master.readBatch()) != PtyMaster.END_OF_OUTPUT)
            {
                if (length > 0)
                {
                    awaitDiskSpace(FrameDescriptor.outputFrameLength(length), false);
                    publisher.output(sessionId, position, clock.nanoTime(), master.buffer(), 0, length);
                    position += length;
                    outputBytes = position;
                }
            }

            final int exitCode = process.waitFor();
            final int signal = exitCode > 128 && exitCode <= 128 + 64 ? exitCode - 128 : 0;
            if (state.compareAndSet(SessionState.RUNNING, SessionState.EXITED))
            {
                awaitDiskSpace(FrameDescriptor.MAX_FRAME_LENGTH, true);
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

    private void awaitDiskSpace(final int frameLength, final boolean lifecycle) throws InterruptedException
    {
        // Pausing the reader pauses the child once the PTY buffer fills: nothing is dropped while the disk is full.
        // The exit may use the floor's reserve: a session that ends on a full disk is journaled as ended.
        while (!(lifecycle ? diskSpaceGuard.tryReserveLifecycle(frameLength) : diskSpaceGuard.tryReserve(frameLength)))
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
}
