package io.ptyq.bench;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The floor a sleeping consumer meets on this machine: how late {@code LockSupport.parkNanos(p)} returns, for a range
 * of park periods, with the kernel's default timer slack (50 µs) and with a slack of 1 ns
 * ({@code prctl(PR_SET_TIMERSLACK)}), and what each park costs: the thread's CPU per park, and the machine's steal
 * time (from {@code /proc/stat}: time a vCPU was ready to run while the hypervisor ran something else) over the same
 * seconds. Nothing else runs, so this is the machine alone.
 * <p>
 * Arguments: seconds per setting (3).
 */
public final class ParkOvershootHarness
{
    private static final long[] PARKS_NS = { 1_000, 50_000, 100_000, 250_000, 1_000_000 };
    private static final long[] SLACKS_NS = { 50_000, 1 };
    private static final int PR_SET_TIMERSLACK = 29;
    private static final int PR_GET_TIMERSLACK = 30;
    private static final int STEAL_FIELD = 8;
    private static final int USER_HZ = 100;

    static
    {
        Native.register(Platform.C_LIBRARY_NAME);
    }

    private ParkOvershootHarness()
    {
    }

    /**
     * @param args [secondsPerSetting]
     * @throws IOException if /proc/stat cannot be read.
     */
    public static void main(final String[] args) throws IOException
    {
        final long settingNs = TimeUnit.SECONDS.toNanos(args.length > 0 ? Integer.parseInt(args[0]) : 3);
        final var threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        System.out.printf("parkNanos(p) overshoot on one thread, %d s per setting; steal: of both vCPUs' time%n",
            TimeUnit.NANOSECONDS.toSeconds(settingNs));
        System.out.printf("%-9s %9s %10s %9s %9s %10s %9s %10s %11s %7s%n", "slack ns", "park us", "parks/s",
            "p50 us", "p99 us", "p99.9 us", "max us", "over 1 ms", "CPU/park us", "steal");
        for (final long slackNs : SLACKS_NS)
        {
            if (0 != prctl(PR_SET_TIMERSLACK, slackNs, 0, 0, 0) || prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0) != slackNs)
            {
                throw new IllegalStateException("cannot set this thread's timer slack to " + slackNs + " ns");
            }
            for (final long parkNs : PARKS_NS)
            {
                final Histogram overshoot = new Histogram(TimeUnit.SECONDS.toNanos(1), 3);
                final long stealBefore = stealTicks();
                final long cpuBefore = threads.getCurrentThreadCpuTime();
                final long startNs = System.nanoTime();
                long nowNs = startNs;
                while (nowNs - startNs < settingNs)
                {
                    final long beforeNs = nowNs;
                    LockSupport.parkNanos(parkNs);
                    nowNs = System.nanoTime();
                    overshoot.recordValue(Math.max(0, Math.min(nowNs - beforeNs - parkNs, TimeUnit.SECONDS.toNanos(1))));
                }
                final long cpuNs = threads.getCurrentThreadCpuTime() - cpuBefore;
                final double stealShare = (stealTicks() - stealBefore) / (double)USER_HZ /
                    ((nowNs - startNs) / 1e9 * Runtime.getRuntime().availableProcessors());
                final long parks = overshoot.getTotalCount();
                System.out.printf("%-9d %9.0f %10.0f %9.1f %9.1f %10.1f %9.1f %9.2f%% %11.1f %6.1f%%%n", slackNs,
                    parkNs / 1e3, parks / ((nowNs - startNs) / 1e9), overshoot.getValueAtPercentile(50) / 1e3,
                    overshoot.getValueAtPercentile(99) / 1e3, overshoot.getValueAtPercentile(99.9) / 1e3,
                    overshoot.getMaxValue() / 1e3,
                    100.0 * (parks - overshoot.getCountBetweenValues(0, TimeUnit.MILLISECONDS.toNanos(1))) / parks,
                    cpuNs / 1e3 / parks, 100 * stealShare);
            }
        }
    }

    /**
     * @return steal time of all CPUs so far, in USER_HZ ticks: the eighth number of /proc/stat's "cpu" line.
     */
    private static long stealTicks() throws IOException
    {
        try (var lines = Files.lines(Path.of("/proc/stat")))
        {
            final String[] fields = lines.findFirst().orElseThrow().trim().split("\\s+");
            return Long.parseLong(fields[STEAL_FIELD]);
        }
    }

    private static native int prctl(int option, long arg2, long arg3, long arg4, long arg5);
}
