package io.ptyq.producer.cli;

import io.ptyq.codec.cli.CliException;
import io.ptyq.codec.cli.DurationParser;
import io.ptyq.codec.cli.JournalOption;
import io.ptyq.producer.Daemon;
import io.ptyq.producer.DaemonMarkFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ptyq daemon}: runs the producer daemon in the foreground until SIGTERM or SIGINT.
 */
@Command(name = "daemon", mixinStandardHelpOptions = true,
    description = "Run the producer daemon in the foreground; SIGTERM/SIGINT stop it cleanly.")
final class DaemonCommand implements Runnable
{
    @Mixin
    private JournalOption journal;

    @Option(names = "--retain", paramLabel = "DURATION",
        description = "Delete whole journal cycles older than this (e.g. 7d, 12h); default: keep everything.")
    private String retain;

    @Option(names = "--record-input", description = "Journal what is typed into sessions (off: input holds passwords).")
    private boolean recordInput;

    @Option(names = "--grace", paramLabel = "MS", defaultValue = "500",
        description = "Milliseconds sessions get between SIGHUP and SIGKILL at shutdown (default: ${DEFAULT-VALUE}).")
    private long graceMs;

    @Override
    public void run()
    {
        if (graceMs < 0)
        {
            throw CliException.usage("--grace cannot be negative");
        }
        final long retentionMs;
        try
        {
            retentionMs = null == retain ? 0 : DurationParser.parseMs(retain);
        }
        catch (final CliException ex)
        {
            throw CliException.usage("--retain: " + ex.getMessage());
        }
        if (null != retain && retentionMs <= 0)
        {
            throw CliException.usage("--retain must be positive");
        }
        final java.nio.file.Path dir = journal.resolve();
        if (Files.exists(dir) && !Files.isDirectory(dir))
        {
            throw CliException.runtime("journal path " + dir + " is not a directory");
        }

        final Daemon daemon;
        try
        {
            daemon = Daemon.launch(new Daemon.Context()
                .journalDir(dir)
                .retentionMs(retentionMs)
                .recordInput(recordInput)
                .graceMs(graceMs));
        }
        catch (final DaemonMarkFile.DaemonRunningException ex)
        {
            throw CliException.runtime(ex.getMessage());
        }
        catch (final IOException | RuntimeException ex)
        {
            throw CliException.runtime("cannot start the daemon on " + dir + ": " + ex.getMessage());
        }

        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            daemon.close();
            stopped.countDown();
        }, "daemon-shutdown"));
        try
        {
            stopped.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
