package io.ptyq.bridge;

import com.sun.management.OperatingSystemMXBean;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * CPU time used by this JVM and by the Chromium processes, read from the JVM and {@code /proc}, so the browser bench
 * can say where each run's CPU went on a shared machine.
 */
final class ProcessCpu
{
    static final String LEGEND = "jvm (bridge, baseline server, Selenium) / chromium renderer / chromium network " +
        "service / rest of chromium";
    private static final Pattern TYPE = Pattern.compile("--type=([a-z-]+)");
    private static final Pattern UTILITY = Pattern.compile("--utility-sub-type=([A-Za-z.]+)");
    private static final long TICKS_PER_SECOND = 100;

    private ProcessCpu()
    {
    }

    /**
     * CPU seconds so far, by process group.
     *
     * @param jvm      this JVM.
     * @param renderer Chromium's renderer processes.
     * @param network  Chromium's network service.
     * @param other    the rest of Chromium (browser, GPU, other utilities).
     */
    record Sample(double jvm, double renderer, double network, double other)
    {
        String minus(final Sample before)
        {
            return String.format(Locale.ROOT, "%.2f/%.2f/%.2f/%.2f", jvm - before.jvm, renderer - before.renderer,
                network - before.network, other - before.other);
        }
    }

    static Sample sample()
    {
        final double jvm = ((OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() /
            1e9;
        long renderer = 0;
        long network = 0;
        long other = 0;
        try (Stream<Path> processes = Files.list(Path.of("/proc")))
        {
            for (final Path dir : (Iterable<Path>)processes::iterator)
            {
                if (!dir.getFileName().toString().matches("\\d+"))
                {
                    continue;
                }
                final String cmdline;
                final String stat;
                try
                {
                    cmdline = new String(Files.readAllBytes(dir.resolve("cmdline")), StandardCharsets.UTF_8);
                    final int end = cmdline.indexOf('\0');
                    if (!(end < 0 ? cmdline : cmdline.substring(0, end)).contains("chromium"))
                    {
                        continue;
                    }
                    stat = Files.readString(dir.resolve("stat"));
                }
                catch (final IOException ex)
                {
                    // The process ended meanwhile.
                    continue;
                }
                // Fields after the command name: state is the 1st, utime the 12th, stime the 13th.
                final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                final long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                final Matcher type = TYPE.matcher(cmdline);
                final Matcher utility = UTILITY.matcher(cmdline);
                if (type.find() && "renderer".equals(type.group(1)))
                {
                    renderer += ticks;
                }
                else if (utility.find() && utility.group(1).contains("NetworkService"))
                {
                    network += ticks;
                }
                else
                {
                    other += ticks;
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }

        return new Sample(jvm, (double)renderer / TICKS_PER_SECOND, (double)network / TICKS_PER_SECOND,
            (double)other / TICKS_PER_SECOND);
    }
}
