package io.ptyq.consumer.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongConsumer;

/**
 * A one-line progress bar on stderr for long work, drawn only when stderr is a terminal and the work is large; at
 * most ten redraws a second, and erased when done. Not thread safe.
 */
final class ProgressBar implements LongConsumer, AutoCloseable
{
    /**
     * Work below this many bytes ends too soon for a bar to help.
     */
    static final long MIN_TOTAL_BYTES = 32L << 20;

    private static final long REDRAW_INTERVAL_NS = 100_000_000L;
    private static final int WIDTH = 30;

    private final PrintStream err;
    private final long total;
    private final boolean enabled;
    private long nextDrawNs;
    private boolean drawn;

    private ProgressBar(final PrintStream err, final long total, final boolean enabled)
    {
        this.err = err;
        this.total = total;
        this.enabled = enabled;
        this.nextDrawNs = System.nanoTime() + REDRAW_INTERVAL_NS * 5;
    }

    /**
     * @param totalBytes the bytes the work will read.
     * @return a bar on stderr, silent unless stderr is a terminal and the work is large.
     */
    static ProgressBar forStderr(final long totalBytes)
    {
        return new ProgressBar(System.err, totalBytes, totalBytes >= MIN_TOTAL_BYTES && isStderrTerminal());
    }

    /**
     * @return whether file descriptor 2 is a terminal (Linux: what /proc says it points to).
     */
    static boolean isStderrTerminal()
    {
        try
        {
            final String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return (target.startsWith("/dev/pts/") || target.startsWith("/dev/tty")) &&
                !"dumb".equals(System.getenv("TERM"));
        }
        catch (final IOException | UnsupportedOperationException | SecurityException ex)
        {
            return false;
        }
    }

    @Override
    public void accept(final long doneBytes)
    {
        if (!enabled)
        {
            return;
        }
        final long nowNs = System.nanoTime();
        if (nowNs - nextDrawNs < 0)
        {
            return;
        }
        nextDrawNs = nowNs + REDRAW_INTERVAL_NS;
        final long done = Math.min(doneBytes, total);
        final int filled = (int)(WIDTH * done / total);
        final StringBuilder line = new StringBuilder(WIDTH + 40).append("\r[");
        for (int i = 0; i < WIDTH; i++)
        {
            line.append(i < filled ? '#' : ' ');
        }
        line.append("] ").append(100 * done / total).append("% ").append(done >> 20).append('/')
            .append(total >> 20).append(" MiB");
        err.print(line);
        err.flush();
        drawn = true;
    }

    @Override
    public void close()
    {
        if (drawn)
        {
            // Erase the bar so whatever comes next starts on a clean line.
            err.print("\r\033[K");
            err.flush();
        }
    }
}
