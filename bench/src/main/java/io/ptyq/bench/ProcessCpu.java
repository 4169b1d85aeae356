package io.ptyq.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time of a live process from {@code /proc/PID/stat}: its own threads (live and exited) and its reaped children.
 * Linux only; the unit is the kernel's clock tick ({@code getconf CLK_TCK}, 100 on every Linux this runs on).
 *
 * @param selfTicks     utime + stime of every thread of the process.
 * @param childrenTicks cutime + cstime: children the process has waited for.
 */
record ProcessCpu(long selfTicks, long childrenTicks)
{
    /**
     * Clock ticks per second ({@code sysconf(_SC_CLK_TCK)}), checked once at start by the harness.
     */
    static final int TICKS_PER_SECOND = 100;

    /**
     * @return CPU time of this JVM so far, in ns, from the JVM itself (no /proc read, no tick rounding).
     */
    static long currentJvmNs()
    {
        return ((com.sun.management.OperatingSystemMXBean)java.lang.management.ManagementFactory
            .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /**
     * @param pid a live process.
     * @return its CPU so far.
     */
    static ProcessCpu of(final long pid) throws IOException
    {
        final String[] fields = fields(Path.of("/proc", Long.toString(pid), "stat"));
        final int cutime = 13;
        final int cstime = 14;

        return new ProcessCpu(selfTicks(fields), Long.parseLong(fields[cutime]) + Long.parseLong(fields[cstime]));
    }

    /**
     * @param pid a live process.
     * @return CPU ticks so far of each live thread, by "name tid".
     */
    static Map<String, Long> threadTicks(final long pid) throws IOException
    {
        final Map<String, Long> ticks = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task")))
        {
            for (final Path task : tasks.toList())
            {
                try
                {
                    final String name = Files.readString(task.resolve("comm")).trim();
                    ticks.put(name + " " + task.getFileName(), selfTicks(fields(task.resolve("stat"))));
                }
                catch (final NoSuchFileException ex)
                {
                    // The thread ended between the listing and the read.
                }
            }
        }

        return ticks;
    }

    private static String[] fields(final Path stat) throws IOException
    {
        final String text = Files.readString(stat);
        // The command name in parentheses may hold spaces: fields are counted from after its closing parenthesis.
        return text.substring(text.lastIndexOf(')') + 2).trim().split(" ");
    }

    private static long selfTicks(final String[] fields)
    {
        final int utime = 11;
        final int stime = 12;

        return Long.parseLong(fields[utime]) + Long.parseLong(fields[stime]);
    }

    /**
     * @param before an earlier reading of the same process.
     * @return seconds of the process's own CPU between the two readings.
     */
    double selfSecondsSince(final ProcessCpu before)
    {
        return (selfTicks - before.selfTicks) / (double)TICKS_PER_SECOND;
    }

    /**
     * @param before an earlier reading of the same process.
     * @return seconds of CPU of children reaped between the two readings.
     */
    double childrenSecondsSince(final ProcessCpu before)
    {
        return (childrenTicks - before.childrenTicks) / (double)TICKS_PER_SECOND;
    }
}
