package io.ptyq.consumer.cli;

import io.ptyq.codec.cli.CliException;
import io.ptyq.codec.cli.JournalOption;
import io.ptyq.codec.control.DaemonProxy;
import io.ptyq.codec.control.SessionCommandException;
import io.ptyq.codec.control.SessionCommands;
import io.ptyq.codec.sbe.ExitReason;
import io.ptyq.codec.sbe.SessionExitedDecoder;
import io.ptyq.consumer.DaemonStatus;
import io.ptyq.consumer.JournalAdapter;
import io.ptyq.consumer.JournalListener;
import io.ptyq.consumer.JournalProblems;
import io.ptyq.consumer.JournalReader;
import io.ptyq.consumer.SessionCatalog;
import io.ptyq.consumer.SessionRecord;
import io.ptyq.consumer.ShortSliceIdleStrategy;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.jline.terminal.Size;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * {@code ptyq attach}: a session live in this terminal. Writes the session's history so the screen is right, then
 * follows its output until it exits, the daemon goes away or the user detaches with Ctrl-].
 */
@Command(name = "attach", mixinStandardHelpOptions = true,
    description = {
        "Show a session live in this terminal: its output so far (so the screen is right), then new output as it " +
            "comes. Read-only unless --write.",
        "",
        "Detach with Ctrl-] (in a read-only attach Ctrl-C detaches too); the terminal is restored.",
        "When the session exits, prints '[ptyq: session N exited with code C]' on stderr and exits with C " +
            "(128+signal when a signal ended it). Stdout carries only the session's bytes.",
        "Without a terminal (stdin or stdout redirected) it prints and follows the same way, without raw mode or " +
            "keys."
    })
final class AttachCommand implements Callable<Integer>
{
    /**
     * Clear the screen and home the cursor: a session starts on a blank terminal, so its history replays onto one.
     */
    private static final byte[] CLEAR_SCREEN = "\033[H\033[2J".getBytes(StandardCharsets.US_ASCII);
    private static final long DAEMON_CHECK_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long KEYS_GRACE_NS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final int POLL_LIMIT = 256;

    @Mixin
    private JournalOption journal;

    @Parameters(index = "0", paramLabel = "SESSION", description = "Session id or name.")
    private String session;

    @Option(names = "--write", description = "Send keystrokes to the session, and this terminal's size (on attach " +
        "and on every change). Without it the session is never touched.")
    private boolean write;

    @Option(names = "--from-start", description = "Write the session's whole output first, then follow (default).")
    private boolean fromStart;

    @Option(names = "--from-now", description = "Skip the output so far; follow from the journal's end.")
    private boolean fromNow;

    @Override
    public Integer call()
    {
        if (fromStart && fromNow)
        {
            throw CliException.usage("--from-start and --from-now exclude each other");
        }
        final Path dir = journal.existing();
        final SessionCatalog catalog = SessionCatalog.load(dir);
        final long sessionId = catalog.resolve(session);
        if (sessionId < 0)
        {
            throw CliException.runtime(null == catalog.damage() ? "no session '" + session + "' in " + dir :
                catalog.noSuchSession(session));
        }
        final SessionRecord record = find(catalog, sessionId);

        // Connect before the terminal goes raw, so a missing daemon is one ordinary error line.
        final boolean writable = write && !catalog.hasEnded(sessionId);
        try (DaemonProxy proxy = writable ? connect(dir) : null)
        {
            return attach(dir, record::sessionId, record.cols(), record.rows(), proxy, fromNow, false);
        }
    }

    private static SessionRecord find(final SessionCatalog catalog, final long sessionId)
    {
        for (final SessionRecord record : catalog.sessions(true))
        {
            if (record.sessionId() == sessionId)
            {
                return record;
            }
        }
        throw new IllegalStateException("session " + sessionId + " resolved but not listed");
    }

    private static DaemonProxy connect(final Path dir)
    {
        try
        {
            return DaemonProxy.connect(dir);
        }
        catch (final SessionCommandException ex)
        {
            throw CliException.runtime(ex.getMessage());
        }
    }

    /**
     * Show a session in this terminal until it ends or, unless recording, the user detaches.
     *
     * @param session   gives the session's id, once the terminal is in raw mode: {@code ptyq record} starts the
     *                  session there, so that no key typed at once is taken by the terminal's line discipline.
     * @param cols      the session's columns as journaled, to resize it to this terminal when they differ.
     * @param rows      the session's rows as journaled.
     * @param proxy     where keys and resizes go, or null for a read-only attach.
     * @param fromNow   skip the output so far.
     * @param recording {@code ptyq record}: every key goes to the session (no detach key, no grace for escape
     *                  sequences), no screen clearing, the outcome line names the journal, and a journal
     *                  whose writer goes away ends it the same way.
     * @return the exit code to give.
     */
    static int attach(
        final Path dir,
        final LongSupplier session,
        final int cols,
        final int rows,
        final SessionCommands proxy,
        final boolean fromNow,
        final boolean recording)
    {
        final OutputStream out = new FileOutputStream(FileDescriptor.out);
        final TerminalModes modes = new TerminalModes();
        final SessionOutput output = new SessionOutput(out, modes);
        long sessionId = -1;

        final boolean ended;
        AttachTerminal terminal = null;
        try (JournalReader reader = JournalReader.open(dir);
            JournalAdapter adapter = reader.adapter(output))
        {
            terminal = AttachTerminal.open(out, modes);
            sessionId = session.getAsLong();
            output.sessionId(sessionId);
            final String sessionRef = Long.toString(sessionId);
            if (fromNow)
            {
                output.emitting(false);
                drain(adapter);
                output.emitting(true);
            }
            else if (null != terminal && !recording)
            {
                output.write(CLEAR_SCREEN);
            }

            AttachKeys keys = null;
            if (null != terminal || (recording && null != proxy))
            {
                if (null != proxy && null != terminal)
                {
                    resizeIfDifferent(proxy, sessionRef, terminal.size(), cols, rows);
                }
                keys = new AttachKeys(new FileInputStream(FileDescriptor.in), proxy, sessionRef, !recording);
                if (recording)
                {
                    // The session starts with this terminal: what it answers on stdin is for the session.
                    keys.forwardAfter(0);
                }
                keys.start();
            }

            ended = follow(dir, adapter, output, terminal, keys, proxy, sessionRef);
            output.flush();
        }
        catch (final UncheckedIOException ex)
        {
            // Stdout went away (terminal closed, pipe reader gone): nothing is left to show anything on.
            return CliException.RUNTIME;
        }
        catch (final CliException ex)
        {
            // The error line comes after the terminal is restored, at the start of a line.
            if (null != terminal)
            {
                terminal.close();
            }
            System.err.print(lineBreak(terminal, output));
            throw ex;
        }
        finally
        {
            if (null != terminal)
            {
                terminal.close();
            }
        }

        // On stderr, so that stdout carries nothing but the session's bytes when it is redirected.
        final PrintStream err = System.err;
        final String outcome = !ended ? "detached from session " + sessionId :
            recording ? output.exitLine() + "; recorded in " + dir : output.exitLine();
        err.print(lineBreak(terminal, output) + "[ptyq: " + outcome + "]" + (null != terminal ? "\r\n" : "\n"));
        if (null != output.problems.damage())
        {
            err.println("ptyq: " + output.problems.damage());
        }
        else if (output.problems.invalidFrames() > 0)
        {
            err.println("ptyq: " + output.problems.invalidFramesLine(dir));
        }
        err.flush();

        if (null != output.problems.damage())
        {
            return CliException.RUNTIME;
        }

        return ended ? output.exitCode() : 0;
    }

    private static String lineBreak(final AttachTerminal terminal, final SessionOutput output)
    {
        if (null != terminal)
        {
            return "\r\n";
        }

        return output.atLineStart() ? "" : "\n";
    }

    /**
     * @return true when the session ended, false when the user detached.
     * @throws CliException when the daemon goes away before the session's end is journaled.
     */
    private static boolean follow(
        final Path dir,
        final JournalAdapter adapter,
        final SessionOutput output,
        final AttachTerminal terminal,
        final AttachKeys keys,
        final SessionCommands proxy,
        final String sessionRef)
    {
        // Spin briefly, then park up to 2 ms: keeps keystroke echo prompt without burning a core while idle; the short
        // scheduler slice keeps it prompt on a busy machine too.
        final IdleStrategy idle = new ShortSliceIdleStrategy(new BackoffIdleStrategy(100, 10, 1_000, 2_000_000));
        long nextDaemonCheckNs = System.nanoTime();
        while (true)
        {
            final int frames = adapter.poll(POLL_LIMIT);
            if (frames < POLL_LIMIT)
            {
                output.flush();
                if (null != keys)
                {
                    keys.forwardAfter(KEYS_GRACE_NS);
                }
            }
            if (output.exited)
            {
                return true;
            }
            if (null != keys)
            {
                if (keys.detached())
                {
                    return false;
                }
                if (null != keys.failure())
                {
                    drain(adapter);
                    if (output.exited)
                    {
                        return true;
                    }
                    throw CliException.runtime(keys.failure());
                }
            }
            if (null != proxy && null != terminal && terminal.takeResized())
            {
                final Size size = terminal.size();
                resize(proxy, sessionRef, size.getColumns(), size.getRows());
            }
            if (frames > 0)
            {
                idle.reset();
                continue;
            }

            final long nowNs = System.nanoTime();
            if (nowNs - nextDaemonCheckNs >= 0)
            {
                nextDaemonCheckNs = nowNs + DAEMON_CHECK_INTERVAL_NS;
                if (!DaemonStatus.isDaemonAlive(dir))
                {
                    // A daemon that stops cleanly journals every session's exit first: read to the end to see it.
                    drain(adapter);
                    output.flush();
                    if (output.exited)
                    {
                        return true;
                    }
                    if (null != output.problems.damage())
                    {
                        throw CliException.runtime(output.problems.damage());
                    }
                    throw CliException.runtime("no ptyq daemon runs on " + dir + " any more; session " + sessionRef +
                        " ended without an exit status");
                }
            }
            idle.idle();
        }
    }

    private static void drain(final JournalAdapter adapter)
    {
        while (adapter.poll(4096) > 0)
        {
            // Read to the end of what is journaled now.
        }
    }

    private static void resizeIfDifferent(
        final SessionCommands proxy, final String sessionRef, final Size size, final int cols, final int rows)
    {
        if (size.getColumns() > 0 && size.getRows() > 0 && (size.getColumns() != cols || size.getRows() != rows))
        {
            resize(proxy, sessionRef, size.getColumns(), size.getRows());
        }
    }

    private static void resize(final SessionCommands proxy, final String sessionRef, final int cols, final int rows)
    {
        try
        {
            proxy.resize(sessionRef, cols, rows);
        }
        catch (final SessionCommandException ex)
        {
            // A session that just ended, or a lost daemon: the follow loop sees the end or the daemon's absence.
        }
    }

    /**
     * Copies one session's output to the terminal, buffered, and notes its end.
     */
    private static final class SessionOutput implements JournalListener
    {
        private long sessionId = -1;
        private final OutputStream out;
        private final TerminalModes modes;
        private final byte[] buffer = new byte[64 * 1024];
        private int buffered;
        private boolean emitting = true;
        private boolean atLineStart = true;
        private boolean exited;
        private int exitCode;
        private int signal;
        private ExitReason reason;
        private String detail = "";
        private final JournalProblems problems = new JournalProblems();

        SessionOutput(final OutputStream out, final TerminalModes modes)
        {
            this.out = out;
            this.modes = modes;
        }

        void sessionId(final long sessionId)
        {
            this.sessionId = sessionId;
        }

        void emitting(final boolean emitting)
        {
            this.emitting = emitting;
        }

        boolean atLineStart()
        {
            return atLineStart;
        }

        @Override
        public void onOutput(
            final long index, final long sessionId, final long streamPosition, final long timestampNs,
            final DirectBuffer src, final int offset, final int length)
        {
            if (sessionId != this.sessionId || !emitting || 0 == length)
            {
                return;
            }
            modes.onBytes(src, offset, length);
            atLineStart = '\n' == src.getByte(offset + length - 1);
            int copied = 0;
            while (copied < length)
            {
                if (buffered == buffer.length)
                {
                    flush();
                }
                final int chunk = Math.min(length - copied, buffer.length - buffered);
                src.getBytes(offset + copied, buffer, buffered, chunk);
                buffered += chunk;
                copied += chunk;
            }
        }

        @Override
        public void onSessionExited(final long index, final SessionExitedDecoder decoder)
        {
            if (decoder.sessionId() == sessionId)
            {
                exited = true;
                exitCode = decoder.exitCode();
                signal = decoder.signal();
                reason = decoder.reason();
                detail = decoder.detail();
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

        /**
         * @return the code attach exits with for the session's end: its own, 128+signal, or 1 when unknown.
         */
        int exitCode()
        {
            if (ExitReason.SIGNALED == reason && signal > 0)
            {
                return 128 + signal;
            }
            if (ExitReason.ABANDONED == reason || exitCode < 0 || exitCode > 255)
            {
                return CliException.RUNTIME;
            }

            return exitCode;
        }

        String exitLine()
        {
            final String what = "session " + sessionId;
            if (ExitReason.SIGNALED == reason)
            {
                return what + " was killed by signal " + signal + " (exit code " + exitCode() + ")";
            }
            if (ExitReason.SPAWN_FAILED == reason)
            {
                return what + " could not start" + (detail.isEmpty() ? "" : ": " + detail) + " (exit code " +
                    exitCode() + ")";
            }
            if (ExitReason.ABANDONED == reason)
            {
                return what + " was abandoned: its daemon died before it ended";
            }

            return what + " exited with code " + exitCode();
        }

        void write(final byte[] bytes)
        {
            flush();
            writeOut(bytes, bytes.length);
        }

        void flush()
        {
            if (buffered > 0)
            {
                writeOut(buffer, buffered);
                buffered = 0;
            }
        }

        private void writeOut(final byte[] bytes, final int length)
        {
            try
            {
                out.write(bytes, 0, length);
                out.flush();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
    }
}
