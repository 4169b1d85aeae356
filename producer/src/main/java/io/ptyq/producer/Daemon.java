package io.ptyq.producer;

import io.ptyq.codec.control.SessionCommands;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.OffsetEpochNanoClock;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The producer daemon: owns one journal, runs sessions in PTYs and serves the control endpoint.
 * Launch with {@link #launch(Context)}; {@link #close()} stops every session (SIGHUP, grace, SIGKILL), journals their
 * exits and releases the journal.
 */
public final class Daemon implements AutoCloseable
{
    /**
     * Name of the control socket in the journal directory.
     */
    public static final String CONTROL_SOCKET = ControlServer.SOCKET_FILE_NAME;

    private final Context ctx;
    private final DaemonMarkFile markFile;
    private final SingleChronicleQueue queue;
    private final JournalPublisher conductorPublisher;
    private final DaemonConductor conductor;
    private final SessionManager sessionManager;
    private final JournalRetention retention;
    private final ControlServer controlServer;
    private boolean closed;

    private Daemon(final Context ctx) throws IOException
    {
        this.ctx = ctx;
        final long launchNs = System.nanoTime();
        JournalFiles.secureDirectory(ctx.journalDir());
        markFile = DaemonMarkFile.acquire(ctx.journalDir(), ProcessHandle.current().pid(), System.currentTimeMillis());
        try
        {
            JournalSalvage.quarantineUnreadableCycles(ctx.journalDir(), ctx.log());
            JournalSalvage.salvageNewestCycle(ctx.journalDir(), JournalFiles.rollCycle(), ctx.log());
            queue = JournalFiles.openForWrite(ctx.journalDir());
            JournalLockRecovery.releaseDeadWriterLocks(queue, ctx.log());
            final JournalRecovery recovery = JournalRecovery.scan(ctx.journalDir(), ctx.log());
            try (JournalPublisher startupPublisher = new JournalPublisher(queue))
            {
                recovery.abandonUnfinished(startupPublisher, ctx.clock().nanoTime(), ctx.log());
            }
            // Chronicle appenders belong to one thread: this one is used only on the conductor from here on.
            conductorPublisher = new JournalPublisher(queue);
            retention = new JournalRetention(queue, ctx.retentionMs());
            conductor = new DaemonConductor(this::onDuty, ctx.errorHandler());
            sessionManager = new SessionManager(queue, conductor, conductorPublisher,
                new DiskSpaceGuard(ctx.journalDir().toFile(), ctx.minFreeBytes()), ctx.clock(), ctx.errorHandler(),
                ctx.log(), ctx.recordInput(), recovery.maxSessionId() + 1);
            conductor.start();
            controlServer = new ControlServer(
                ctx.journalDir().resolve(CONTROL_SOCKET), sessionManager, ctx.errorHandler());
            // Blocks in accept: an idle control endpoint costs no CPU.
            controlServer.start();
        }
        catch (final RuntimeException ex)
        {
            markFile.close();
            throw ex;
        }
        ctx.log().accept("daemon started: pid " + ProcessHandle.current().pid() + ", journal " + ctx.journalDir() +
            (ctx.recordInput() ? ", recording input" : "") + ", ready in " +
            (System.nanoTime() - launchNs) / 1_000_000 + " ms");
    }

    /**
     * Start a daemon on the context's journal.
     *
     * @param ctx the configuration; concluded here.
     * @return the running daemon.
     * @throws IOException if the journal cannot be taken (see {@link DaemonMarkFile.DaemonRunningException}).
     */
    public static Daemon launch(final Context ctx) throws IOException
    {
        return new Daemon(ctx.conclude());
    }

    private void onDuty()
    {
        final long nowMs = System.currentTimeMillis();
        markFile.heartbeat(nowMs);
        sessionManager.onDuty();
        final int deleted = retention.apply(nowMs, Math.min(queue.cycle(), sessionManager.earliestRunningCycle()));
        if (deleted > 0)
        {
            ctx.log().accept("retention: deleted " + deleted + " journal cycle file(s)");
        }
    }

    /**
     * @return the daemon's sessions, for in-process use.
     */
    public SessionCommands sessions()
    {
        return sessionManager;
    }

    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        // Each step runs even if an earlier one failed: the journal and the mark file must always be released.
        closeStep(controlServer::close);
        closeStep(() -> sessionManager.shutdown(ctx.graceMs()));
        closeStep(() -> conductor.call(() ->
        {
            conductorPublisher.close();
            return null;
        }));
        closeStep(conductor::close);
        closeStep(queue::close);
        closeStep(markFile::close);
        ctx.log().accept("daemon stopped");
    }

    private void closeStep(final Runnable step)
    {
        try
        {
            step.run();
        }
        catch (final RuntimeException ex)
        {
            ctx.errorHandler().onError(ex);
        }
    }

    /**
     * Configuration of a {@link Daemon}, with defaults from system properties where they make sense.
     */
    public static final class Context
    {
        private Path journalDir;
        private long retentionMs = Long.getLong("ptyq.retention.ms", 0);
        private boolean recordInput = Boolean.getBoolean("ptyq.record.input");
        private long graceMs = Long.getLong("ptyq.grace.ms", 500);
        private long minFreeBytes = Long.getLong("ptyq.min.free.bytes", 4 * JournalFiles.BLOCK_SIZE);
        private EpochNanoClock clock;
        private ErrorHandler errorHandler;
        private Consumer<String> log;

        /**
         * Check the values and fill in defaults; called once by {@link Daemon#launch(Context)}.
         *
         * @return this.
         */
        public Context conclude()
        {
            if (null == journalDir)
            {
                throw new IllegalStateException("journalDir is required");
            }
            if (retentionMs < 0 || graceMs < 0 || minFreeBytes < 0)
            {
                throw new IllegalArgumentException("retention, grace and minimum free space cannot be negative");
            }
            if (null == clock)
            {
                clock = new OffsetEpochNanoClock();
            }
            if (null == log)
            {
                log = line -> System.out.println("ptyq daemon: " + line);
            }
            if (null == errorHandler)
            {
                final Consumer<String> logTo = log;
                errorHandler = ex -> logTo.accept("ERROR: " + ex);
            }

            return this;
        }

        public Path journalDir()
        {
            return journalDir;
        }

        public Context journalDir(final Path journalDir)
        {
            this.journalDir = journalDir.toAbsolutePath();
            return this;
        }

        public long retentionMs()
        {
            return retentionMs;
        }

        /**
         * @param retentionMs how long to keep whole cycles; 0 keeps everything.
         */
        public Context retentionMs(final long retentionMs)
        {
            this.retentionMs = retentionMs;
            return this;
        }

        public boolean recordInput()
        {
            return recordInput;
        }

        /**
         * @param recordInput journal Input frames (off by default: input holds passwords).
         */
        public Context recordInput(final boolean recordInput)
        {
            this.recordInput = recordInput;
            return this;
        }

        public long graceMs()
        {
            return graceMs;
        }

        /**
         * @param graceMs how long sessions get between SIGHUP and SIGKILL when the daemon stops.
         */
        public Context graceMs(final long graceMs)
        {
            this.graceMs = graceMs;
            return this;
        }

        public long minFreeBytes()
        {
            return minFreeBytes;
        }

        /**
         * @param minFreeBytes usable disk space below which output is paused.
         */
        public Context minFreeBytes(final long minFreeBytes)
        {
            this.minFreeBytes = minFreeBytes;
            return this;
        }

        public EpochNanoClock clock()
        {
            return clock;
        }

        public Context clock(final EpochNanoClock clock)
        {
            this.clock = clock;
            return this;
        }

        public ErrorHandler errorHandler()
        {
            return errorHandler;
        }

        public Context errorHandler(final ErrorHandler errorHandler)
        {
            this.errorHandler = errorHandler;
            return this;
        }

        public Consumer<String> log()
        {
            return log;
        }

        /**
         * @param log where the daemon's one-line log records go.
         */
        public Context log(final Consumer<String> log)
        {
            this.log = log;
            return this;
        }
    }
}
