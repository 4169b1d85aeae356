package io.ptyq.consumer;

import io.ptyq.codec.FrameDescriptor;
import io.ptyq.codec.sbe.SessionExitedDecoder;
import io.ptyq.codec.sbe.SessionStartedDecoder;
import org.agrona.DirectBuffer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * Writes one session's output to a stream with the timing its frame timestamps recorded, scaled by a speed, with
 * every gap capped at an idle limit, over a window relative to the session's start. Output before the window's
 * start is written at once, so a terminal shows the right screen when timed play begins.
 * <p>
 * Single use and not thread safe, except for the {@link ReplayControl} other threads drive it with.
 */
public final class SessionReplayer
{
    /**
     * Slowest speed {@link ReplayControl.Command#SLOWER} goes down to.
     */
    public static final double MIN_SPEED = 1.0 / 64;

    /**
     * Fastest speed {@link ReplayControl.Command#FASTER} goes up to.
     */
    public static final double MAX_SPEED = 1024;

    private static final long PAUSED_IDLE_NS = 100_000_000L;
    private static final long LIVE_IDLE_NS = 20_000_000L;
    private static final long UNKNOWN = Long.MIN_VALUE;

    private final Context ctx;
    private final OutputStream out;
    private final FrameHandler handler = new FrameHandler();
    private final byte[] frame = new byte[FrameDescriptor.MAX_OUTPUT_DATA_LENGTH];
    private final byte[] batch = new byte[256 * 1024];
    private int frameLength;
    private long frameTimestampNs;
    private boolean hasFrame;
    private int buffered;
    private long bytesWritten;

    private long startTimestampNs = UNKNOWN;
    private boolean ended;
    private final JournalProblems problems = new JournalProblems();

    private double speed;
    private boolean paused;
    private boolean stepRequested;
    private boolean quit;
    private boolean timelineStarted;
    private long anchorWallNs;
    private long anchorPlayNs;
    private long lastPlayNs;
    private long lastTimestampNs;

    /**
     * @param ctx what to replay and how; concluded here.
     * @param out receives the session's output bytes, flushed at the end of each batch due at the same time.
     */
    public SessionReplayer(final Context ctx, final OutputStream out)
    {
        this.ctx = ctx.conclude();
        this.out = Objects.requireNonNull(out, "out");
        this.speed = ctx.speed();
    }

    /**
     * Replay from the start of the journal until the session's end, the window's end, a quit command, or the end of
     * what is journaled when the source is no longer live.
     *
     * @param reader the journal.
     * @return bytes written.
     * @throws UncheckedIOException if the output stream fails (e.g. a closed pipe).
     */
    public long replay(final JournalReader reader)
    {
        ctx.control().waiter(Thread.currentThread());
        try (JournalAdapter adapter = reader.adapter(handler))
        {
            while (!quit)
            {
                applyCommands();
                if (!hasFrame)
                {
                    if (ended)
                    {
                        break;
                    }
                    if (0 == adapter.poll(1))
                    {
                        if (!ctx.live().getAsBoolean())
                        {
                            break;
                        }
                        flush();
                        ctx.clock().idle(LIVE_IDLE_NS);
                    }
                    continue;
                }

                final long offsetNs = frameTimestampNs - startTimestampNs;
                if (offsetNs >= ctx.toNs())
                {
                    break;
                }
                if (offsetNs >= ctx.fromNs() && !ctx.noWait() && !awaitDue())
                {
                    break;
                }
                append(frame, frameLength);
                hasFrame = false;
            }
            flush();
        }
        finally
        {
            ctx.control().waiter(null);
        }

        return bytesWritten;
    }

    /**
     * @return frames of the journal skipped as invalid.
     */
    public long invalidFrames()
    {
        return problems.invalidFrames();
    }

    /**
     * @return what was wrong with the first invalid frame, or null.
     */
    public String firstInvalid()
    {
        return problems.firstInvalid();
    }

    /**
     * @return one line naming the first damaged journal file met (everything readable was played), or null.
     */
    public String damage()
    {
        return problems.damage();
    }

    /**
     * @return the speed now, after any speed commands.
     */
    public double speed()
    {
        return speed;
    }

    private boolean awaitDue()
    {
        if (!timelineStarted)
        {
            // Play time 0 is the window's start; it begins now, after anything written at once before it.
            timelineStarted = true;
            anchorWallNs = ctx.clock().nanoTime();
            anchorPlayNs = 0;
            lastPlayNs = 0;
            lastTimestampNs = startTimestampNs + ctx.fromNs();
        }
        final long gapNs = Math.min(Math.max(0, frameTimestampNs - lastTimestampNs), ctx.idleLimitNs());
        final long dueNs = lastPlayNs + gapNs;
        while (true)
        {
            applyCommands();
            if (quit)
            {
                return false;
            }
            if (paused)
            {
                // Frames due by the pause (or sharing the stepped frame's time) still go out.
                if (dueNs <= anchorPlayNs)
                {
                    break;
                }
                if (stepRequested)
                {
                    stepRequested = false;
                    anchorPlayNs = dueNs;
                    break;
                }
                flush();
                ctx.clock().idle(PAUSED_IDLE_NS);
                continue;
            }
            final long playNs = playPositionNs(ctx.clock().nanoTime());
            if (playNs >= dueNs)
            {
                break;
            }
            // The batch due before this frame is complete: show it while waiting.
            flush();
            ctx.clock().idle(Math.max(1, (long)Math.ceil((dueNs - playNs) / speed)));
        }
        lastPlayNs = dueNs;
        lastTimestampNs = frameTimestampNs;

        return true;
    }

    private long playPositionNs(final long nowNs)
    {
        return paused ? anchorPlayNs : anchorPlayNs + (long)((nowNs - anchorWallNs) * speed);
    }

    private void applyCommands()
    {
        ReplayControl.Command command;
        while (null != (command = ctx.control().poll()))
        {
            switch (command)
            {
                case TOGGLE_PAUSE:
                    setPaused(!paused);
                    break;
                case FASTER:
                    setSpeed(speed < MAX_SPEED ? speed * 2 : speed);
                    break;
                case SLOWER:
                    setSpeed(speed > MIN_SPEED ? speed / 2 : speed);
                    break;
                case STEP:
                    setPaused(true);
                    stepRequested = true;
                    break;
                case QUIT:
                    quit = true;
                    break;
                default:
                    break;
            }
        }
    }

    private void setPaused(final boolean pause)
    {
        if (pause == paused)
        {
            return;
        }
        final long nowNs = ctx.clock().nanoTime();
        if (pause)
        {
            anchorPlayNs = playPositionNs(nowNs);
        }
        else
        {
            stepRequested = false;
            anchorWallNs = nowNs;
        }
        paused = pause;
    }

    private void setSpeed(final double newSpeed)
    {
        if (!paused)
        {
            // Rebase so the play position is continuous across the change.
            final long nowNs = ctx.clock().nanoTime();
            anchorPlayNs = playPositionNs(nowNs);
            anchorWallNs = nowNs;
        }
        speed = newSpeed;
    }

    private void append(final byte[] bytes, final int length)
    {
        if (length > batch.length - buffered)
        {
            flush();
            if (length > batch.length)
            {
                write(bytes, length);
                return;
            }
        }
        System.arraycopy(bytes, 0, batch, buffered, length);
        buffered += length;
    }

    private void flush()
    {
        if (buffered > 0)
        {
            write(batch, buffered);
            buffered = 0;
        }
    }

    private void write(final byte[] bytes, final int length)
    {
        try
        {
            out.write(bytes, 0, length);
            out.flush();
            bytesWritten += length;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Keeps the next frame of the session, copied out of the journal, and notes its start and end.
     */
    private final class FrameHandler implements JournalListener
    {
        @Override
        public void onSessionStarted(final long index, final SessionStartedDecoder decoder)
        {
            if (decoder.sessionId() == ctx.sessionId())
            {
                startTimestampNs = decoder.timestampNs();
            }
        }

        @Override
        public void onOutput(
            final long index, final long sessionId, final long streamPosition, final long timestampNs,
            final DirectBuffer buffer, final int offset, final int length)
        {
            if (sessionId != ctx.sessionId() || 0 == length)
            {
                return;
            }
            if (UNKNOWN == startTimestampNs)
            {
                // The start was not in the journal (retention removed it): time from the first output instead.
                startTimestampNs = timestampNs;
            }
            buffer.getBytes(offset, frame, 0, length);
            frameLength = length;
            frameTimestampNs = timestampNs;
            hasFrame = true;
        }

        @Override
        public void onSessionExited(final long index, final SessionExitedDecoder decoder)
        {
            if (decoder.sessionId() == ctx.sessionId())
            {
                ended = true;
            }
        }

        @Override
        public void onDamagedFile(final java.nio.file.Path file, final String reason)
        {
            problems.onDamagedFile(file, reason);
        }

        @Override
        public void onInvalidFrame(final long index, final String reason)
        {
            problems.onInvalidFrame(index, reason);
        }
    }

    /**
     * What to replay and how. Defaults: speed 1, no idle limit, the whole session, the system clock, not live.
     */
    public static final class Context
    {
        private long sessionId = -1;
        private double speed = 1;
        private long idleLimitNs = Long.MAX_VALUE;
        private long fromNs;
        private long toNs = Long.MAX_VALUE;
        private boolean noWait;
        private ReplayClock clock = ReplayClock.system();
        private ReplayControl control = new ReplayControl();
        private BooleanSupplier live = () -> false;

        /**
         * @param sessionId the session to replay.
         * @return this.
         */
        public Context sessionId(final long sessionId)
        {
            this.sessionId = sessionId;
            return this;
        }

        /**
         * @return the session to replay.
         */
        public long sessionId()
        {
            return sessionId;
        }

        /**
         * @param speed how many times faster than recorded; positive.
         * @return this.
         */
        public Context speed(final double speed)
        {
            this.speed = speed;
            return this;
        }

        /**
         * @return how many times faster than recorded.
         */
        public double speed()
        {
            return speed;
        }

        /**
         * @param idleLimitNs the longest recorded gap between frames played, before the speed applies; positive.
         * @return this.
         */
        public Context idleLimitNs(final long idleLimitNs)
        {
            this.idleLimitNs = idleLimitNs;
            return this;
        }

        /**
         * @return the longest recorded gap between frames played.
         */
        public long idleLimitNs()
        {
            return idleLimitNs;
        }

        /**
         * @param fromNs where timed play starts, after the session's start; output before it is written at once.
         * @return this.
         */
        public Context fromNs(final long fromNs)
        {
            this.fromNs = fromNs;
            return this;
        }

        /**
         * @return where timed play starts, after the session's start.
         */
        public long fromNs()
        {
            return fromNs;
        }

        /**
         * @param toNs where the replay ends, after the session's start (exclusive).
         * @return this.
         */
        public Context toNs(final long toNs)
        {
            this.toNs = toNs;
            return this;
        }

        /**
         * @return where the replay ends, after the session's start (exclusive).
         */
        public long toNs()
        {
            return toNs;
        }

        /**
         * @param noWait write everything at once, without the timing.
         * @return this.
         */
        public Context noWait(final boolean noWait)
        {
            this.noWait = noWait;
            return this;
        }

        /**
         * @return whether everything is written at once.
         */
        public boolean noWait()
        {
            return noWait;
        }

        /**
         * @param clock the time source and wait.
         * @return this.
         */
        public Context clock(final ReplayClock clock)
        {
            this.clock = clock;
            return this;
        }

        /**
         * @return the time source and wait.
         */
        public ReplayClock clock()
        {
            return clock;
        }

        /**
         * @param control the commands other threads send the replay.
         * @return this.
         */
        public Context control(final ReplayControl control)
        {
            this.control = control;
            return this;
        }

        /**
         * @return the commands other threads send the replay.
         */
        public ReplayControl control()
        {
            return control;
        }

        /**
         * @param live asked at the end of what is journaled: true to wait for more output (a daemon still runs).
         * @return this.
         */
        public Context live(final BooleanSupplier live)
        {
            this.live = live;
            return this;
        }

        /**
         * @return whether more output may still come at the end of what is journaled.
         */
        public BooleanSupplier live()
        {
            return live;
        }

        /**
         * Check the settings once.
         *
         * @return this.
         * @throws IllegalArgumentException if a setting is out of range.
         */
        public Context conclude()
        {
            if (sessionId < 0)
            {
                throw new IllegalArgumentException("no session id");
            }
            if (!(speed > 0) || Double.isInfinite(speed))
            {
                throw new IllegalArgumentException("speed must be a positive number: " + speed);
            }
            if (idleLimitNs <= 0)
            {
                throw new IllegalArgumentException("idle limit must be positive: " + idleLimitNs + " ns");
            }
            if (fromNs < 0 || toNs <= fromNs)
            {
                throw new IllegalArgumentException("need 0 <= from < to: from " + fromNs + " ns, to " + toNs + " ns");
            }
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(control, "control");
            Objects.requireNonNull(live, "live");

            return this;
        }
    }
}
