package io.ptyq.producer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a live JVM process holds: open file descriptors ({@code /proc/PID/fd}), memory mappings
 * ({@code /proc/PID/maps}), mapped journal files among them, and its heap in use just after a full GC (through
 * {@code jcmd}).
 */
record ProcessFootprint(long fds, long maps, long journalMaps, long heapUsedKb)
{
    private static final Pattern HEAP_USED = Pattern.compile("heap\\s+total\\s+\\d+K,\\s+used\\s+(\\d+)K");

    static ProcessFootprint of(final long pid) throws IOException, InterruptedException
    {
        final long heapUsedKb = heapUsedAfterGcKb(pid);
        final long fds;
        try (Stream<Path> entries = Files.list(Path.of("/proc", Long.toString(pid), "fd")))
        {
            fds = entries.count();
        }
        final var maps = Files.readAllLines(Path.of("/proc", Long.toString(pid), "maps"));
        final long journalMaps = maps.stream().filter(line -> line.endsWith(".cq4") || line.contains(".cq4 ")).count();

        return new ProcessFootprint(fds, maps.size(), journalMaps, heapUsedKb);
    }

    private static long heapUsedAfterGcKb(final long pid) throws IOException, InterruptedException
    {
        jcmd(pid, "GC.run");
        final String info = jcmd(pid, "GC.heap_info");
        final Matcher matcher = HEAP_USED.matcher(info);
        if (!matcher.find())
        {
            throw new AssertionError("no heap figure in jcmd GC.heap_info output: " + info);
        }

        return Long.parseLong(matcher.group(1));
    }

    private static String jcmd(final long pid, final String command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid), command)
            .redirectErrorStream(true).start();
        final byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0)
        {
            throw new AssertionError("jcmd " + pid + " " + command + " failed: " +
                new String(out, StandardCharsets.UTF_8));
        }

        return new String(out, StandardCharsets.UTF_8);
    }

    @Override
    public String toString()
    {
        return "fds " + fds + ", maps " + maps + " (journal " + journalMaps + "), heap after GC " + heapUsedKb + " KiB";
    }
}
