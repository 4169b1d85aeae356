package io.ptyq.consumer.cli;

import io.ptyq.codec.cli.CliException;
import io.ptyq.codec.cli.JournalOption;
import io.ptyq.consumer.DaemonStatus;
import io.ptyq.consumer.SessionCatalog;
import io.ptyq.consumer.SessionRecord;
import io.ptyq.consumer.asciicast.AsciicastExporter;
import io.ptyq.consumer.asciicast.AsciicastFormat;
import io.ptyq.consumer.asciicast.SessionExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code ptyq export}: one session as an asciicast v2 or v3 file, or as its raw bytes.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = {
        "Write a session as asciicast (asciinema's format) or as its raw output bytes; a live session is written " +
            "as far as it is journaled now.",
        "Output is decoded as UTF-8 across frame boundaries; invalid bytes become U+FFFD and a line on stderr says " +
            "the export was lossy (raw is always exact)."
    })
final class ExportCommand implements Runnable
{
    @Mixin
    private JournalOption journal;

    @Parameters(index = "0", paramLabel = "SESSION", description = "Session id or name.")
    private String session;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "asciicast-v2",
        description = "asciicast-v2, asciicast-v3 or raw (default: ${DEFAULT-VALUE}).")
    private String formatName;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE (default: stdout).")
    private Path output;

    @Override
    public void run()
    {
        final AsciicastFormat format = AsciicastFormat.fromLabel(formatName);
        if (null == format)
        {
            throw CliException.usage("unknown --format '" + formatName + "' (asciicast-v2, asciicast-v3 or raw)");
        }
        if (null != output)
        {
            OutputFiles.check(output);
        }
        final Path dir = journal.existing();
        // A session given by id is exported in one pass; the journal is listed first only to resolve a name or to
        // know the total for a progress bar.
        final boolean byId = session.matches("\\d{1,18}");
        final boolean progressBar = ProgressBar.isStderrTerminal();
        final SessionRecord record = byId && !progressBar ? null : find(dir, session);
        final long sessionId = null != record ? record.sessionId() : Long.parseLong(session);
        final AsciicastExporter exporter;
        try (ProgressBar progress = ProgressBar.forStderr(null == record ? 0 : record.outputBytes()))
        {
            if (null == output)
            {
                final OutputStream out = new FileOutputStream(FileDescriptor.out);
                exporter = SessionExport.export(dir, record, sessionId, format, out, progress);
                out.flush();
            }
            else
            {
                exporter = SessionExport.exportToFile(dir, record, sessionId, format, output, progress);
            }
        }
        catch (final UncheckedIOException | IOException ex)
        {
            final IOException cause = ex instanceof IOException ? (IOException)ex :
                ((UncheckedIOException)ex).getCause();
            if (null == output)
            {
                StandardOutputFailure.handle(cause);
                return;
            }
            throw CliException.runtime("cannot write " + output + ": " + SessionExport.describe(cause));
        }
        if (null == exporter)
        {
            throw CliException.runtime("no session '" + session + "' in " + dir);
        }
        report(dir, exporter);
    }

    static SessionRecord find(final Path dir, final String session)
    {
        final SessionCatalog catalog = SessionCatalog.load(dir);
        final long sessionId = catalog.resolve(session);
        if (sessionId < 0)
        {
            throw CliException.runtime("no session '" + session + "' in " + dir);
        }
        for (final SessionRecord record : catalog.sessions(DaemonStatus.isDaemonAlive(dir)))
        {
            if (record.sessionId() == sessionId)
            {
                return record;
            }
        }
        throw new IllegalStateException("session " + sessionId + " resolved but not listed");
    }

    private static void report(final Path dir, final AsciicastExporter exporter)
    {
        if (exporter.replacements() > 0)
        {
            System.err.println("ptyq: the export is lossy: " + exporter.replacements() + " invalid UTF-8 " +
                "sequence(s) became U+FFFD (--format raw keeps the exact bytes)");
        }
        if (exporter.invalidFrames() > 0)
        {
            throw CliException.runtime("skipped " + exporter.invalidFrames() + " invalid frame(s) in " + dir +
                ", first at " + exporter.firstInvalid());
        }
    }
}
