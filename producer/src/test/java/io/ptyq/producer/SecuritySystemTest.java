package io.ptyq.producer;

import io.ptyq.codec.control.DaemonProxy;
import io.ptyq.codec.control.SessionSpec;
import io.ptyq.codec.sbe.InputDecoder;
import io.ptyq.consumer.JournalAdapter;
import io.ptyq.consumer.JournalListener;
import io.ptyq.consumer.JournalReader;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Who may drive a daemon and what it keeps: another user's {@code ptyq} (a real process run with {@code runuser})
 * cannot use the control socket, neither through the owner-only directory nor when the socket is opened to everyone
 * (the daemon checks the peer's uid); typed input is not journaled unless {@code --record-input} asks for it.
 * Journal permissions under umask 000 are {@code DaemonSystemTest.shouldKeepJournalOwnerOnlyUnderUmask000}.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SecuritySystemTest
{
    private static final String OTHER_USER = "ptyq-other";

    @TempDir
    Path temp;

    private Path sharedClasspath;

    @AfterEach
    void tearDown() throws Exception
    {
        if (null != sharedClasspath)
        {
            run(List.of("rm", "-rf", sharedClasspath.toString()));
        }
    }

    @Test
    void shouldRefuseAnotherUser() throws Exception
    {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
            "skipped: creating a second user to connect as needs root (running as " +
            System.getProperty("user.name") + ")");
        if (0 != run(List.of("id", "-u", OTHER_USER)))
        {
            assertEquals(0, run(List.of("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                OTHER_USER)), "useradd " + OTHER_USER);
        }
        final String classpath = shareClasspath();
        final Path journal = temp.resolve("journal");
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (DaemonProcess daemon = DaemonProcess.start(journal, temp.resolve("logs"));
            DaemonProxy proxy = DaemonProxy.connect(journal))
        {
            final long session = proxy.newSession(new SessionSpec("target", List.of("cat"), null, Map.of(), 80, 24));

            // 1. As the daemon leaves it: the journal directory is 0700, so the socket cannot even be reached.
            final Other denied = asOtherUser(classpath, "send", "--journal", journal.toString(), "target", "owned\\r");
            assertEquals(1, denied.exitCode, denied.toString());
            assertEquals(1, denied.stderr.lines().count(), denied.toString());
            assertFalse(denied.stderr.contains("Exception"), denied.toString());
            final Other list = asOtherUser(classpath, "ls", "--journal", journal.toString());
            assertEquals(1, list.exitCode, "another user cannot read the journal: " + list);

            // 2. Even with the directory and socket opened to everyone, the daemon refuses a foreign uid.
            Files.setPosixFilePermissions(journal, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(journal.resolve(Daemon.CONTROL_SOCKET),
                PosixFilePermissions.fromString("rw-rw-rw-"));
            final Other refused = asOtherUser(classpath, "send", "--journal", journal.toString(), "target",
                "owned\\r");
            assertEquals(1, refused.exitCode, refused.toString());
            assertEquals(1, refused.stderr.lines().count(), refused.toString());
            await("the daemon to log the refusal", () -> logOf(daemon).contains("refused: user " + OTHER_USER));

            proxy.input("target", "mine\r".getBytes(StandardCharsets.US_ASCII));
            await("the owner's input to echo", () -> output(journal, session).contains("mine"));
            assertFalse(output(journal, session).contains("owned"), "the other user's input never arrived");
        }
    }

    @Test
    void shouldNotJournalInputUnlessAsked() throws Exception
    {
        assertEquals(0, inputFramesAfterTyping(temp.resolve("default")), "input is not journaled by default");
        assertTrue(inputFramesAfterTyping(temp.resolve("recording"), "--record-input") > 0,
            "--record-input journals input");
    }

    private long inputFramesAfterTyping(final Path journal, final String... daemonArgs) throws Exception
    {
        try (DaemonProcess daemon = DaemonProcess.start(journal, temp.resolve("logs"), daemonArgs);
            DaemonProxy proxy = DaemonProxy.connect(journal))
        {
            final long session = proxy.newSession(new SessionSpec("typed", List.of("cat"), null, Map.of(), 80, 24));
            proxy.input("typed", "secret password\r".getBytes(StandardCharsets.US_ASCII));
            await("the typed line to echo", () -> output(journal, session).contains("secret password"));
            daemon.terminate();
        }
        final long[] inputs = new long[1];
        try (JournalReader reader = JournalReader.open(journal);
            JournalAdapter adapter = reader.adapter(new JournalListener()
            {
                @Override
                public void onInput(
                    final long index, final InputDecoder decoder, final DirectBuffer buffer, final int offset,
                    final int length)
                {
                    inputs[0]++;
                }
            }))
        {
            while (adapter.poll(1024) > 0)
            {
                // Read it all.
            }
        }
        return inputs[0];
    }

    private static String output(final Path journal, final long session)
    {
        return new String(JournalContents.read(journal).output(session), StandardCharsets.UTF_8);
    }

    /**
     * Copy this test's classpath where another user can read it.
     */
    private String shareClasspath() throws Exception
    {
        sharedClasspath = Files.createTempDirectory(Path.of("/tmp"), "ptyq-shared-cp");
        final List<String> entries = new ArrayList<>();
        int i = 0;
        for (final String entry : System.getProperty("java.class.path").split(File.pathSeparator))
        {
            if (entry.isEmpty() || !Files.exists(Path.of(entry)))
            {
                continue;
            }
            final Path copy = sharedClasspath.resolve(i++ + (entry.endsWith(".jar") ? ".jar" : ""));
            assertEquals(0, run(List.of("cp", "-r", entry, copy.toString())), "copy " + entry);
            entries.add(copy.toString());
        }
        assertEquals(0, run(List.of("chmod", "-R", "a+rX", sharedClasspath.toString())));
        return String.join(File.pathSeparator, entries);
    }

    private static Other asOtherUser(final String classpath, final String... args) throws Exception
    {
        final List<String> command = new ArrayList<>(List.of("runuser", "-u", OTHER_USER, "--",
            Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(List.of(DaemonProcess.jvmFlags().split(" ")));
        command.addAll(List.of("-Duser.home=/tmp", "-Djava.io.tmpdir=/tmp", "-cp", classpath,
            "io.ptyq.codec.cli.Ptyq"));
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).directory(new File("/tmp")).start();
        process.getOutputStream().close();
        final byte[] out = process.getInputStream().readAllBytes();
        final byte[] err = process.getErrorStream().readAllBytes();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "ptyq as " + OTHER_USER + " finished");
        return new Other(process.exitValue(), new String(out, StandardCharsets.UTF_8),
            new String(err, StandardCharsets.UTF_8));
    }

    private static int run(final List<String> command) throws Exception
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        return process.waitFor(60, TimeUnit.SECONDS) ? process.exitValue() : -1;
    }

    private static String logOf(final DaemonProcess daemon)
    {
        try
        {
            return daemon.stdout() + daemon.stderr();
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    private static void await(final String what, final BooleanSupplier condition) throws InterruptedException
    {
        final long deadlineMs = System.currentTimeMillis() + 60_000;
        while (!condition.getAsBoolean())
        {
            if (System.currentTimeMillis() > deadlineMs)
            {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    /**
     * What the other user's {@code ptyq} gave.
     */
    private record Other(int exitCode, String stdout, String stderr)
    {
    }
}
