package io.ptyq.bench;

import io.ptyq.codec.control.DaemonProxy;
import io.ptyq.codec.control.SessionSpec;
import io.ptyq.consumer.JournalAdapter;
import io.ptyq.consumer.JournalReader;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recording throughput, end to end: {@code cat} of a large file through a ptyq daemon session until its SessionExited
 * frame is in the journal, against {@code script -q -c 'cat FILE' /dev/null > /dev/null} on the same file, alternated
 * in one run.
 * <p>
 * Each round starts a fresh daemon JVM on a fresh journal and records the file three to seven times: the first session
 * meets a cold JVM; the last, the warm one, comes once the session before it spent at most 2% of the daemon's CPU in
 * the JIT compilers (a daemon is a long-lived process, so the warm session is the steady state). CPU is
 * read from {@code /proc} and from the shell's {@code times}: the recorder alone (daemon, or {@code script}) and the
 * recorder with the {@code cat} that writes into the PTY. Usage:
 * <pre>
 * java &#64;bench/target/jvm.options -cp bench/target/benchmarks.jar io.ptyq.bench.RecordingThroughputHarness \
 *     [--size-mb 200] [--rounds 3] [--work /tmp/ptyq-recording] [--no-verify] [--keep] [--threads] \
 *     [--daemon-jvm-opt -XX:StartFlightRecording=filename=/tmp/d.jfr,settings=profile]...
 * </pre>
 */
public final class RecordingThroughputHarness
{
    private static final long DEADLINE_MS = 600_000;
    private static final long IDLE_SAMPLE_MS = 3_000;
    private static final int MAX_WARM_UP_SESSIONS = 4;
    private static final double JIT_SETTLED_SHARE = 0.02;
    private static final Pattern TIMES = Pattern.compile("(\\d+)m([0-9.]+)s\\s+(\\d+)m([0-9.]+)s");
    private static final Pattern SAFE_PATH = Pattern.compile("[A-Za-z0-9._/-]+");

    private final Options options;
    private final TerminalTextFile file;
    private final List<Sample> scriptSamples = new ArrayList<>();
    private final List<Sample> coldSamples = new ArrayList<>();
    private final List<Sample> warmSamples = new ArrayList<>();
    private final List<Double> idleCpuMsPerSecond = new ArrayList<>();

    private RecordingThroughputHarness(final Options options, final TerminalTextFile file)
    {
        this.options = options;
        this.file = file;
    }

    /**
     * @param args see the class comment.
     */
    public static void main(final String[] args) throws Exception
    {
        final Options options = Options.parse(args);
        checkMachine();
        Files.createDirectories(options.workDir);
        final long startNs = System.nanoTime();
        final TerminalTextFile file = TerminalTextFile.create(options.workDir, options.sizeBytes);
        System.out.printf(Locale.ROOT, "file %s: %,d bytes, %,d through a PTY (\\n -> \\r\\n); ready in %.1f s%n",
            file.path(), file.length(), file.ptyLength(), (System.nanoTime() - startNs) / 1e9);
        System.out.printf(Locale.ROOT, "machine: %d CPUs, load average %s%n",
            Runtime.getRuntime().availableProcessors(), loadAverage());

        new RecordingThroughputHarness(options, file).run();
    }

    private static void checkMachine() throws IOException, InterruptedException
    {
        final Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
        final String ticks = new String(getconf.getInputStream().readAllBytes()).trim();
        getconf.waitFor();
        if (!Integer.toString(ProcessCpu.TICKS_PER_SECOND).equals(ticks))
        {
            throw new IllegalStateException("CLK_TCK is " + ticks + ", the harness reads /proc in units of " +
                ProcessCpu.TICKS_PER_SECOND);
        }
        if (!new File("/usr/bin/script").canExecute() && !new File("/bin/script").canExecute())
        {
            throw new IllegalStateException("script(1) is not installed (Debian package bsdutils)");
        }
    }

    private void run() throws Exception
    {
        for (int round = 1; round <= options.rounds; round++)
        {
            // Alternate the order so a drift in machine load does not favour one side.
            if (round % 2 == 1)
            {
                runScript(round);
                runDaemon(round);
            }
            else
            {
                runDaemon(round);
                runScript(round);
            }
            System.out.printf(Locale.ROOT, "round %d done, load average %s%n", round, loadAverage());
        }
        report();
    }

    private void runScript(final int round) throws IOException, InterruptedException
    {
        final Path catTimes = options.workDir.resolve("script-cat.times");
        final Path totalTimes = options.workDir.resolve("script-total.times");
        Files.deleteIfExists(catTimes);
        Files.deleteIfExists(totalTimes);
        // The outer shell's children are script and everything script reaped; the inner shell's are cat alone.
        final String inner = "cat " + quoted(file.path()) + "; times > " + quoted(catTimes);
        final String outer = "script -q -c \"" + inner + "\" /dev/null > /dev/null; times > " + quoted(totalTimes);
        final ProcessBuilder builder = new ProcessBuilder("sh", "-c", outer)
            .redirectInput(new File("/dev/null"))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(options.workDir.resolve("script.err").toFile());
        builder.environment().put("SHELL", "/bin/sh");

        final long startNs = System.nanoTime();
        final Process process = builder.start();
        if (!process.waitFor(DEADLINE_MS, TimeUnit.MILLISECONDS))
        {
            process.destroyForcibly();
            throw new IllegalStateException("script did not finish in " + DEADLINE_MS + " ms");
        }
        final long wallNs = System.nanoTime() - startNs;
        if (0 != process.exitValue())
        {
            throw new IllegalStateException("script exited with " + process.exitValue() + ": " +
                Files.readString(options.workDir.resolve("script.err")));
        }

        final double[] cat = readTimes(catTimes);
        final double[] total = readTimes(totalTimes);
        final double everything = total[2] + total[3];
        final double catAndShell = cat[0] + cat[1] + cat[2] + cat[3];
        final Sample sample = new Sample(wallNs, everything - catAndShell, everything, 0);
        scriptSamples.add(sample);
        print(round, "script", sample, "");
    }

    private void runDaemon(final int round) throws Exception
    {
        final Path journal = options.workDir.resolve("journal-" + round);
        BenchFiles.deleteRecursively(journal);
        try (BenchDaemon daemon = BenchDaemon.start(options.workDir, journal, "daemon-" + round,
            options.daemonJvmOpts))
        {
            idleCpuMsPerSecond.add(idleCpu(daemon.pid()));
            try (JournalReader reader = JournalReader.open(journal))
            {
                final SessionTail tail = new SessionTail();
                try (JournalAdapter adapter = reader.adapter(tail))
                {
                    final Recorder recorder = new Recorder(round, daemon, reader, adapter, tail);
                    coldSamples.add(record(recorder, "ptyq cold"));
                    // A daemon is long-lived: the warm session is measured once the JIT compilers have settled,
                    // after sessions whose compiler threads took at most 2% of the daemon's CPU.
                    Sample last = record(recorder, "ptyq 2nd");
                    for (int i = 0; i < MAX_WARM_UP_SESSIONS && last.jitCpuSeconds > JIT_SETTLED_SHARE *
                        last.recorderCpuSeconds; i++)
                    {
                        last = record(recorder, "ptyq warm-up");
                    }
                    warmSamples.add(record(recorder, "ptyq warm"));
                }
            }
        }
        finally
        {
            if (!options.keep)
            {
                BenchFiles.deleteRecursively(journal);
            }
        }
    }

    /**
     * @return the daemon's CPU while no session runs, in ms per second: the cost of its idle strategies.
     */
    private static double idleCpu(final long pid) throws IOException, InterruptedException
    {
        // Let start-up work (class loading, JIT of the start path) finish first.
        Thread.sleep(1_000);
        final ProcessCpu before = ProcessCpu.of(pid);
        Thread.sleep(IDLE_SAMPLE_MS);

        return ProcessCpu.of(pid).selfSecondsSince(before) * 1000.0 / (IDLE_SAMPLE_MS / 1000.0);
    }

    private Sample record(final Recorder recorder, final String label) throws Exception
    {
        final JournalAdapter adapter = recorder.adapter();
        final SessionTail tail = recorder.tail();
        while (adapter.poll(4096) > 0)
        {
            // Start the session with the tail at the end of the journal.
        }
        final SessionSpec spec = new SessionSpec(
            "", List.of("cat", file.path().toString()), null, null, 80, 24);

        final long pid = recorder.daemon().pid();
        final Map<String, Long> threadsBefore = ProcessCpu.threadTicks(pid);
        final ProcessCpu before = ProcessCpu.of(pid);
        final long startNs = System.nanoTime();
        final long sessionId;
        try (DaemonProxy proxy = DaemonProxy.connect(recorder.daemon().journal()))
        {
            sessionId = proxy.newSession(spec);
        }
        // The daemon logs a session's exit right after its reader appended the SessionExited frame: waiting on the
        // log pipe ends the clock with the frame in the journal, without a poll loop taking CPU from the recording.
        recorder.daemon().awaitSessionExit(sessionId, DEADLINE_MS);
        final long wallNs = System.nanoTime() - startNs;
        final ProcessCpu after = ProcessCpu.of(pid);
        final Map<String, Long> threadsAfter = ProcessCpu.threadTicks(pid);
        awaitExitFrame(adapter, tail, sessionId);

        final double self = after.selfSecondsSince(before);
        final Sample sample = new Sample(wallNs, self, self + after.childrenSecondsSince(before),
            compilerSeconds(threadsBefore, threadsAfter));
        final String frames = String.format(Locale.ROOT, ", JIT %.2f s, %,d frames of %,.0f B on average",
            sample.jitCpuSeconds, tail.outputFrames(), tail.outputBytes() / (double)Math.max(1, tail.outputFrames()));
        print(recorder.round(), label, sample, frames + verify(recorder.reader(), sessionId));
        if (options.threads)
        {
            printThreads(threadsBefore, threadsAfter, self);
        }

        return sample;
    }

    /**
     * Read the journal through the consumer API up to the session's SessionExited frame, which must be there.
     */
    private static void awaitExitFrame(final JournalAdapter adapter, final SessionTail tail, final long sessionId)
    {
        tail.follow(sessionId, null);
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!tail.exited())
        {
            if (0 == adapter.poll(4096))
            {
                if (System.nanoTime() > deadlineNs)
                {
                    throw new IllegalStateException("the daemon logged the exit of session " + sessionId +
                        " but a reader finds no SessionExited frame for it");
                }
                LockSupport.parkNanos(1_000_000);
            }
        }
    }

    /**
     * Daemon threads that used CPU during the session, busiest first. Threads that ended before the second reading,
     * such as the session's own {@code pty-reader}, are summed as "ended".
     */
    /**
     * @return CPU seconds of the JIT compiler threads between two readings of {@link ProcessCpu#threadTicks(long)}.
     */
    private static double compilerSeconds(final Map<String, Long> before, final Map<String, Long> after)
    {
        long ticks = 0;
        for (final Map.Entry<String, Long> entry : after.entrySet())
        {
            // Thread names are cut to 15 characters: "C2 CompilerThre".
            if (entry.getKey().startsWith("C1 CompilerThre") || entry.getKey().startsWith("C2 CompilerThre"))
            {
                ticks += entry.getValue() - before.getOrDefault(entry.getKey(), 0L);
            }
        }

        return ticks / (double)ProcessCpu.TICKS_PER_SECOND;
    }

    private static void printThreads(final Map<String, Long> before, final Map<String, Long> after, final double total)
    {
        final StringBuilder line = new StringBuilder("    daemon threads (CPU s):");
        final double[] live = new double[1];
        after.entrySet().stream()
            .map(entry -> Map.entry(entry.getKey(), entry.getValue() - before.getOrDefault(entry.getKey(), 0L)))
            .filter(entry -> entry.getValue() > 0)
            .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
            .forEach(entry ->
            {
                final double seconds = entry.getValue() / (double)ProcessCpu.TICKS_PER_SECOND;
                live[0] += seconds;
                line.append(String.format(Locale.ROOT, " %s %.2f;",
                    entry.getKey().substring(0, entry.getKey().lastIndexOf(' ')), seconds));
            });
        line.append(String.format(Locale.ROOT, " ended (pty-reader) %.2f", total - live[0]));
        System.out.println(line);
    }

    private String verify(final JournalReader reader, final long sessionId) throws IOException
    {
        if (!options.verify)
        {
            return "";
        }
        final SessionTail check = new SessionTail();
        try (TerminalTextFile.PtyBytes expected = file.openPtyBytes();
            JournalAdapter adapter = reader.adapter(check))
        {
            check.follow(sessionId, expected);
            while (adapter.poll(4096) > 0 && !check.exited())
            {
                // Read from the start of the journal up to the session's exit.
            }
            final String problem = check.problem(file.ptyLength());
            if (null != problem)
            {
                throw new IllegalStateException("session " + sessionId + " journal check failed: " + problem);
            }
        }

        return ", journal verified byte-exact";
    }

    private void print(final int round, final String label, final Sample sample, final String extra)
    {
        System.out.printf(Locale.ROOT, "round %d %-9s: %6.2f s  %6.1f MB/s  recorder CPU %5.2f s (%5.2f s/GB)  " +
                "with cat %5.2f s (%5.2f s/GB)%s%n",
            round, label, sample.wallSeconds(), sample.mbPerSecond(file.length()), sample.recorderCpuSeconds,
            sample.perGb(sample.recorderCpuSeconds, file.length()), sample.totalCpuSeconds,
            sample.perGb(sample.totalCpuSeconds, file.length()), extra);
    }

    private void report()
    {
        final long bytes = file.length();
        System.out.println();
        System.out.printf(Locale.ROOT, "Medians of %d rounds; file %,d bytes (MB = 10^6 B, GB = 10^9 B of the file); " +
            "idle daemon CPU %.1f ms/s.%n", options.rounds, bytes, median(idleCpuMsPerSecond));
        System.out.println("Each \"/ script\" is the median of the rounds' own ratios, each session against the " +
            "script run of its round.");
        System.out.println();
        System.out.println("| run | wall s | MB/s | / script | recorder CPU s/GB | / script | " +
            "recorder + cat CPU s/GB | / script |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
        row("`script -q -c 'cat FILE' /dev/null`", scriptSamples, bytes);
        row("ptyq daemon, warm (JIT settled)", warmSamples, bytes);
        row("ptyq daemon, cold (1st session)", coldSamples, bytes);
    }

    private void row(final String label, final List<Sample> samples, final long bytes)
    {
        final Sample sample = Sample.median(samples);
        final List<Double> speed = new ArrayList<>();
        final List<Double> recorderCpu = new ArrayList<>();
        final List<Double> totalCpu = new ArrayList<>();
        for (int round = 0; round < samples.size(); round++)
        {
            final Sample ours = samples.get(round);
            final Sample script = scriptSamples.get(round);
            speed.add(script.wallSeconds() / ours.wallSeconds());
            recorderCpu.add(ours.recorderCpuSeconds / script.recorderCpuSeconds);
            totalCpu.add(ours.totalCpuSeconds / script.totalCpuSeconds);
        }
        System.out.printf(Locale.ROOT, "| %s | %.2f | %.1f | %.2f× | %.2f | %.2f× | %.2f | %.2f× |%n",
            label, sample.wallSeconds(), sample.mbPerSecond(bytes), median(speed),
            sample.perGb(sample.recorderCpuSeconds, bytes), median(recorderCpu),
            sample.perGb(sample.totalCpuSeconds, bytes), median(totalCpu));
    }

    private static double[] readTimes(final Path times) throws IOException
    {
        // POSIX `times`: the shell's user and system time, then its children's.
        final Matcher matcher = TIMES.matcher(Files.readString(times));
        final double[] seconds = new double[4];
        for (int line = 0; line < 2; line++)
        {
            if (!matcher.find())
            {
                throw new IllegalStateException("cannot read `times` output in " + times);
            }
            seconds[2 * line] = 60 * Long.parseLong(matcher.group(1)) + Double.parseDouble(matcher.group(2));
            seconds[2 * line + 1] = 60 * Long.parseLong(matcher.group(3)) + Double.parseDouble(matcher.group(4));
        }

        return seconds;
    }

    private static String quoted(final Path path)
    {
        final String text = path.toString();
        if (!SAFE_PATH.matcher(text).matches())
        {
            throw new IllegalArgumentException("use a work directory whose path needs no shell quoting: " + text);
        }

        return "'" + text + "'";
    }

    private static String loadAverage()
    {
        try
        {
            final String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        }
        catch (final IOException ex)
        {
            return "unknown";
        }
    }

    private static double median(final List<Double> values)
    {
        final double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        final int middle = sorted.length / 2;

        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }


    /**
     * What recording through one daemon needs.
     */
    private record Recorder(
        int round, BenchDaemon daemon, JournalReader reader, JournalAdapter adapter, SessionTail tail)
    {
    }

    /**
     * One recording: wall time, the recorder's own CPU, and the recorder's with the {@code cat} it ran.
     */
    private record Sample(long wallNs, double recorderCpuSeconds, double totalCpuSeconds, double jitCpuSeconds)
    {
        double wallSeconds()
        {
            return wallNs / 1e9;
        }

        double mbPerSecond(final long bytes)
        {
            return bytes / 1e6 / wallSeconds();
        }

        double perGb(final double cpuSeconds, final long bytes)
        {
            return cpuSeconds / (bytes / 1e9);
        }

        /**
         * @return each figure's median on its own, so one slow round moves no other column.
         */
        static Sample median(final List<Sample> samples)
        {
            final List<Double> wall = new ArrayList<>();
            final List<Double> recorder = new ArrayList<>();
            final List<Double> total = new ArrayList<>();
            final List<Double> jit = new ArrayList<>();
            for (final Sample sample : samples)
            {
                wall.add((double)sample.wallNs);
                recorder.add(sample.recorderCpuSeconds);
                total.add(sample.totalCpuSeconds);
                jit.add(sample.jitCpuSeconds);
            }

            return new Sample((long)RecordingThroughputHarness.median(wall), RecordingThroughputHarness.median(recorder),
                RecordingThroughputHarness.median(total), RecordingThroughputHarness.median(jit));
        }
    }

    /**
     * The command line.
     */
    private static final class Options
    {
        private long sizeBytes = 200_000_000L;
        private int rounds = 3;
        private Path workDir = Path.of("/tmp/ptyq-recording");
        private boolean verify = true;
        private boolean keep;
        private boolean threads;
        private final List<String> daemonJvmOpts = new ArrayList<>();

        static Options parse(final String[] args)
        {
            final Options options = new Options();
            for (int i = 0; i < args.length; i++)
            {
                switch (args[i])
                {
                    case "--size-mb" -> options.sizeBytes = Long.parseLong(value(args, ++i)) * 1_000_000L;
                    case "--rounds" -> options.rounds = Integer.parseInt(value(args, ++i));
                    case "--work" -> options.workDir = Path.of(value(args, ++i)).toAbsolutePath();
                    case "--daemon-jvm-opt" -> options.daemonJvmOpts.add(value(args, ++i));
                    case "--no-verify" -> options.verify = false;
                    case "--keep" -> options.keep = true;
                    case "--threads" -> options.threads = true;
                    default -> throw new IllegalArgumentException("unknown option " + args[i] + "; see the Javadoc " +
                        "of RecordingThroughputHarness");
                }
            }
            if (options.sizeBytes <= 0 || options.rounds <= 0)
            {
                throw new IllegalArgumentException("--size-mb and --rounds must be positive");
            }

            return options;
        }

        private static String value(final String[] args, final int i)
        {
            if (i >= args.length)
            {
                throw new IllegalArgumentException(args[i - 1] + " needs a value");
            }

            return args[i];
        }
    }
}
