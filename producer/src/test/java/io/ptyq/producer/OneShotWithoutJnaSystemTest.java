package io.ptyq.producer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.ptyq.producer.DaemonProcess.WITHOUT_JNA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/ptyq} runs every one-shot command without JNA on its class path (a shorter start-up). Each of them, as a
 * real process on the test's class path less the same jars, against a running daemon: the commands that talk to it,
 * the ones that read the journal (a live session followed to its end among them, which idles between frames), and,
 * once the daemon has stopped, import, which writes it.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class OneShotWithoutJnaSystemTest
{
    private static final List<String> NO_JNA = List.of(WITHOUT_JNA);

    @TempDir
    Path temp;

    @Test
    void shouldRunEveryOneShotCommandWithoutJna() throws Exception
    {
        final String full = System.getProperty("java.class.path");
        final String lean = DaemonProcess.classpathWithoutJna();
        assertTrue(full.split(File.pathSeparator).length - lean.split(File.pathSeparator).length >= 1,
            "the test's class path has JNA to leave out: " + full);
        assertTrue(!lean.contains("/jna-"), lean);

        final Path journal = temp.resolve("journal");
        final Path logs = temp.resolve("logs");
        final String j = journal.toString();
        final Path cast = temp.resolve("in.cast");
        Files.writeString(cast, "{\"version\": 2, \"width\": 80, \"height\": 24}\n[0.5, \"o\", \"caf\\u00e9\\r\\n\"]\n",
            StandardCharsets.UTF_8);
        final List<String> failures = new ArrayList<>();
        try (DaemonProcess daemon = DaemonProcess.start(journal, logs))
        {
            final DaemonProcess.Result created = run(failures, logs, "new", "--journal", j, "--name", "lean", "--",
                "sh", "-c", "read line; printf '%s\\n' \"$line\"; stty size; sleep 0.3; printf 'caf\\303\\251\\n'");
            final String id = created.out().trim();
            run(failures, logs, "resize", "--journal", j, id, "100x30");
            run(failures, logs, "mark", "--journal", j, id, "half-way");
            run(failures, logs, "send", "--journal", j, id, "hello\\r");
            // Follows the session live until it exits.
            final DaemonProcess.Result followed = run(failures, logs, "cat", "--follow", "--journal", j, id);
            assertTrue(followed.out().endsWith("caf\u00e9\r\n"), followed.out());
            assertTrue(followed.out().contains("30 100"), followed.out());

            final DaemonProcess.Result listed = run(failures, logs, "ls", "--json", "--journal", j);
            assertTrue(listed.out().contains("\"name\": \"lean\", \"state\": \"exited\""),
                listed.out());
            final DaemonProcess.Result exported = run(failures, logs, "export", "--journal", j, id);
            assertTrue(exported.out().contains("caf\u00e9\\r\\n\"]"), exported.out());
            run(failures, logs, "--version");

            final DaemonProcess.Result refused = DaemonProcess.run(logs, NO_JNA, "kill", "--journal", j, id);
            assertEquals(1, refused.exitCode(), refused.stderr());
            assertEquals("ptyq: no running session '" + id + "'\n", refused.stderr());
            assertTrue(daemon.process().isAlive());
        }
        // Import writes the journal, so it runs with no daemon.
        final DaemonProcess.Result imported = run(failures, logs, "import", "--journal", j, cast.toString());
        final DaemonProcess.Result importedBytes = run(failures, logs, "cat", "--journal", j, imported.out().trim());
        assertEquals("caf\u00e9\r\n", importedBytes.out(), String.join("\n", failures));
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    private static DaemonProcess.Result run(final List<String> failures, final Path logs, final String... args)
        throws Exception
    {
        final DaemonProcess.Result result = DaemonProcess.run(logs, NO_JNA, args);
        if (0 != result.exitCode() || !result.stderr().isEmpty())
        {
            failures.add("ptyq " + String.join(" ", args) + ": exit " + result.exitCode() + ", " + result.stderr());
        }

        return result;
    }
}
