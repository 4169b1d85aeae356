package io.ptyq.producer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.ptyq.producer.BadCommandLineTest.RUNTIME;
import static io.ptyq.producer.BadCommandLineTest.USAGE;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad command lines as real {@code ptyq} processes, some against a running daemon (unknown sessions), checked as
 * {@link BadCommandLineTest} checks its table in-process: one line on stderr, no stack trace, exit 2 or 1.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class BadCommandLineSystemTest
{
    @TempDir
    Path temp;

    @Test
    void shouldGiveOneLineFromARealProcess() throws Exception
    {
        final Path journal = temp.resolve("journal");
        final Path logs = temp.resolve("logs");
        final Path file = temp.resolve("a-file");
        Files.writeString(file, "x");
        final String j = journal.toString();
        final List<BadCommandLineTest.Case> cases = List.of(
            new BadCommandLineTest.Case(USAGE, "a command is required"),
            new BadCommandLineTest.Case(USAGE, "size", "new", "--size", "0x0", "--journal", j, "--", "true"),
            new BadCommandLineTest.Case(USAGE, "speed", "replay", "1", "--speed", "-2", "--journal", j),
            new BadCommandLineTest.Case(RUNTIME, "not a directory", "ls", "--journal", file.toString()),
            new BadCommandLineTest.Case(RUNTIME, "nope", "send", "nope", "hi", "--journal", j),
            new BadCommandLineTest.Case(RUNTIME, "nope", "resize", "nope", "80x24", "--journal", j),
            new BadCommandLineTest.Case(RUNTIME, "nope", "kill", "nope", "--journal", j),
            new BadCommandLineTest.Case(RUNTIME, "nope", "mark", "nope", "label", "--journal", j),
            new BadCommandLineTest.Case(RUNTIME, "no session 'nope'", "cat", "nope", "--journal", j));

        final List<String> failures = new ArrayList<>();
        try (DaemonProcess daemon = DaemonProcess.start(journal, logs))
        {
            for (final BadCommandLineTest.Case c : cases)
            {
                final DaemonProcess.Result result = DaemonProcess.run(logs, "", c.args);
                final String problem = c.check(result.exitCode(), result.out(), result.stderr());
                if (null != problem)
                {
                    failures.add(problem);
                }
            }
            assertTrue(daemon.process().isAlive(), "bad requests leave the daemon running");
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }
}
