package io.ptyq.consumer.cli;

import io.ptyq.codec.cli.CliException;
import io.ptyq.codec.cli.DurationParser;
import io.ptyq.codec.cli.JournalOption;
import io.ptyq.consumer.DaemonStatus;
import io.ptyq.consumer.JournalReader;
import io.ptyq.consumer.ReplayControl;
import io.ptyq.consumer.SessionCatalog;
import io.ptyq.consumer.SessionReplayer;
import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.NonBlockingReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code ptyq replay}: a session's output on stdout with the timing it was recorded with.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = {
        "Replay a session's output on stdout, byte-exact, with the timing of its frames.",
        "Works on exited and live sessions; on a live one it keeps playing until the session exits."},
    footerHeading = "%nKeys, when stdin is a terminal:%n",
    footer = {
        "  space  pause / resume",
        "  +      faster (x2)",
        "  -      slower (/2)",
        "  .      write the next frame (pauses first)",
        "  q      quit"})
final class ReplayCommand implements Runnable
{
    private static final String TIME_FORMS = "forms like 90, 90s, 1m30s, 250ms";

    @Mixin
    private JournalOption journal;

    @Parameters(index = "0", paramLabel = "SESSION", description = "Session id or name.")
    private String session;

    @Option(names = "--speed", paramLabel = "X", defaultValue = "1",
        description = "Play X times faster than recorded (default: ${DEFAULT-VALUE}).")
    private double speed;

    @Option(names = "--idle-limit", paramLabel = "SECONDS",
        description = "Cap every pause between frames at this long, before the speed applies (" + TIME_FORMS + ").")
    private String idleLimit;

    @Option(names = "--from", paramLabel = "T",
        description = "Start timed play at T after the session's start (" + TIME_FORMS + "); the output before T " +
            "is written at once, so the screen is right.")
    private String from;

    @Option(names = "--to", paramLabel = "T", description = "Stop at T after the session's start.")
    private String to;

    @Option(names = "--no-wait", description = "Write everything at once, without the timing.")
    private boolean noWait;

    @Override
    public void run()
    {
        if (!(speed > 0) || Double.isInfinite(speed))
        {
            throw CliException.usage("--speed must be a positive number, not " + speed);
        }
        final long idleLimitNs = null == idleLimit ? Long.MAX_VALUE : offsetNs("--idle-limit", idleLimit);
        if (idleLimitNs <= 0)
        {
            throw CliException.usage("--idle-limit must be more than 0");
        }
        final long fromNs = null == from ? 0 : offsetNs("--from", from);
        final long toNs = null == to ? Long.MAX_VALUE : offsetNs("--to", to);
        checkWindow(fromNs, toNs);

        final Path dir = journal.existing();
        final long sessionId = resolve(dir, session);
        final ReplayControl control = new ReplayControl();
        final SessionReplayer replayer = new SessionReplayer(new SessionReplayer.Context()
            .sessionId(sessionId)
            .speed(speed)
            .idleLimitNs(idleLimitNs)
            .fromNs(fromNs)
            .toNs(toNs)
            .noWait(noWait)
            .control(control)
            .live(() -> DaemonStatus.isDaemonAlive(dir)),
            new FileOutputStream(FileDescriptor.out));

        try (JournalReader reader = open(dir))
        {
            final Keyboard keyboard = noWait ? null : Keyboard.open(control);
            try
            {
                replayer.replay(reader);
            }
            catch (final UncheckedIOException ex)
            {
                StandardOutputFailure.handle(ex);
            }
            finally
            {
                if (null != keyboard)
                {
                    keyboard.close();
                }
            }
        }
        if (null != replayer.damage())
        {
            throw CliException.runtime(replayer.damage());
        }
        if (replayer.invalidFrames() > 0)
        {
            throw CliException.runtime("skipped " + replayer.invalidFrames() + " invalid frame(s) in " + dir +
                ", first at " + replayer.firstInvalid());
        }
    }

    /**
     * @param option the option's name, for the error.
     * @param text   a time after a session's start.
     * @return the time in nanoseconds.
     * @throws CliException (usage) if the text is not a duration.
     */
    static long offsetNs(final String option, final String text)
    {
        try
        {
            return TimeUnit.MILLISECONDS.toNanos(DurationParser.parseMs(text));
        }
        catch (final CliException ex)
        {
            throw CliException.usage(option + ": " + ex.getMessage());
        }
    }

    /**
     * @throws CliException (usage) unless {@code --from} is before {@code --to}.
     */
    static void checkWindow(final long fromNs, final long toNs)
    {
        if (toNs <= fromNs)
        {
            throw CliException.usage("--to must be after --from");
        }
    }

    /**
     * @return the id of the session a user named.
     * @throws CliException (runtime) if the journal has no such session.
     */
    static long resolve(final Path dir, final String session)
    {
        final SessionCatalog catalog = SessionCatalog.load(dir);
        final long sessionId = catalog.resolve(session);
        if (sessionId < 0)
        {
            throw CliException.runtime(null == catalog.damage() ? "no session '" + session + "' in " + dir :
                catalog.noSuchSession(session));
        }

        return sessionId;
    }

    private static JournalReader open(final Path dir)
    {
        try
        {
            return JournalReader.open(dir);
        }
        catch (final UncheckedIOException ex)
        {
            throw CliException.runtime(null == ex.getCause() ? ex.getMessage() : ex.getCause().getMessage());
        }
    }

    /**
     * The terminal on stdin in raw mode, its keys turned into {@link ReplayControl} commands by a daemon thread;
     * closing it, or the JVM exiting (Ctrl-C), restores the terminal.
     */
    private static final class Keyboard implements AutoCloseable
    {
        // Held so the level set on it is not lost to garbage collection; JLine must not log over the replay.
        private static final Logger JLINE_LOGGER = Logger.getLogger("org.jline");
        private static final long READ_TIMEOUT_MS = 100;

        private final Terminal terminal;
        private final Attributes saved;
        private final AtomicBoolean restored = new AtomicBoolean();
        private final Thread restoreOnExit = new Thread(this::restore, "replay-terminal-restore");
        private final Thread reader;
        private volatile boolean running = true;

        private Keyboard(final Terminal terminal, final ReplayControl control)
        {
            this.terminal = terminal;
            this.saved = terminal.getAttributes();
            this.reader = new Thread(() -> readKeys(control), "replay-keys");
            reader.setDaemon(true);
        }

        /**
         * @return the keyboard, or null when stdin is not a terminal (then the replay runs without keys).
         */
        static Keyboard open(final ReplayControl control)
        {
            // Java 17 has no console unless stdin and stdout are terminals: skip JLine's probing for pipes and files.
            if (null == System.console())
            {
                return null;
            }
            JLINE_LOGGER.setLevel(Level.OFF);
            final Terminal terminal;
            try
            {
                // No native signal handlers: the JVM's own SIGINT handling runs the shutdown hook that restores.
                terminal = TerminalBuilder.builder().system(true).dumb(true).nativeSignals(false).build();
            }
            catch (final IOException | RuntimeException ex)
            {
                return null;
            }
            if (Terminal.TYPE_DUMB.equals(terminal.getType()) || Terminal.TYPE_DUMB_COLOR.equals(terminal.getType()))
            {
                closeQuietly(terminal);
                return null;
            }

            final Keyboard keyboard = new Keyboard(terminal, control);
            keyboard.start();

            return keyboard;
        }

        private void start()
        {
            Runtime.getRuntime().addShutdownHook(restoreOnExit);
            final Attributes raw = new Attributes(saved);
            raw.setLocalFlags(EnumSet.of(Attributes.LocalFlag.ICANON, Attributes.LocalFlag.ECHO,
                Attributes.LocalFlag.IEXTEN), false);
            raw.setInputFlags(EnumSet.of(Attributes.InputFlag.IXON, Attributes.InputFlag.ICRNL,
                Attributes.InputFlag.INLCR), false);
            // The recorded bytes already went through a PTY's output processing: replay them untouched.
            raw.setOutputFlag(Attributes.OutputFlag.OPOST, false);
            raw.setControlChar(Attributes.ControlChar.VMIN, 0);
            raw.setControlChar(Attributes.ControlChar.VTIME, 1);
            terminal.setAttributes(raw);
            reader.start();
        }

        private void readKeys(final ReplayControl control)
        {
            final NonBlockingReader in = terminal.reader();
            try
            {
                while (running)
                {
                    final int key = in.read(READ_TIMEOUT_MS);
                    if (NonBlockingReader.EOF == key)
                    {
                        return;
                    }
                    final ReplayControl.Command command = ReplayControl.Command.forKey(key);
                    if (null != command)
                    {
                        control.submit(command);
                    }
                }
            }
            catch (final IOException | RuntimeException ex)
            {
                // No more keys; the replay goes on without them.
            }
        }

        private void restore()
        {
            if (restored.compareAndSet(false, true))
            {
                try
                {
                    terminal.setAttributes(saved);
                }
                catch (final RuntimeException ex)
                {
                    // The terminal is gone (e.g. hung up): nothing left to restore.
                }
                closeQuietly(terminal);
            }
        }

        @Override
        public void close()
        {
            running = false;
            try
            {
                reader.join(2 * READ_TIMEOUT_MS + 100);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            restore();
            try
            {
                Runtime.getRuntime().removeShutdownHook(restoreOnExit);
            }
            catch (final IllegalStateException ex)
            {
                // Already shutting down: the hook has run or is running restore(), which runs once.
            }
        }

        private static void closeQuietly(final Terminal terminal)
        {
            try
            {
                terminal.close();
            }
            catch (final IOException | RuntimeException ex)
            {
                // Closing is best effort; the attributes were restored first.
            }
        }
    }
}
