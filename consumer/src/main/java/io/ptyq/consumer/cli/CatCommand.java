package io.ptyq.consumer.cli;

import io.ptyq.codec.cli.CliException;
import io.ptyq.codec.cli.JournalOption;
import io.ptyq.codec.sbe.SessionExitedDecoder;
import io.ptyq.codec.sbe.SessionStartedDecoder;
import io.ptyq.consumer.DaemonStatus;
import io.ptyq.consumer.JournalAdapter;
import io.ptyq.consumer.JournalListener;
import io.ptyq.consumer.JournalProblems;
import io.ptyq.consumer.JournalReader;
import io.ptyq.consumer.SessionCatalog;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * {@code ptyq cat}: a session's output bytes, exactly as the PTY produced them, on stdout; of an exited or a live
 * session, optionally only those of a time window.
 */
@Command(name = "cat", mixinStandardHelpOptions = true,
    description = "Write a session's output bytes, exactly as the PTY produced them, to stdout. Works on exited and " +
        "live sessions.")
final class CatCommand implements Runnable
{
    @Mixin
    private JournalOption journal;

    @Parameters(index = "0", paramLabel = "SESSION", description = "Session id or name.")
    private String session;

    @Option(names = {"-f", "--follow"}, description = "Keep writing new output until the session exits.")
    private boolean follow;

    @Option(names = "--from", paramLabel = "T",
        description = "Only output from T after the session's start on (forms like 90, 90s, 1m30s, 250ms).")
    private String from;

    @Option(names = "--to", paramLabel = "T",
        description = "Only output before T after the session's start; stops there, even with --follow.")
    private String to;

    @Override
    public void run()
    {
        final long fromNs = null == from ? 0 : ReplayCommand.offsetNs("--from", from);
        final long toNs = null == to ? Long.MAX_VALUE : ReplayCommand.offsetNs("--to", to);
        ReplayCommand.checkWindow(fromNs, toNs);
        final Path dir = journal.existing();
        final SessionCatalog catalog = SessionCatalog.load(dir);
        final long sessionId = catalog.resolve(session);
        if (sessionId < 0)
        {
            throw CliException.runtime(null == catalog.damage() ? "no session '" + session + "' in " + dir :
                catalog.noSuchSession(session));
        }

        final OutputStream out = new FileOutputStream(FileDescriptor.out);
        final Copier copier = new Copier(sessionId, fromNs, toNs, out);
        final IdleStrategy idle = new BackoffIdleStrategy(100, 10, 1_000, 10_000_000);
        try (JournalReader reader = JournalReader.open(dir);
            JournalAdapter adapter = reader.adapter(copier))
        {
            while (true)
            {
                final int frames = copier.pastWindow ? 0 : adapter.poll(1024);
                if (frames > 0)
                {
                    idle.reset();
                    continue;
                }
                copier.flush();
                if (!follow || copier.exited || copier.pastWindow || !DaemonStatus.isDaemonAlive(dir))
                {
                    break;
                }
                idle.idle();
            }
            copier.flush();
        }
        catch (final UncheckedIOException ex)
        {
            StandardOutputFailure.handle(ex);
        }
        if (null != copier.problems.damage())
        {
            throw CliException.runtime(copier.problems.damage());
        }
        if (copier.problems.invalidFrames() > 0)
        {
            throw CliException.runtime(copier.problems.invalidFramesLine(dir));
        }
    }

    /**
     * Copies one session's output in a time window to a stream, buffered, and watches for its end.
     */
    private static final class Copier implements JournalListener
    {
        private static final long UNKNOWN = Long.MIN_VALUE;

        private final long sessionId;
        private final long fromNs;
        private final long toNs;
        private final OutputStream out;
        private final byte[] buffer = new byte[256 * 1024];
        private int buffered;
        private long startTimestampNs = UNKNOWN;
        private boolean exited;
        private boolean pastWindow;
        private final JournalProblems problems = new JournalProblems();

        Copier(final long sessionId, final long fromNs, final long toNs, final OutputStream out)
        {
            this.sessionId = sessionId;
            this.fromNs = fromNs;
            this.toNs = toNs;
            this.out = out;
        }

        @Override
        public void onSessionStarted(final long index, final SessionStartedDecoder decoder)
        {
            if (decoder.sessionId() == sessionId)
            {
                startTimestampNs = decoder.timestampNs();
            }
        }

        @Override
        public void onOutput(
            final long index, final long sessionId, final long streamPosition, final long timestampNs,
            final DirectBuffer src, final int offset, final int length)
        {
            if (sessionId != this.sessionId || pastWindow)
            {
                return;
            }
            if (UNKNOWN == startTimestampNs)
            {
                // The start was not in the journal (retention removed it): time from the first output instead.
                startTimestampNs = timestampNs;
            }
            final long offsetNs = timestampNs - startTimestampNs;
            if (offsetNs >= toNs)
            {
                pastWindow = true;
                return;
            }
            if (offsetNs < fromNs)
            {
                return;
            }
            if (buffered + length > buffer.length)
            {
                flush();
            }
            if (length > buffer.length)
            {
                final byte[] large = new byte[length];
                src.getBytes(offset, large);
                write(large, length);
                return;
            }
            src.getBytes(offset, buffer, buffered, length);
            buffered += length;
        }

        @Override
        public void onSessionExited(final long index, final SessionExitedDecoder decoder)
        {
            if (decoder.sessionId() == sessionId)
            {
                exited = true;
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

        void flush()
        {
            write(buffer, buffered);
            buffered = 0;
        }

        private void write(final byte[] bytes, final int length)
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
