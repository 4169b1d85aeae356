package io.ptyq.bridge;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ptyq serve} as a user runs it: a child JVM, its output lines and exit codes.
 */
class ServeCommandSystemTest
{
    @TempDir
    Path tmp;

    @Test
    void shouldRefuseBadArgumentsWithOneLineAndExitTwo() throws Exception
    {
        final Path journal = journal();
        final Path openToken = Files.writeString(tmp.resolve("open-token"), "secret\n");
        Files.setPosixFilePermissions(openToken, PosixFilePermissions.fromString("rw-r--r--"));
        final Path emptyToken = Files.writeString(tmp.resolve("empty-token"), "\n");
        Files.setPosixFilePermissions(emptyToken, PosixFilePermissions.fromString("rw-------"));

        assertUsage("is not a loopback address; add --allow-remote", "--bind", "0.0.0.0");
        assertUsage("--port must be 0..65535", "--port", "70000");
        assertUsage("is readable by group or others", "--write-token-file", openToken.toString());
        assertUsage("the first line is empty", "--write-token-file", emptyToken.toString());
        assertUsage("not a readable file", "--write-token-file", tmp.resolve("missing").toString());
        assertUsage("cannot resolve bind address", "--bind", "no-such-host.invalid");
        final PtyqProcess.Result noJournal = PtyqProcess.run(tmp.resolve("logs"), "serve", "--journal",
            tmp.resolve("nowhere").toString(), "--port", "0");
        assertEquals(1, noJournal.exitCode(), noJournal.stderr());
        assertEquals(1, noJournal.stderr().strip().lines().count(), noJournal.stderr());
        assertTrue(journal.toFile().isDirectory());
    }

    @Test
    void shouldFailWithOneLineWhenThePortIsTaken() throws Exception
    {
        final Path journal = journal();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            final PtyqProcess.Result result = PtyqProcess.run(tmp.resolve("logs"), "serve", "--journal",
                journal.toString(), "--port", Integer.toString(taken.getLocalPort()));
            assertEquals(1, result.exitCode(), result.stderr());
            assertTrue(result.stderr().startsWith("ptyq: cannot listen on 127.0.0.1:" + taken.getLocalPort()),
                result.stderr());
            assertEquals(1, result.stderr().strip().lines().count(), result.stderr());
        }
    }

    @Test
    void shouldServeAndWarnWhenListeningBeyondLoopback() throws Exception
    {
        final Path journal = journal();
        try (PtyqProcess serve = PtyqProcess.start(tmp.resolve("logs"), List.of("serve", "--journal",
            journal.toString(), "--bind", "0.0.0.0", "--allow-remote", "--port", "0")))
        {
            final long deadlineMs = System.currentTimeMillis() + 60_000;
            Matcher url = null;
            while (System.currentTimeMillis() < deadlineMs)
            {
                url = Pattern.compile("ptyq serve: (http://\\S+) ").matcher(serve.stdout());
                if (url.find() || !serve.process().isAlive())
                {
                    break;
                }
                Thread.sleep(100);
            }
            assertTrue(null != url && url.hitEnd() == false, "no URL line: " + serve.stdout() + serve.stderr());
            assertTrue(serve.stderr().contains("WARNING: listening on 0.0.0.0, not loopback"), serve.stderr());
            final int port = URI.create(url.group(1)).getPort();
            final HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("/vendor/xterm.js"), page.body());
            final HttpResponse<String> xterm = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/vendor/xterm.js")).build(),
                HttpResponse.BodyHandlers.ofString());
            assertEquals(200, xterm.statusCode());
            assertTrue(xterm.body().length() > 100_000, "xterm.js from the jar");
        }
    }

    private Path journal() throws Exception
    {
        final Path journal = tmp.resolve("journal");
        if (!Files.isDirectory(journal))
        {
            Files.createDirectory(journal, PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        }
        return journal;
    }

    private void assertUsage(final String message, final String... args) throws Exception
    {
        final String[] command = new String[args.length + 3];
        command[0] = "serve";
        command[1] = "--journal";
        command[2] = journal().toString();
        System.arraycopy(args, 0, command, 3, args.length);
        final PtyqProcess.Result result = PtyqProcess.run(tmp.resolve("logs"), command);
        assertEquals(2, result.exitCode(), String.join(" ", args) + ": " + result.stderr());
        assertTrue(result.stderr().contains(message), result.stderr());
        assertEquals(1, result.stderr().strip().lines().count(), "one line: " + result.stderr());
    }
}
