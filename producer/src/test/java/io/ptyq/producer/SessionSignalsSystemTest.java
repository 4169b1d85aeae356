package io.ptyq.producer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A daemon started as {@code nohup} leaves it (SIGHUP ignored) still starts its sessions with every signal at its
 * default action and none blocked, so that a session ends with its terminal's hang-up as in any terminal.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SessionSignalsSystemTest
{
    private static final long SIGHUP_BIT = 1;
    private static final long STANDARD_SIGNALS = (1L << 31) - 1;

    @TempDir
    Path temp;

    @Test
    void shouldStartSessionsWithDefaultSignalsUnderADaemonThatIgnoresHangUp() throws Exception
    {
        final Path journal = temp.resolve("journal");
        final Path logs = temp.resolve("logs");
        final String j = journal.toString();
        try (DaemonProcess daemon = DaemonProcess.startUnder("trap '' HUP;", journal, logs, List.of()))
        {
            final String daemonStatus = Files.readString(Path.of("/proc", Long.toString(daemon.pid()), "status"));
            assertEquals(SIGHUP_BIT, field(daemonStatus, "SigIgn") & SIGHUP_BIT, "the daemon ignores SIGHUP");

            // grep is the session's program itself (no shell in between to reset anything).
            final String id = DaemonProcess.run(logs, "", "new", "--journal", j, "--",
                "grep", "-E", "^Sig(Blk|Ign):", "/proc/self/status").out().trim();
            final DaemonProcess.Result output = DaemonProcess.run(logs, "", "cat", "--follow", "--journal", j, id);
            assertEquals(0, output.exitCode(), output.stderr());
            final String session = output.out();
            assertEquals(0, field(session, "SigIgn") & STANDARD_SIGNALS, "ignored in the session: " + session);
            assertEquals(0, field(session, "SigBlk") & STANDARD_SIGNALS, "blocked in the session: " + session);

            final DaemonProcess.Result ls = DaemonProcess.run(logs, "", "ls", "--journal", j);
            assertTrue(ls.out().contains("grep -E"), "the command journaled is the one asked for: " + ls.out());
            assertFalse(ls.out().contains("--default-signal"), ls.out());
        }
    }

    private static long field(final String status, final String name)
    {
        final Matcher matcher = Pattern.compile(name + ":\\s*([0-9a-f]+)").matcher(status);
        assertTrue(matcher.find(), name + " in " + status);

        return Long.parseUnsignedLong(matcher.group(1), 16);
    }
}
