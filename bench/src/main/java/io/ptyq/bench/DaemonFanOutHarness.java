package io.ptyq.bench;

import io.ptyq.codec.control.DaemonProxy;
import io.ptyq.codec.control.SessionSpec;
import io.ptyq.codec.sbe.SessionExitedDecoder;
import io.ptyq.codec.sbe.SessionStartedDecoder;
import io.ptyq.consumer.JournalAdapter;
import io.ptyq.consumer.JournalAgent;
import io.ptyq.consumer.JournalListener;
import io.ptyq.consumer.JournalReader;
import io.ptyq.consumer.StartPosition;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32C;

/**
 * Fan-out with the real producer: a daemon records {@code cat} of a large file through a PTY with no consumer and
 * with N consumer JVMs following the session live ({@link JournalAgent#defaultIdleStrategy(JournalAdapter)};
 * {@code -Dptyq.bench.flood=off}: without the flood test), alternating the two in one run against one warmed daemon.
 * <p>
 * Attached viewers are long-lived JVMs, so the consumer JVMs start once and follow unmeasured sessions until their JIT
 * has settled (a session in which none of them compiled for more than {@value #SETTLED_COMPILE_MS} ms, at most
 * {@value #MAX_CONSUMER_WARM_UPS} sessions): each consumer JVM compiles seconds' worth of code in its first sessions,
 * and eight of them doing that on two cores measure their JIT, not their reading. Between the sessions they follow
 * they block on their stdin, attached to nothing; for a round with consumers each opens a new adapter at the
 * journal's end. The report gives their compile time in each measured session.
 * The producer's throughput is the session's bytes over the time from asking for the session to its SessionExited
 * frame being in the journal (the daemon logs it right after the append).
 * Every consumer must receive the session's exact bytes: each reports their count and CRC-32C, checked against the
 * file's bytes as a PTY delivers them.
 * <p>
 * {@link FanOutHarness} measures the journal's append path flat out instead, several times faster than a PTY can
 * deliver. Usage:
 * <pre>
 * java &#64;bench/target/jvm.options -cp bench/target/benchmarks.jar io.ptyq.bench.DaemonFanOutHarness \
 *     [--size-mb 200] [--consumers 8] [--pairs 3] [--work /tmp/ptyq-daemon-fanout]
 * </pre>
 */
public final class DaemonFanOutHarness
{
    private static final String READY = "READY";
    private static final String RESULT = "RESULT";
    private static final long DEADLINE_MS = 600_000;
    private static final String FOLLOW = "follow";
    private static final int WARM_UP_SESSIONS = 2;
    private static final int MAX_CONSUMER_WARM_UPS = 5;
    private static final long SETTLED_COMPILE_MS = 100;

    private DaemonFanOutHarness()
    {
    }

    /**
     * @param args see the class comment; a consumer JVM gets {@code consumer JOURNAL SESSIONS}.
     */
    public static void main(final String[] args) throws Exception
    {
        if (args.length == 2 && "consumer".equals(args[0]))
        {
            runConsumer(Path.of(args[1]));
            return;
        }
        long sizeBytes = 200_000_000L;
        int consumers = 8;
        int pairs = 3;
        Path workDir = Path.of("/tmp/ptyq-daemon-fanout");
        for (int i = 0; i + 1 < args.length; i += 2)
        {
            switch (args[i])
            {
                case "--size-mb" -> sizeBytes = Long.parseLong(args[i + 1]) * 1_000_000L;
                case "--consumers" -> consumers = Integer.parseInt(args[i + 1]);
                case "--pairs" -> pairs = Integer.parseInt(args[i + 1]);
                case "--work" -> workDir = Path.of(args[i + 1]).toAbsolutePath();
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (0 != args.length % 2 || sizeBytes <= 0 || consumers <= 0 || pairs <= 0)
        {
            throw new IllegalArgumentException("usage: [--size-mb N] [--consumers N] [--pairs N] [--work DIR]");
        }
        Files.createDirectories(workDir);
        final TerminalTextFile file = TerminalTextFile.create(workDir, sizeBytes);
        final long expectedCrc = ptyCrc(file);
        System.out.printf(Locale.ROOT, "daemon fan-out: cat of %,d bytes (%,d through the PTY), 0 vs %d consumer " +
            "JVMs following it live, %d pairs; load average %s%n", file.length(), file.ptyLength(), consumers, pairs,
            Files.readString(Path.of("/proc/loadavg")).trim());
        final Path journal = workDir.resolve("journal");
        BenchFiles.deleteRecursively(journal);
        double sumNone = 0;
        double sumWith = 0;
        final List<ChildJvm> children = new ArrayList<>();
        try (BenchDaemon daemon = BenchDaemon.start(workDir, journal, "daemon", List.of()))
        {
            for (int i = 0; i < WARM_UP_SESSIONS; i++)
            {
                System.out.printf(Locale.ROOT, "warm-up session: %.1f MB/s%n", session(daemon, file, List.of(),
                    expectedCrc));
            }
            for (int i = 0; i < consumers; i++)
            {
                children.add(ChildJvm.start(DaemonFanOutHarness.class, "consumer", journal.toString()));
            }
            warmUpConsumers(daemon, file, children, expectedCrc);
            for (int round = 0; round < 2 * pairs; round++)
            {
                final int n = 0 == round % 2 ? 0 : consumers;
                final double rate = session(daemon, file, 0 == n ? List.of() : children, expectedCrc);
                if (0 == n)
                {
                    sumNone += rate;
                }
                else
                {
                    sumWith += rate;
                }
            }
        }
        finally
        {
            children.forEach(ChildJvm::close);
            BenchFiles.deleteRecursively(journal);
        }
        System.out.printf(Locale.ROOT, "mean MB/s: none %.1f, with %d consumers %.1f, ratio %.3fx (target >= 0.9x); " +
            "load average %s%n", sumNone / pairs, consumers, sumWith / pairs, sumWith / sumNone,
            Files.readString(Path.of("/proc/loadavg")).trim());
    }

    /**
     * The consumer JVMs follow unmeasured sessions until none of them compiled for more than
     * {@value #SETTLED_COMPILE_MS} ms in the last one, or {@value #MAX_CONSUMER_WARM_UPS} sessions.
     */
    private static void warmUpConsumers(
        final BenchDaemon daemon, final TerminalTextFile file, final List<ChildJvm> children, final long expectedCrc)
        throws Exception
    {
        for (int i = 1; i <= MAX_CONSUMER_WARM_UPS; i++)
        {
            follow(children);
            final long sessionId = record(daemon, file);
            final Checked checked = check(children, sessionId, file, expectedCrc);
            System.out.printf(Locale.ROOT, "consumer warm-up session %d: consumers cpu %.2f s, most compile time " +
                "in one consumer %d ms%n", i, checked.cpuS, checked.maxCompileMs);
            if (checked.maxCompileMs <= SETTLED_COMPILE_MS)
            {
                return;
            }
        }
    }

    /**
     * Record one session of {@code cat FILE} with {@code consumers} following it.
     *
     * @return the producer's throughput in MB/s.
     */
    private static double session(
        final BenchDaemon daemon, final TerminalTextFile file, final List<ChildJvm> consumers, final long expectedCrc)
        throws Exception
    {
        follow(consumers);
        final ProcessCpu before = ProcessCpu.of(daemon.pid());
        final long startNs = System.nanoTime();
        final long sessionId = record(daemon, file);
        final double seconds = (System.nanoTime() - startNs) / 1e9;
        final double daemonCpuS = ProcessCpu.of(daemon.pid()).selfSecondsSince(before);
        final double rate = file.ptyLength() / seconds / 1e6;
        final Checked checked = check(consumers, sessionId, file, expectedCrc);
        System.out.printf(Locale.ROOT, "consumers %d: %7.1f MB/s in %6.2f s, daemon cpu %5.2f s%s%n",
            consumers.size(), rate, seconds, daemonCpuS, consumers.isEmpty() ? "" : String.format(Locale.ROOT,
            ", consumers cpu %.2f s (most compile time in one %d ms), all %d received the exact bytes",
            checked.cpuS, checked.maxCompileMs, consumers.size()));

        return rate;
    }

    /**
     * Each consumer opens a new adapter at the journal's end and follows the next session that starts.
     */
    private static void follow(final List<ChildJvm> consumers)
    {
        consumers.forEach(child -> child.send(FOLLOW));
        consumers.forEach(child -> child.awaitLine(READY));
    }

    private static long record(final BenchDaemon daemon, final TerminalTextFile file) throws Exception
    {
        final long sessionId;
        try (DaemonProxy proxy = DaemonProxy.connect(daemon.journal()))
        {
            sessionId = proxy.newSession(new SessionSpec("", List.of("cat", file.path().toString()), null, null,
                80, 24));
        }
        daemon.awaitSessionExit(sessionId, DEADLINE_MS);

        return sessionId;
    }

    /**
     * Every consumer's report of one session: its exact bytes, or the run fails.
     *
     * @return the consumers' CPU and the most compile time in one of them during the session, for the table.
     */
    private static Checked check(
        final List<ChildJvm> children, final long sessionId, final TerminalTextFile file, final long expectedCrc)
    {
        double cpuS = 0;
        long maxCompileMs = 0;
        for (final ChildJvm child : children)
        {
            // session bytes crc cpuMs compileMs
            final String[] result = child.awaitLine(RESULT).split(" ");
            cpuS += Long.parseLong(result[3]) / 1000.0;
            maxCompileMs = Math.max(maxCompileMs, Long.parseLong(result[4]));
            if (Long.parseLong(result[0]) != sessionId || Long.parseLong(result[1]) != file.ptyLength() ||
                Long.parseLong(result[2]) != expectedCrc)
            {
                throw new IllegalStateException("a consumer did not receive session " + sessionId + "'s exact bytes (" +
                    file.ptyLength() + " bytes, CRC-32C " + expectedCrc + "): session, bytes, CRC " +
                    String.join(" ", result));
            }
        }

        return new Checked(cpuS, maxCompileMs);
    }

    /**
     * A consumer JVM: for each {@value #FOLLOW} line on its stdin, a new adapter at the journal's end follows the
     * next session that starts, with the idle strategy of a viewer, and reports it; it ends with its stdin.
     */
    private static void runConsumer(final Path journal) throws IOException
    {
        final CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        final BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        final FollowedSession followed = new FollowedSession();
        try (JournalReader reader = JournalReader.open(journal))
        {
            while (FOLLOW.equals(commands.readLine()))
            {
                followed.next();
                final JournalAdapter adapter = reader.adapter(followed, StartPosition.end());
                final IdleStrategy idle = BenchIdle.consumerDefault(adapter);
                final JournalAgent agent = new JournalAgent(adapter);
                agent.doWork(); // opens the tailer at the journal's end
                System.out.println(READY);
                final long cpuStartNs = ProcessCpu.currentJvmNs();
                final long compileStartMs = jit.getTotalCompilationTime();
                // The same duty cycle as AgentRunner, on this thread.
                while (!followed.exited)
                {
                    idle.idle(agent.doWork());
                }
                System.out.println(RESULT + " " + followed.sessionId + " " + followed.bytes + " " +
                    followed.crc.getValue() + " " + (ProcessCpu.currentJvmNs() - cpuStartNs) / 1_000_000 + " " +
                    (jit.getTotalCompilationTime() - compileStartMs));
                agent.onClose();
            }
        }
    }

    /**
     * CRC-32C of the file's bytes as a PTY delivers them ({@code \n} as {@code \r\n}).
     */
    private static long ptyCrc(final TerminalTextFile file) throws IOException
    {
        final CRC32C crc = new CRC32C();
        final byte[] chunk = new byte[1 << 16];
        try (TerminalTextFile.PtyBytes bytes = file.openPtyBytes())
        {
            int length = 0;
            int b;
            while ((b = bytes.next()) >= 0)
            {
                chunk[length++] = (byte)b;
                if (length == chunk.length)
                {
                    crc.update(chunk, 0, length);
                    length = 0;
                }
            }
            crc.update(chunk, 0, length);
        }

        return crc.getValue();
    }


    /**
     * The consumers' CPU in one session, and the most time one of them spent compiling.
     */
    private record Checked(double cpuS, long maxCompileMs)
    {
    }

    /**
     * Follows the sessions that start after the consumer attached, one at a time: counts the output of the current
     * one and checksums it.
     */
    private static final class FollowedSession implements JournalListener
    {
        private final CRC32C crc = new CRC32C();
        private byte[] copy = new byte[64 * 1024];
        private long sessionId = -1;
        private long bytes;
        private boolean exited;

        void next()
        {
            crc.reset();
            sessionId = -1;
            bytes = 0;
            exited = false;
        }

        @Override
        public void onSessionStarted(final long index, final SessionStartedDecoder decoder)
        {
            if (-1 == sessionId)
            {
                sessionId = decoder.sessionId();
            }
        }

        @Override
        public void onOutput(
            final long index, final long sessionId, final long streamPosition, final long timestampNs,
            final DirectBuffer buffer, final int offset, final int length)
        {
            if (sessionId == this.sessionId)
            {
                if (copy.length < length)
                {
                    copy = new byte[length];
                }
                buffer.getBytes(offset, copy, 0, length);
                crc.update(copy, 0, length);
                bytes += length;
            }
        }

        @Override
        public void onSessionExited(final long index, final SessionExitedDecoder decoder)
        {
            if (decoder.sessionId() == sessionId)
            {
                exited = true;
            }
        }
    }
}
