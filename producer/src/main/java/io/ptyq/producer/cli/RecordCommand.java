package io.ptyq.producer.cli;

import io.ptyq.codec.cli.CliException;
import io.ptyq.codec.cli.JournalOption;
import io.ptyq.codec.control.DaemonProxy;
import io.ptyq.codec.control.SessionCommandException;
import io.ptyq.codec.control.SessionCommands;
import io.ptyq.codec.control.SessionSpec;
import io.ptyq.consumer.SessionCatalog;
import io.ptyq.consumer.SessionRecord;
import io.ptyq.consumer.asciicast.AsciicastExporter;
import io.ptyq.consumer.asciicast.AsciicastFormat;
import io.ptyq.consumer.asciicast.SessionExport;
import io.ptyq.consumer.cli.OutputFiles;
import io.ptyq.consumer.cli.SessionTerminal;
import io.ptyq.producer.Daemon;
import io.ptyq.producer.DaemonMarkFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ptyq record}: runs a command in a PTY joined to this terminal while journaling it, with no daemon needed.
 * <p>
 * The journal keeps one writer: record takes the journal the way the daemon does, by running a daemon in this
 * process for the length of the recording (so {@code ptyq attach}, {@code send} and {@code ls} work on the recording
 * meanwhile, and a {@code ptyq daemon} started meanwhile is refused). When a daemon already holds the journal, the
 * session runs in that daemon instead, through its control socket, and this terminal follows it from the journal.
 */
@Command(name = "record", mixinStandardHelpOptions = true,
    description = {
        "Run CMD in a PTY joined to this terminal (raw mode, resizes followed) and journal the session; exits with " +
            "CMD's exit code (128+signal when a signal ended it).",
        "Needs no daemon: the journal is held by this process while it records. When a daemon already runs on the " +
            "journal, the session runs in it (and --record-input follows the daemon's setting).",
        "With -o, the session is also written as an asciicast file when it ends."
    })
final class RecordCommand implements Callable<Integer>
{
    private static final int DEFAULT_COLS = 80;
    private static final int DEFAULT_ROWS = 24;
    private static final List<String> PASSED_ENV = List.of("TERM", "COLORTERM", "LANG", "LC_ALL", "LC_CTYPE");

    @Mixin
    private JournalOption journal;

    @Option(names = "--name", paramLabel = "N", description = "Name the session (also the asciicast title).")
    private String name = "";

    @Option(names = {"-o", "--output"}, paramLabel = "FILE.cast",
        description = "Also write the session to this file when it ends.")
    private Path output;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "asciicast-v2",
        description = "The -o file's format: asciicast-v2, asciicast-v3 or raw (default: ${DEFAULT-VALUE}).")
    private String formatName;

    @Option(names = "--record-input", description = "Journal what is typed too (off: input holds passwords).")
    private boolean recordInput;

    @Parameters(paramLabel = "CMD", arity = "1..*", description = "The command and its arguments, after --.")
    private List<String> command;

    @Override
    public Integer call()
    {
        final AsciicastFormat format = AsciicastFormat.fromLabel(formatName);
        if (null == format)
        {
            throw CliException.usage("unknown --format '" + formatName + "' (asciicast-v2, asciicast-v3 or raw)");
        }
        if (name.matches("\\d+"))
        {
            throw CliException.usage("a session name cannot be a number: '" + name + "'");
        }
        if (null != output)
        {
            // Before the session runs: a recording must not end in an error about where it goes.
            OutputFiles.check(output);
        }
        final Path dir = journal.resolve();
        if (Files.exists(dir) && !Files.isDirectory(dir))
        {
            throw CliException.runtime("journal path " + dir + " is not a directory");
        }

        final long size = TerminalWindow.size();
        final int cols = size > 0 ? (int)(size >>> 32) : DEFAULT_COLS;
        final int rows = size > 0 ? (int)size : DEFAULT_ROWS;
        final int exitCode;
        final long[] sessionId = {-1};
        try (Writer writer = Writer.open(dir, recordInput))
        {
            exitCode = SessionTerminal.record(dir, () -> sessionId[0] = start(writer.commands, cols, rows), cols, rows,
                writer.commands);
        }
        // The journal is released (and anything the session left running hung up) before the file is written.
        if (null != output)
        {
            writeOutput(dir, sessionId[0], format);
        }

        return exitCode;
    }

    private long start(final SessionCommands commands, final int cols, final int rows)
    {
        final Map<String, String> env = new LinkedHashMap<>();
        for (final String key : PASSED_ENV)
        {
            final String value = System.getenv(key);
            if (null != value)
            {
                env.put(key, value);
            }
        }
        try
        {
            return commands.newSession(new SessionSpec(
                name, command, Path.of("").toAbsolutePath().toString(), env, cols, rows));
        }
        catch (final SessionCommandException ex)
        {
            final String message = ex.getMessage();
            // As a shell would: 127 for a command that is not found, 126 for one that cannot run.
            final int code = SessionCommandException.Reason.FAILED != ex.reason() ? CliException.RUNTIME :
                message.contains("not found") ? 127 : 126;
            throw new CliException(code, message);
        }
    }

    private void writeOutput(final Path dir, final long sessionId, final AsciicastFormat format)
    {
        final SessionCatalog catalog = SessionCatalog.load(dir);
        SessionRecord record = null;
        for (final SessionRecord candidate : catalog.sessions(false))
        {
            if (candidate.sessionId() == sessionId)
            {
                record = candidate;
            }
        }
        if (null == record)
        {
            throw CliException.runtime("session " + sessionId + " is not in " + dir + "; nothing written to " +
                output);
        }
        try
        {
            final AsciicastExporter exporter = SessionExport.exportToFile(
                dir, record, sessionId, format, output, done -> { });
            if (exporter.replacements() > 0)
            {
                System.err.println("ptyq: " + output + " is lossy: " + exporter.replacements() + " invalid UTF-8 " +
                    "sequence(s) became U+FFFD (ptyq export --format raw keeps the exact bytes)");
            }
        }
        catch (final IOException ex)
        {
            throw CliException.runtime("cannot write " + output + ": " + SessionExport.describe(ex) +
                " (the session is journaled as " + sessionId + ")");
        }
    }

    /**
     * Who writes the session: a daemon in this process, or the daemon that holds the journal.
     */
    private static final class Writer implements AutoCloseable
    {
        private final Daemon daemon;
        private final DaemonProxy proxy;
        private final SessionCommands commands;
        private final Thread shutdownHook;
        private final StringBuilder errors;

        private Writer(final Daemon daemon, final DaemonProxy proxy, final StringBuilder errors)
        {
            this.daemon = daemon;
            this.errors = errors;
            this.proxy = proxy;
            this.commands = null != daemon ? daemon.sessions() : proxy;
            // SIGTERM or SIGHUP (the terminal closed): the session still gets its SIGHUP and its end journaled.
            this.shutdownHook = null != daemon ? new Thread(daemon::close, "record-shutdown") : null;
            if (null != shutdownHook)
            {
                Runtime.getRuntime().addShutdownHook(shutdownHook);
            }
        }

        static Writer open(final Path dir, final boolean recordInput)
        {
            final StringBuilder errors = new StringBuilder();
            try
            {
                final Daemon daemon = Daemon.launch(new Daemon.Context()
                    .journalDir(dir)
                    .recordInput(recordInput)
                    // The terminal belongs to the session: nothing of the daemon's log goes onto it.
                    .log(line ->
                    {
                        if (line.startsWith("ERROR"))
                        {
                            synchronized (errors)
                            {
                                errors.append(line).append('\n');
                            }
                        }
                    }));
                return new Writer(daemon, null, errors);
            }
            catch (final DaemonMarkFile.DaemonRunningException ex)
            {
                return new Writer(null, connect(dir, ex.pid()), errors);
            }
            catch (final IOException | RuntimeException ex)
            {
                throw CliException.runtime("cannot open the journal " + dir + " for recording: " + ex.getMessage());
            }
        }

        private static DaemonProxy connect(final Path dir, final long pid)
        {
            try
            {
                return DaemonProxy.connect(dir);
            }
            catch (final SessionCommandException ex)
            {
                throw CliException.runtime("the journal " + dir + " is held by process " + pid + ", whose control " +
                    "socket does not answer (" + ex.getMessage() + "); record into another journal with --journal");
            }
        }

        @Override
        public void close()
        {
            if (null != proxy)
            {
                proxy.close();
                return;
            }
            daemon.close();
            try
            {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            }
            catch (final IllegalStateException ex)
            {
                // Already shutting down: the hook closes the daemon, which is idempotent.
            }
            synchronized (errors)
            {
                if (errors.length() > 0)
                {
                    System.err.print("ptyq: " + errors.toString().stripTrailing().replace("\n", "\nptyq: ") + "\n");
                    errors.setLength(0);
                }
            }
        }
    }
}
