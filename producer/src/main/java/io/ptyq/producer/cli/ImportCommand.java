package io.ptyq.producer.cli;

import io.ptyq.codec.CommandLine;
import io.ptyq.codec.cli.CliException;
import io.ptyq.codec.cli.JournalOption;
import io.ptyq.codec.sbe.ExitReason;
import io.ptyq.consumer.asciicast.AsciicastException;
import io.ptyq.consumer.asciicast.AsciicastHeader;
import io.ptyq.consumer.asciicast.AsciicastListener;
import io.ptyq.consumer.asciicast.AsciicastParser;
import io.ptyq.producer.DaemonMarkFile;
import io.ptyq.producer.JournalClaim;
import io.ptyq.producer.JournalPublisher;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code ptyq import}: an asciicast file (v1, v2 or v3) becomes an exited session of the journal, with the file's
 * timing. The file is parsed and checked whole before anything is written, so a bad or truncated file writes nothing.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
    description = {
        "Import an asciicast file (v1, v2 or v3) as an exited session with the original timing; prints its id.",
        "The whole file is checked first: a bad or truncated file is refused with the line at fault and writes " +
            "nothing. Takes the journal's writer lock while writing, so it refuses to run while a daemon or a " +
            "recording holds the journal."
    })
final class ImportCommand implements Runnable
{
    /**
     * Output and input are journaled in frames of at most this many bytes, as the daemon's reader writes them.
     */
    static final int FRAME_DATA_LENGTH = 64 * 1024;

    /**
     * Header strings and marker labels are cut to this many chars: they belong on one line, and in one frame.
     */
    static final int MAX_TEXT_CHARS = 4096;

    @Mixin
    private JournalOption journal;

    @Parameters(index = "0", paramLabel = "FILE.cast", description = "The asciicast file.")
    private Path file;

    @Option(names = "--name", paramLabel = "N",
        description = "Name the session (default: the file's title, else the file's name without .cast).")
    private String name;

    @Override
    public void run()
    {
        if (null != name && name.matches("\\d+"))
        {
            throw CliException.usage("a session name cannot be a number: '" + name + "'");
        }
        final AsciicastHeader header = parse(file, (timeNs, code, data) -> { });
        final Path dir = journal.resolve();
        if (Files.exists(dir) && !Files.isDirectory(dir))
        {
            throw CliException.runtime("journal path " + dir + " is not a directory");
        }

        final long sessionId;
        try (JournalClaim claim = JournalClaim.acquire(dir, line -> { }))
        {
            sessionId = write(claim, header);
        }
        catch (final DaemonMarkFile.DaemonRunningException ex)
        {
            throw CliException.runtime("cannot import while a ptyq daemon or recording" +
                (ex.pid() > 0 ? " (pid " + ex.pid() + ")" : "") + " holds " + dir +
                ": stop it first, or import into another journal with --journal");
        }
        catch (final CliException ex)
        {
            throw ex;
        }
        catch (final IOException | RuntimeException ex)
        {
            throw CliException.runtime("cannot import into " + dir + ": " + ex.getMessage());
        }
        System.out.println(sessionId);
    }

    private long write(final JournalClaim claim, final AsciicastHeader header)
    {
        final long sessionId = claim.nextSessionId();
        final JournalPublisher publisher = claim.publisher();
        final long startNs = startNs(header);
        publisher.sessionStarted(sessionId, startNs, 0, header.cols(), header.rows(), sessionName(header),
            command(header.command()), "");

        final Writer writer = new Writer(claim, sessionId, startNs);
        try
        {
            final AsciicastHeader again = parse(file, writer);
            if (again.events() != header.events() || again.durationNs() != header.durationNs())
            {
                throw new IllegalStateException(file + " changed while it was imported");
            }
        }
        catch (final RuntimeException ex)
        {
            // Whatever was appended stays, but the session says it is incomplete: never one that looks whole.
            publisher.sessionExited(sessionId, System.currentTimeMillis() * 1_000_000L, -1, 0, ExitReason.ABANDONED,
                writer.outputPosition, "import of " + file + " failed: " + ex.getMessage());
            throw CliException.runtime("import of " + file + " failed (session " + sessionId +
                " is marked abandoned): " + ex.getMessage());
        }

        final long endNs = startNs + (null != writer.exitTimeNs ? writer.exitTimeNs : header.durationNs());
        final Integer status = header.exitStatus();
        publisher.sessionExited(sessionId, endNs, null == status ? -1 : status, 0, ExitReason.EXITED,
            writer.outputPosition, null == status ?
                "imported from " + file.getFileName() + ", which records no exit status" :
                "imported from " + file.getFileName());

        return sessionId;
    }

    private long startNs(final AsciicastHeader header)
    {
        if (header.timestampSec() >= 0)
        {
            return header.timestampSec() * 1_000_000_000L;
        }
        try
        {
            // No timestamp: the file was last written when the recording ended.
            final long endNs = Files.getLastModifiedTime(file).toMillis() * 1_000_000L;
            return Math.max(0, endNs - header.durationNs());
        }
        catch (final IOException ex)
        {
            return System.currentTimeMillis() * 1_000_000L - header.durationNs();
        }
    }

    private String sessionName(final AsciicastHeader header)
    {
        if (null != name)
        {
            return clean(name);
        }
        String fallback = clean(header.title()).strip();
        if (fallback.isEmpty())
        {
            final String fileName = file.getFileName().toString();
            fallback = fileName.endsWith(".cast") ? fileName.substring(0, fileName.length() - 5) : fileName;
        }

        // A number would read as a session id.
        return fallback.matches("\\d+") ? "" : clean(fallback);
    }

    private static String command(final String command)
    {
        final String cleaned = clean(command);
        if (cleaned.isBlank())
        {
            return "";
        }
        final List<String> words = ShellWords.split(cleaned);

        return CommandLine.join(null != words ? words : List.of("sh", "-c", cleaned));
    }

    /**
     * @return the text without NULs (they end a journal string) or line breaks, cut to {@link #MAX_TEXT_CHARS}.
     */
    private static String clean(final String text)
    {
        final String flat = text.replace('\0', '\uFFFD').replace('\n', ' ').replace('\r', ' ');

        return flat.length() > MAX_TEXT_CHARS ? flat.substring(0, MAX_TEXT_CHARS) : flat;
    }

    private static AsciicastHeader parse(final Path file, final AsciicastListener listener)
    {
        if (Files.isDirectory(file))
        {
            throw CliException.runtime(file + " is a directory, not an asciicast file");
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16))
        {
            return AsciicastParser.parse(in, listener);
        }
        catch (final AsciicastException ex)
        {
            throw CliException.runtime(file + ": " + ex.getMessage());
        }
        catch (final NoSuchFileException ex)
        {
            throw CliException.runtime(file + ": no such file");
        }
        catch (final IOException ex)
        {
            throw CliException.runtime("cannot read " + file + ": " + ex.getMessage());
        }
    }

    /**
     * Journals each event at the start time plus the event's time.
     */
    private static final class Writer implements AsciicastListener
    {
        private static final long HEARTBEAT_INTERVAL_NS = 1_000_000_000L;

        private final JournalClaim claim;
        private final JournalPublisher publisher;
        private final long sessionId;
        private final long startNs;
        private final UnsafeBuffer data = new UnsafeBuffer(0, 0);
        private long outputPosition;
        private long inputPosition;
        private Long exitTimeNs;
        private long nextHeartbeatNs = System.nanoTime();

        Writer(final JournalClaim claim, final long sessionId, final long startNs)
        {
            this.claim = claim;
            this.publisher = claim.publisher();
            this.sessionId = sessionId;
            this.startNs = startNs;
        }

        @Override
        public void onEvent(final long timeNs, final char code, final String text)
        {
            final long timestampNs = startNs + timeNs;
            switch (code)
            {
                case 'o':
                {
                    final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
                    for (int offset = 0; offset < bytes.length; offset += FRAME_DATA_LENGTH)
                    {
                        final int length = Math.min(FRAME_DATA_LENGTH, bytes.length - offset);
                        data.wrap(bytes, offset, length);
                        publisher.output(sessionId, outputPosition, timestampNs, data, 0, length);
                        outputPosition += length;
                    }
                    break;
                }
                case 'i':
                {
                    final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
                    for (int offset = 0; offset < bytes.length; offset += FRAME_DATA_LENGTH)
                    {
                        final int length = Math.min(FRAME_DATA_LENGTH, bytes.length - offset);
                        publisher.input(sessionId, inputPosition, timestampNs, bytes, offset, length);
                        inputPosition += length;
                    }
                    break;
                }
                case 'r':
                {
                    final long size = AsciicastParser.parseSize(text);
                    publisher.resized(sessionId, timestampNs, (int)(size >>> 32), (int)size);
                    break;
                }
                case 'm':
                    publisher.marker(sessionId, timestampNs, clean(text));
                    break;
                case 'x':
                    exitTimeNs = timeNs;
                    break;
                default:
                    // Codes this version does not know are skipped, as asciinema's players skip them.
                    break;
            }

            final long nowNs = System.nanoTime();
            if (nowNs - nextHeartbeatNs >= 0)
            {
                nextHeartbeatNs = nowNs + HEARTBEAT_INTERVAL_NS;
                claim.heartbeat();
            }
        }
    }
}
