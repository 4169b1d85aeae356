package io.ptyq.consumer.cli;

import io.ptyq.codec.cli.CliException;
import io.ptyq.codec.cli.JournalOption;
import io.ptyq.codec.sbe.SessionExitedDecoder;
import io.ptyq.consumer.DaemonStatus;
import io.ptyq.consumer.JournalAdapter;
import io.ptyq.consumer.JournalListener;
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
 * {@code ptyq cat}: a session's output bytes, exactly as the PTY produced them, on stdout.
 */
@Command(name = "cat", mixinStandardHelpOptions = true,
    description = "Write a session's output bytes, exactly as the PTY produced them, to stdout.")
final class CatCommand implements Runnable
{
    @Mixin
    private JournalOption journal;

    @Parameters(index = "0", paramLabel = "SESSION", description = "Session id or name.")
    private String session;

    @Option(names = {"-f", "--follow"}, description = "Keep writing new output until the session exits.")
    private boolean follow;

    @Override
    public void run()
    {
        final Path dir = journal.existing();
        final SessionCatalog catalog = SessionCatalog.load(dir);
        final long sessionId = catalog.resolve(session);
        if (sessionId < 0)
        {
            throw CliException.runtime("no session '" + session + "' in " + dir);
        }

        final OutputStream out = new FileOutputStream(FileDescriptor.out);
        final Copier copier = new Copier(sessionId, out);
        final IdleStrategy idle = new BackoffIdleStrategy(100, 10, 1_000, 10_000_000);
        try (JournalReader reader = JournalReader.open(dir);
            JournalAdapter adapter = reader.adapter(copier))
        {
            while (true)
            {
                final int frames = adapter.poll(1024);
                if (frames > 0)
                {
                    idle.reset();
                    continue;
                }
                copier.flush();
                if (!follow || copier.exited || !DaemonStatus.isDaemonAlive(dir))
                {
                    break;
                }
                idle.idle();
            }
            copier.flush();
        }
        catch (final UncheckedIOException ex)
        {
            // stdout closed (e.g. piped into head): stop quietly, as cat does.
        }
        if (copier.invalidFrames > 0)
        {
            throw CliException.runtime("skipped " + copier.invalidFrames + " invalid frame(s) in " + dir +
                ", first at " + copier.firstInvalid);
        }
    }

    /**
     * Copies one session's output to a stream, buffered, and watches for its end.
     */
    private static final class Copier implements JournalListener
    {
        private final long sessionId;
        private final OutputStream out;
        private final byte[] buffer = new byte[256 * 1024];
        private int buffered;
        private boolean exited;
        private long invalidFrames;
        private String firstInvalid;

        Copier(final long sessionId, final OutputStream out)
        {
            this.sessionId = sessionId;
            this.out = out;
        }

        @Override
        public void onOutput(
            final long index, final long sessionId, final long streamPosition, final long timestampNs,
            final DirectBuffer src, final int offset, final int length)
        {
            if (sessionId != this.sessionId)
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
        public void onInvalidFrame(final long index, final String reason)
        {
            if (0 == invalidFrames++)
            {
                firstInvalid = "index " + Long.toHexString(index) + ": " + reason;
            }
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
