package io.ptyq.bridge.cli;

import io.ptyq.bridge.BridgeServer;
import io.ptyq.codec.cli.CliException;
import io.ptyq.codec.cli.JournalOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ptyq serve}: the sessions of a journal, live and recorded, in a browser.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {
        "Serve a web page that lists the journal's sessions and shows each live (xterm.js over a binary " +
            "WebSocket) or replays it with play/pause, speed and seek.",
        "Read-only unless a page presents the token of --write-token-file; then its keystrokes and resizes go to " +
            "the session. Runs until Ctrl-C or SIGTERM."})
final class ServeCommand implements Runnable
{
    @Mixin
    private JournalOption journal;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
        description = "Address to listen on (default: ${DEFAULT-VALUE}). One that is not loopback needs " +
            "--allow-remote.")
    private String bind;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "7681",
        description = "Port to listen on, 0 for any free one (default: ${DEFAULT-VALUE}).")
    private int port;

    @Option(names = "--allow-remote",
        description = "Allow --bind to an address that is not loopback: anyone who reaches it sees every session.")
    private boolean allowRemote;

    @Option(names = "--write-token-file", paramLabel = "FILE",
        description = "File whose first line is the write token (the file must not be readable by group or " +
            "others). Without it the page is read-only.")
    private Path writeTokenFile;

    @Override
    public void run()
    {
        if (port < 0 || port > 65535)
        {
            throw CliException.usage("--port must be 0..65535, not " + port);
        }
        final boolean loopback;
        try
        {
            loopback = BridgeServer.Context.isLoopback(bind);
        }
        catch (final IllegalArgumentException ex)
        {
            throw CliException.usage("--bind: " + ex.getMessage());
        }
        if (!loopback && !allowRemote)
        {
            throw CliException.usage("--bind " + bind + " is not a loopback address; add --allow-remote to " +
                "listen there");
        }
        final String token = null == writeTokenFile ? null : readToken(writeTokenFile);
        final Path dir = journal.existing();

        final BridgeServer server;
        try
        {
            server = BridgeServer.launch(new BridgeServer.Context()
                .journalDir(dir)
                .bindAddress(bind)
                .port(port)
                .allowRemote(allowRemote)
                .writeToken(token));
        }
        catch (final IllegalArgumentException ex)
        {
            throw CliException.usage(ex.getMessage());
        }
        catch (final IllegalStateException | UncheckedIOException ex)
        {
            throw CliException.runtime(ex.getMessage());
        }

        if (!loopback)
        {
            System.err.println("ptyq serve: WARNING: listening on " + bind + ", not loopback: anyone who can " +
                "reach it can read every session" + (null == token ? "" : " and, with the token, type into them") +
                "; there is no TLS");
        }
        System.out.println("ptyq serve: " + server.url() + " (" + dir + ", " +
            (null == token ? "read-only" : "write token from " + writeTokenFile) + ")");
        System.out.flush();

        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            server.close();
            stopped.countDown();
        }, "serve-shutdown"));
        try
        {
            stopped.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static String readToken(final Path file)
    {
        try
        {
            if (!Files.isRegularFile(file))
            {
                throw CliException.usage("--write-token-file " + file + ": not a readable file");
            }
            final Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
            if (permissions.contains(PosixFilePermission.GROUP_READ) ||
                permissions.contains(PosixFilePermission.OTHERS_READ))
            {
                throw CliException.usage("--write-token-file " + file + " is readable by group or others; " +
                    "chmod 600 it");
            }
            final String content = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
            final int newline = content.indexOf('\n');
            final String token = (newline < 0 ? content : content.substring(0, newline)).strip();
            if (token.isEmpty())
            {
                throw CliException.usage("--write-token-file " + file + ": the first line is empty");
            }
            if (token.getBytes(StandardCharsets.UTF_8).length > 256)
            {
                throw CliException.usage("--write-token-file " + file + ": the token is longer than 256 bytes");
            }
            return token;
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            throw CliException.usage("--write-token-file " + file + ": " + ex.getMessage());
        }
    }
}
