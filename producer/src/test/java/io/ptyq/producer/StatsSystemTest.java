package io.ptyq.producer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ptyq stats} against a real daemon: its counters follow what the daemon did (sessions, bytes, markers,
 * requests), in both forms, and without a daemon it is one line and exit 1.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class StatsSystemTest
{
    private static final Pattern JSON_COUNTER = Pattern.compile("\"([a-z_]+)\": (-?\\d+)");

    @TempDir
    Path temp;

    @Test
    void shouldCountWhatTheDaemonDid() throws Exception
    {
        final Path journal = temp.resolve("journal");
        final Path logs = temp.resolve("logs");
        final String j = journal.toString();
        try (DaemonProcess daemon = DaemonProcess.start(journal, logs))
        {
            final Map<String, Long> before = json(DaemonProcess.run(logs, "", "stats", "--json", "--journal", j));
            assertEquals(0L, before.get("sessions_started"));
            assertEquals(0L, before.get("output_bytes"));
            assertEquals(1L, before.get("control_requests"), before::toString);

            // 3,000 bytes of output, a marker and 4 bytes of input, then the session ends.
            final String id = DaemonProcess.run(logs, "", "new", "--journal", j, "--",
                "sh", "-c", "stty -echo; read line; head -c 3000 /dev/zero | tr '\\0' x; sleep 0.2").out().trim();
            assertEquals(0, DaemonProcess.run(logs, "", "mark", "--journal", j, id, "here").exitCode());
            assertEquals(0, DaemonProcess.run(logs, "", "send", "--journal", j, id, "abc\\r").exitCode());
            final DaemonProcess.Result output = DaemonProcess.run(logs, "", "cat", "--follow", "--journal", j, id);
            assertEquals(3000, output.stdout().length, output.out());
            // A command that cannot start, and a request refused.
            assertEquals(1, DaemonProcess.run(logs, "", "new", "--journal", j, "--", "/no/such/program").exitCode());
            assertEquals(1, DaemonProcess.run(logs, "", "kill", "--journal", j, "nope").exitCode());

            final Map<String, Long> after = json(DaemonProcess.run(logs, "", "stats", "--json", "--journal", j));
            assertEquals(2L, after.get("sessions_started"), after::toString);
            assertEquals(1L, after.get("sessions_failed_to_start"), after::toString);
            assertEquals(1L, after.get("sessions_exited"), after::toString);
            assertEquals(0L, after.get("sessions_running"), after::toString);
            assertEquals(3000L, after.get("output_bytes"), after::toString);
            assertEquals(4L, after.get("input_bytes"), after::toString);
            assertEquals(1L, after.get("markers"), after::toString);
            // stats, new, mark, send, new, kill, stats.
            assertEquals(7L, after.get("control_requests"), after::toString);
            assertEquals(2L, after.get("control_requests_refused"), after::toString);
            assertEquals(7L, after.get("control_connections"), after::toString);
            assertTrue(after.get("journal_bytes") > 3000, after::toString);
            assertTrue(after.get("disk_usable_bytes") > 0, after::toString);
            assertEquals(0L, after.get("output_paused_for_disk"), after::toString);
            assertTrue(after.get("uptime_ms") >= before.get("uptime_ms"), after::toString);

            // The same counters as text, one per line, names aligned.
            final DaemonProcess.Result text = DaemonProcess.run(logs, "", "stats", "--journal", j);
            assertEquals(0, text.exitCode(), text.stderr());
            final List<String> lines = text.out().lines().toList();
            assertEquals(after.keySet().stream().toList(), lines.stream().map(line -> line.split(" +")[0]).toList());
            assertTrue(lines.contains("sessions_started             2"), text.out());
            assertTrue(daemon.process().isAlive());
        }

        final DaemonProcess.Result noDaemon = DaemonProcess.run(logs, "", "stats", "--journal", j);
        assertEquals(1, noDaemon.exitCode());
        assertEquals("ptyq: no ptyq daemon is running on " + j + "\n", noDaemon.stderr());
        final DaemonProcess.Result usage = DaemonProcess.run(logs, "", "stats", "extra", "--journal", j);
        assertEquals(2, usage.exitCode());
        assertEquals(1, usage.stderr().lines().count(), usage.stderr());
    }

    private static Map<String, Long> json(final DaemonProcess.Result result)
    {
        assertEquals(0, result.exitCode(), result.stderr());
        final String out = result.out().trim();
        assertTrue(out.startsWith("{") && out.endsWith("}") && 1 == out.lines().count(), out);
        final Map<String, Long> counters = new LinkedHashMap<>();
        final Matcher matcher = JSON_COUNTER.matcher(out);
        while (matcher.find())
        {
            counters.put(matcher.group(1), Long.parseLong(matcher.group(2)));
        }
        assertEquals(out.split(",").length, counters.size(), out);

        return counters;
    }
}
