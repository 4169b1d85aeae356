package io.ptyq.producer;

import io.ptyq.codec.control.SessionCommands;
import io.ptyq.codec.control.SessionSpec;
import io.ptyq.codec.control.SessionSummary;
import io.ptyq.codec.control.StatsCounter;
import io.ptyq.codec.control.SessionCommandException;
import com.pty4j.PtyProcess;
import com.pty4j.PtyProcessBuilder;
import io.ptyq.codec.CommandLine;
import io.ptyq.codec.sbe.ExitReason;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.EpochNanoClock;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import static io.ptyq.codec.control.SessionCommandException.Reason.BAD_REQUEST;
import static io.ptyq.codec.control.SessionCommandException.Reason.FAILED;
import static io.ptyq.codec.control.SessionCommandException.Reason.NOT_FOUND;

/**
 * The daemon's sessions: starts them in PTYs, finds them by id or name, and applies control requests, journaling
 * every change through the conductor. Thread safe.
 */
final class SessionManager implements SessionCommands, PtySession.SessionListener
{
    /**
     * Exit code journaled for a command that was not found, as shells use.
     */
    static final int EXIT_NOT_FOUND = 127;

    /**
     * Exit code journaled for a command that could not be executed, as shells use.
     */
    static final int EXIT_NOT_EXECUTABLE = 126;

    private final Map<Long, PtySession> sessions = new ConcurrentHashMap<>();
    private final SingleChronicleQueue queue;
    private final DaemonConductor conductor;
    private final JournalPublisher conductorPublisher;
    private final DiskSpaceGuard diskSpaceGuard;
    private final EpochNanoClock clock;
    private final ErrorHandler errorHandler;
    private final Consumer<String> log;
    private final boolean recordInput;
    private final Map<Long, Integer> startCycles = new ConcurrentHashMap<>();
    private final long startedAtNs = System.nanoTime();
    private final AtomicLong sessionsStarted = new AtomicLong();
    private final AtomicLong sessionsFailedToStart = new AtomicLong();
    private final AtomicLong sessionsExited = new AtomicLong();
    private final AtomicLong exitedOutputBytes = new AtomicLong();
    private final AtomicLong inputBytes = new AtomicLong();
    private final AtomicLong markers = new AtomicLong();
    private long nextSessionId;
    private volatile boolean diskLowReported;

    SessionManager(
        final SingleChronicleQueue queue,
        final DaemonConductor conductor,
        final JournalPublisher conductorPublisher,
        final DiskSpaceGuard diskSpaceGuard,
        final EpochNanoClock clock,
        final ErrorHandler errorHandler,
        final Consumer<String> log,
        final boolean recordInput,
        final long firstSessionId)
    {
        this.queue = queue;
        this.conductor = conductor;
        this.conductorPublisher = conductorPublisher;
        this.diskSpaceGuard = diskSpaceGuard;
        this.clock = clock;
        this.errorHandler = errorHandler;
        this.log = log;
        this.recordInput = recordInput;
        this.nextSessionId = firstSessionId;
    }

    @Override
    public long newSession(final SessionSpec spec)
    {
        final List<String> argv = spec.argv();
        if (null == argv || argv.isEmpty() || argv.get(0).isEmpty())
        {
            throw new SessionCommandException(BAD_REQUEST, "no command given");
        }
        checkSize(spec.cols(), spec.rows());
        final String name = null == spec.name() ? "" : spec.name();
        if (name.matches("\\d+"))
        {
            throw new SessionCommandException(BAD_REQUEST, "a session name cannot be a number: '" + name + "'");
        }

        final Map<String, String> env = new HashMap<>(System.getenv());
        env.putIfAbsent("TERM", "xterm-256color");
        if (null != spec.env())
        {
            env.putAll(spec.env());
        }
        final String workingDir = null == spec.workingDir() || spec.workingDir().isEmpty() ?
            System.getProperty("user.dir") : spec.workingDir();

        return conductor.call(() -> start(name, argv, workingDir, env, spec.cols(), spec.rows()));
    }

    private long start(
        final String name,
        final List<String> argv,
        final String workingDir,
        final Map<String, String> env,
        final int cols,
        final int rows)
    {
        if (!name.isEmpty() && null != findByName(name))
        {
            throw new SessionCommandException(BAD_REQUEST, "a running session is already named '" + name + "'");
        }

        final long sessionId = nextSessionId++;
        sessionsStarted.incrementAndGet();
        final String command = CommandLine.join(argv);
        final String problem = spawnProblem(argv.get(0), workingDir, env.get("PATH"));
        PtyProcess process = null;
        PtyMaster master = null;
        String failure = problem;
        if (null == problem)
        {
            try
            {
                process = new PtyProcessBuilder(SessionSignals.spawnArgv(argv, log).toArray(new String[0]))
                    .setEnvironment(env)
                    .setDirectory(workingDir)
                    .setInitialColumns(cols)
                    .setInitialRows(rows)
                    .setConsole(false)
                    .setRedirectErrorStream(true)
                    .start();
                master = new PtyMaster(process, PtySession.READ_BUFFER_LENGTH, PtySession.EXIT_CHECK_MS);
            }
            catch (final IOException | RuntimeException ex)
            {
                failure = "cannot start '" + argv.get(0) + "': " + ex.getMessage();
                if (null != process)
                {
                    process.destroyForcibly();
                    process = null;
                }
            }
        }

        final long index = conductorPublisher.sessionStarted(
            sessionId, clock.nanoTime(), null == process ? 0 : (int)process.pid(), cols, rows, name, command,
            workingDir);
        if (null == process)
        {
            sessionsFailedToStart.incrementAndGet();
            final int exitCode = null != problem && problem.endsWith("not found") ? EXIT_NOT_FOUND : EXIT_NOT_EXECUTABLE;
            conductorPublisher.sessionExited(
                sessionId, clock.nanoTime(), exitCode, 0, ExitReason.SPAWN_FAILED, 0, failure);
            log.accept("session " + sessionId + label(name) + " failed to start: " + failure);
            throw new SessionCommandException(FAILED, failure + " (session " + sessionId + ")");
        }

        startCycles.put(sessionId, queue.rollCycle().toCycle(index));
        final PtySession session = new PtySession(
            sessionId, name, process, master, cols, rows, queue, diskSpaceGuard, clock, errorHandler, this);
        sessions.put(sessionId, session);
        session.start();
        log.accept("session " + sessionId + label(name) + " started: pid " + process.pid() + ", " +
            CommandLine.display(command));

        return sessionId;
    }

    /**
     * @return why the command cannot start, or null if it looks startable.
     */
    static String spawnProblem(final String program, final String workingDir, final String path)
    {
        final Path dir = Path.of(workingDir);
        if (!Files.isDirectory(dir))
        {
            return "cannot start '" + program + "': working directory " + workingDir + " does not exist";
        }
        if (program.contains("/"))
        {
            final Path file = dir.resolve(program);
            if (!Files.exists(file))
            {
                return "cannot start '" + program + "': not found";
            }
            if (Files.isDirectory(file) || !Files.isExecutable(file))
            {
                return "cannot start '" + program + "': not executable";
            }
            return null;
        }
        boolean foundNonExecutable = false;
        for (final String entry : (null == path ? "/usr/local/bin:/usr/bin:/bin" : path).split(File.pathSeparator))
        {
            final Path file = Path.of(entry.isEmpty() ? "." : entry, program);
            if (Files.isRegularFile(file))
            {
                if (Files.isExecutable(file))
                {
                    return null;
                }
                foundNonExecutable = true;
            }
        }

        return "cannot start '" + program + "': " + (foundNonExecutable ? "not executable" : "command not found");
    }

    @Override
    public void input(final String session, final byte[] data)
    {
        final PtySession target = resolve(session);
        final long position;
        try
        {
            position = target.write(data);
        }
        catch (final IOException ex)
        {
            throw new SessionCommandException(FAILED, "cannot write to session " + target.sessionId() + ": " +
                ex.getMessage());
        }
        inputBytes.addAndGet(data.length);
        if (recordInput)
        {
            conductor.call(() -> conductorPublisher.input(
                target.sessionId(), position, clock.nanoTime(), data, 0, data.length));
        }
    }

    @Override
    public void resize(final String session, final int cols, final int rows)
    {
        checkSize(cols, rows);
        final PtySession target = resolve(session);
        conductor.call(() ->
        {
            target.resize(cols, rows);
            return conductorPublisher.resized(target.sessionId(), clock.nanoTime(), cols, rows);
        });
    }

    @Override
    public void signal(final String session, final int signal)
    {
        if (signal < 1 || signal > 64)
        {
            throw new SessionCommandException(BAD_REQUEST, "bad signal number " + signal);
        }
        final PtySession target = resolve(session);
        if (!target.signal(signal))
        {
            throw new SessionCommandException(FAILED, "cannot signal session " + target.sessionId());
        }
    }

    @Override
    public void marker(final String session, final String label)
    {
        final PtySession target = resolve(session);
        conductor.call(() -> conductorPublisher.marker(target.sessionId(), clock.nanoTime(), label));
        markers.incrementAndGet();
    }

    @Override
    public List<SessionSummary> list()
    {
        final List<SessionSummary> summaries = new ArrayList<>();
        for (final PtySession session : sessions.values())
        {
            summaries.add(new SessionSummary(
                session.sessionId(), session.name(), session.pid(), session.cols(), session.rows()));
        }
        summaries.sort((a, b) -> Long.compare(a.sessionId(), b.sessionId()));

        return summaries;
    }

    /**
     * {@inheritDoc} Sessions and bytes count since this daemon started; the disk's figures are read now.
     */
    @Override
    public List<StatsCounter> stats()
    {
        // A snapshot, not a transaction: a session that exits while this runs may have its bytes in both sums (its
        // exit adds them to the exited sum before it leaves the running sessions), never in neither.
        long runningOutputBytes = 0;
        int running = 0;
        for (final PtySession session : sessions.values())
        {
            runningOutputBytes += session.outputBytes();
            running++;
        }
        final long exitedBytes = exitedOutputBytes.get();

        return List.of(
            new StatsCounter("uptime_ms", (System.nanoTime() - startedAtNs) / 1_000_000),
            new StatsCounter("sessions_running", running),
            new StatsCounter("sessions_started", sessionsStarted.get()),
            new StatsCounter("sessions_failed_to_start", sessionsFailedToStart.get()),
            new StatsCounter("sessions_exited", sessionsExited.get()),
            new StatsCounter("output_bytes", exitedBytes + runningOutputBytes),
            new StatsCounter("input_bytes", inputBytes.get()),
            new StatsCounter("markers", markers.get()),
            new StatsCounter("journal_bytes", JournalFiles.sizeOf(queue.file().toPath())),
            new StatsCounter("disk_usable_bytes", diskSpaceGuard.usableBytes()),
            new StatsCounter("disk_floor_bytes", diskSpaceGuard.minFreeBytes()),
            new StatsCounter("output_paused_for_disk", diskLowReported ? 1 : 0));
    }

    @Override
    public void onExited(final PtySession session, final int exitCode, final int signal)
    {
        exitedOutputBytes.addAndGet(session.outputBytes());
        sessionsExited.incrementAndGet();
        sessions.remove(session.sessionId());
        startCycles.remove(session.sessionId());
        log.accept("session " + session.sessionId() + label(session.name()) + " exited: " +
            (signal != 0 ? "signal " + signal : "code " + exitCode) + ", " + session.outputBytes() + " bytes");
    }

    @Override
    public void onDiskLow(final PtySession session)
    {
        if (!diskLowReported)
        {
            diskLowReported = true;
            log.accept("ERROR: the journal's disk has less than " + (diskSpaceGuard.minFreeBytes() >> 20) +
                " MiB free: session output is paused until space is freed");
        }
    }

    /**
     * Called by the conductor's duty: clears the disk warning once space is back.
     */
    void onDuty()
    {
        if (diskLowReported && !diskSpaceGuard.isLow())
        {
            diskLowReported = false;
            log.accept("the journal's disk has space again: session output resumed");
        }
    }

    /**
     * @return the earliest cycle a running session started in, or {@code Integer.MAX_VALUE}.
     */
    int earliestRunningCycle()
    {
        int earliest = Integer.MAX_VALUE;
        for (final int cycle : startCycles.values())
        {
            earliest = Math.min(earliest, cycle);
        }

        return earliest;
    }

    /**
     * Stop every session: SIGHUP, wait up to the grace period, SIGKILL, then journal an exit for any child whose
     * reader never saw the end.
     */
    void shutdown(final long graceMs)
    {
        final List<PtySession> running = new ArrayList<>(sessions.values());
        for (final PtySession session : running)
        {
            session.signal(Signals.SIGHUP);
        }
        join(running, System.currentTimeMillis() + graceMs);
        for (final PtySession session : running)
        {
            if (session.readerThread().isAlive())
            {
                session.signal(Signals.SIGKILL);
            }
        }
        join(running, System.currentTimeMillis() + 2000);
        for (final PtySession session : running)
        {
            if (session.markExited())
            {
                conductor.call(() -> conductorPublisher.sessionExited(session.sessionId(), clock.nanoTime(),
                    128 + Signals.SIGKILL, Signals.SIGKILL, ExitReason.SIGNALED, session.outputBytes(),
                    "killed when the daemon stopped"));
                onExited(session, 128 + Signals.SIGKILL, Signals.SIGKILL);
            }
        }
    }

    private static void join(final List<PtySession> sessions, final long deadlineMs)
    {
        for (final PtySession session : sessions)
        {
            final long remainingMs = deadlineMs - System.currentTimeMillis();
            if (remainingMs <= 0)
            {
                return;
            }
            try
            {
                session.readerThread().join(remainingMs);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private PtySession resolve(final String session)
    {
        if (null == session || session.isEmpty())
        {
            throw new SessionCommandException(BAD_REQUEST, "no session given");
        }
        PtySession found = null;
        if (session.matches("\\d{1,18}"))
        {
            found = sessions.get(Long.parseLong(session));
        }
        if (null == found)
        {
            found = findByName(session);
        }
        if (null == found || !found.isRunning())
        {
            throw new SessionCommandException(NOT_FOUND, "no running session '" + session + "'");
        }

        return found;
    }

    private PtySession findByName(final String name)
    {
        for (final PtySession session : sessions.values())
        {
            if (name.equals(session.name()))
            {
                return session;
            }
        }

        return null;
    }

    private static void checkSize(final int cols, final int rows)
    {
        if (cols < 1 || cols > 65535 || rows < 1 || rows > 65535)
        {
            throw new SessionCommandException(BAD_REQUEST, "bad size " + cols + "x" + rows + " (1..65535 each)");
        }
    }

    private static String label(final String name)
    {
        return name.isEmpty() ? "" : " '" + name + "'";
    }
}
