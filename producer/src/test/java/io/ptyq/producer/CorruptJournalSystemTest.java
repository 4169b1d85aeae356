package io.ptyq.producer;

import io.ptyq.codec.control.DaemonProxy;
import io.ptyq.codec.control.SessionSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Damaged journals against every read command, each a real {@code ptyq} JVM capped at a 64 MiB heap: the newest cycle
 * truncated at random points, random bytes flipped in a cycle, the metadata file deleted, a cycle replaced by garbage.
 * Each command must exit 0 or 1, with at most one line on stderr that names the damaged file, never a stack trace, a
 * JVM crash (hs_err file) or an out-of-memory error; {@code cat} must still print every byte before the damage.
 * The journal has one-second cycles, so damage in one cycle leaves others to read.
 */
@Tag("slow")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class CorruptJournalSystemTest
{
    private static final List<String> READ_JVM = List.of("-Xmx64m");

    @TempDir
    static Path shared;

    private static Path pristine;
    private static byte[] outputA;
    private static long sessionB;

    @TempDir
    Path temp;

    @BeforeAll
    static void writeJournal() throws Exception
    {
        pristine = shared.resolve("pristine");
        try (DaemonProcess daemon = DaemonProcess.start(pristine, shared.resolve("logs"),
            List.of("-D" + JournalFiles.ROLL_CYCLE_PROPERTY + "=TEST_SECONDLY"));
            DaemonProxy proxy = DaemonProxy.connect(pristine))
        {
            final long a = proxy.newSession(new SessionSpec("a", List.of("sh", "-c",
                "for i in 1 2 3 4 5; do seq $i 3 30000; sleep 0.7; done"), null, Map.of(), 80, 24));
            awaitExit(a);
            sessionB = proxy.newSession(new SessionSpec("b", List.of("printf", "last\\n"), null, Map.of(), 80, 24));
            awaitExit(sessionB);
            daemon.terminate();
        }
        outputA = JournalContents.read(pristine).output(1);
        assertTrue(cycleFiles(pristine).size() >= 4, "several cycles: " + cycleFiles(pristine));
    }

    @Test
    void shouldReadWhatIsReadableOfATruncatedNewestCycle() throws Exception
    {
        final Random random = seeded();
        for (int trial = 0; trial < 2; trial++)
        {
            final Path journal = copy("truncated-" + trial);
            final List<Path> cycles = cycleFiles(journal);
            final Path newest = cycles.get(cycles.size() - 1);
            final long extent = dataExtent(newest);
            final long at = 1 + (long)(random.nextDouble() * (extent - 1));
            try (RandomAccessFile file = new RandomAccessFile(newest.toFile(), "rw"))
            {
                file.setLength(at);
            }
            checkEveryReadCommand(journal, newest, "truncated at " + at + " of " + extent);
        }
    }

    @Test
    void shouldSurviveFlippedBytes() throws Exception
    {
        final Random random = seeded();
        for (int trial = 0; trial < 2; trial++)
        {
            final Path journal = copy("flipped-" + trial);
            final List<Path> cycles = cycleFiles(journal);
            final Path cycle = cycles.get(random.nextInt(cycles.size()));
            final long extent = dataExtent(cycle);
            final StringBuilder flips = new StringBuilder();
            try (RandomAccessFile file = new RandomAccessFile(cycle.toFile(), "rw"))
            {
                for (int i = 0; i < 64; i++)
                {
                    final long at = (long)(random.nextDouble() * extent);
                    file.seek(at);
                    final int value = file.read();
                    file.seek(at);
                    file.write(value ^ (1 << random.nextInt(8)));
                    flips.append(at).append(' ');
                }
            }
            // Flipped output bytes cannot be told from real ones (frames carry no checksum): only safety is checked.
            for (final Run run : runEveryReadCommand(journal))
            {
                checkSafe(run, cycle, "flips at " + flips);
            }
        }
    }

    @Test
    void shouldNameTheMissingMetadataFile() throws Exception
    {
        final Path journal = copy("no-metadata");
        final Path metadata = journal.resolve("metadata.cq4t");
        Files.delete(metadata);
        for (final Run run : runEveryReadCommand(journal))
        {
            checkSafe(run, metadata, "metadata deleted");
            assertEquals(1, run.result.exitCode(), run.describe());
            assertTrue(run.result.stderr().contains("starting the daemon on the journal rebuilds it"), run.describe());
        }
    }

    @Test
    void shouldReadPastACycleReplacedByGarbage() throws Exception
    {
        final Path journal = copy("garbage-middle");
        final List<Path> cycles = cycleFiles(journal);
        final Path middle = cycles.get(1);
        final byte[] garbage = new byte[(int)Math.min(Files.size(middle), 4 << 20)];
        new Random(seeded().nextLong()).nextBytes(garbage);
        Files.write(middle, garbage);

        for (final Run run : runEveryReadCommand(journal))
        {
            checkSafe(run, middle, "garbage cycle");
            assertEquals(1, run.result.exitCode(), run.describe());
        }
        final DaemonProcess.Result ls = ptyq("ls", "--journal", journal.toString());
        assertTrue(ls.out().lines().anyMatch(line -> line.startsWith(sessionB + " ")),
            "the session after the damaged cycle is listed: " + ls.out());
        final DaemonProcess.Result catB = ptyq("cat", "b", "--journal", journal.toString());
        assertArrayEquals("last\r\n".getBytes(StandardCharsets.US_ASCII), catB.stdout(), catB.stderr());
    }

    @Test
    void shouldNameAFirstCycleReplacedByGarbage() throws Exception
    {
        final Path journal = copy("garbage-first");
        final Path first = cycleFiles(journal).get(0);
        final byte[] garbage = new byte[1 << 20];
        new Random(seeded().nextLong()).nextBytes(garbage);
        Files.write(first, garbage);
        for (final Run run : runEveryReadCommand(journal))
        {
            checkSafe(run, first, "garbage first cycle");
            assertEquals(1, run.result.exitCode(), run.describe());
        }
    }

    private void checkEveryReadCommand(final Path journal, final Path damaged, final String damage) throws Exception
    {
        for (final Run run : runEveryReadCommand(journal))
        {
            checkSafe(run, damaged, damage);
            if (run.command.equals("cat") && run.result.exitCode() == 1)
            {
                final byte[] out = run.result.stdout();
                assertTrue(out.length <= outputA.length, run.describe());
                assertArrayEquals(Arrays.copyOf(outputA, out.length), out,
                    "cat prints a byte-exact prefix of the session before the damage: " + run.describe());
            }
            if (run.command.equals("cat") && run.result.exitCode() == 0)
            {
                assertArrayEquals(outputA, run.result.stdout(), "cat without an error is complete: " + damage);
            }
        }
    }

    private List<Run> runEveryReadCommand(final Path journal) throws Exception
    {
        final String dir = journal.toString();
        final List<Run> runs = new ArrayList<>();
        runs.add(new Run("ls", ptyq("ls", "--journal", dir)));
        runs.add(new Run("cat", ptyq("cat", "a", "--journal", dir)));
        runs.add(new Run("replay", ptyq("replay", "a", "--no-wait", "--journal", dir)));
        runs.add(new Run("attach", ptyq("attach", "a", "--journal", dir)));
        return runs;
    }

    private static void checkSafe(final Run run, final Path damaged, final String damage) throws IOException
    {
        final String what = run.describe() + " (" + damage + ")";
        final int exitCode = run.result.exitCode();
        assertTrue(exitCode == 0 || exitCode == 1, "exit code: " + what);
        final List<String> lines = run.result.stderr().lines().filter(line -> !line.isBlank())
            .filter(line -> !line.startsWith("[ptyq: session")).collect(Collectors.toList());
        assertTrue(lines.size() <= (exitCode == 0 ? 1 : 1), "at most one error line: " + what);
        for (final String line : lines)
        {
            assertTrue(line.startsWith("ptyq: "), what);
            assertFalse(line.contains("internal error") || line.contains("OutOfMemory"), what);
            if (exitCode == 1 && line.contains("damaged"))
            {
                assertTrue(line.contains(damaged.getFileName().toString()), "the line names " + damaged + ": " +
                    what);
            }
        }
        if (exitCode == 1)
        {
            assertEquals(1, lines.size(), what);
        }
        try (Stream<Path> crashes = Files.list(Path.of(".")))
        {
            final List<Path> hsErr = crashes.filter(file -> file.getFileName().toString().startsWith("hs_err"))
                .collect(Collectors.toList());
            if (!hsErr.isEmpty())
            {
                fail("JVM crash files " + hsErr + " after " + what);
            }
        }
    }

    private DaemonProcess.Result ptyq(final String... args) throws Exception
    {
        return DaemonProcess.run(temp.resolve("logs"), READ_JVM, args);
    }

    private Path copy(final String name) throws IOException
    {
        final Path journal = temp.resolve(name);
        Files.createDirectories(journal);
        try (Stream<Path> files = Files.list(pristine))
        {
            for (final Path file : files.collect(Collectors.toList()))
            {
                if (Files.isRegularFile(file) && !file.getFileName().toString().equals(Daemon.CONTROL_SOCKET))
                {
                    Files.copy(file, journal.resolve(file.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        return journal;
    }

    private static List<Path> cycleFiles(final Path journal) throws IOException
    {
        try (Stream<Path> files = Files.list(journal))
        {
            return files.filter(file -> file.getFileName().toString().endsWith(".cq4")).sorted()
                .collect(Collectors.toList());
        }
    }

    /**
     * @return one past the last non-zero byte: where the cycle's written data ends (the rest is preallocated).
     */
    private static long dataExtent(final Path cycle) throws IOException
    {
        final byte[] bytes = Files.readAllBytes(cycle);
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] == 0)
        {
            end--;
        }
        return end;
    }

    private static Random seeded()
    {
        final long seed = Long.getLong("ptyq.corrupt.seed", System.nanoTime());
        System.out.println("CorruptJournalSystemTest seed " + seed);
        return new Random(seed);
    }

    private static void awaitExit(final long session) throws InterruptedException
    {
        final long deadlineMs = System.currentTimeMillis() + 60_000;
        while (!JournalContents.read(pristine).reasons.containsKey(session))
        {
            if (System.currentTimeMillis() > deadlineMs)
            {
                fail("timed out waiting for session " + session + " to exit");
            }
            Thread.sleep(50);
        }
    }

    /**
     * One read command's run.
     */
    private record Run(String command, DaemonProcess.Result result)
    {
        String describe()
        {
            return "ptyq " + command + " exited " + result.exitCode() + ", " + result.stdout().length +
                " bytes out, stderr: " + result.stderr();
        }
    }
}
