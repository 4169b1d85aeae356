package io.ptyq.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A daemon's standard output, read line by line on a thread of its own and copied to a file. The harness waits for
 * a log line here instead of polling: blocked on the pipe, the reading thread takes no CPU from the recording.
 */
final class DaemonLog implements Runnable
{
    private final BufferedReader in;
    private final Writer copy;
    private final List<String> lines = new ArrayList<>();
    private boolean ended;

    private DaemonLog(final BufferedReader in, final Writer copy)
    {
        this.in = in;
        this.copy = copy;
    }

    /**
     * Start reading a process's standard output, which must be a pipe.
     *
     * @param process the daemon.
     * @param copyTo  file that gets every line.
     * @return the log.
     */
    static DaemonLog start(final Process process, final Path copyTo) throws IOException
    {
        final DaemonLog log = new DaemonLog(
            new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)),
            Files.newBufferedWriter(copyTo, StandardCharsets.UTF_8));
        final Thread thread = new Thread(log, "daemon-log");
        thread.setDaemon(true);
        thread.start();

        return log;
    }

    @Override
    public void run()
    {
        try (BufferedReader reader = in; Writer writer = copy)
        {
            String line;
            while (null != (line = reader.readLine()))
            {
                writer.write(line);
                writer.write('\n');
                writer.flush();
                synchronized (this)
                {
                    lines.add(line);
                    notifyAll();
                }
            }
        }
        catch (final IOException ex)
        {
            // The JDK closes a process's pipe once the process has exited: the end of the log.
        }
        finally
        {
            synchronized (this)
            {
                ended = true;
                notifyAll();
            }
        }
    }

    /**
     * Wait until a line containing the text has been logged.
     *
     * @param text      what the line contains.
     * @param timeoutMs how long to wait.
     * @return true if such a line is in the log; false on timeout or if the daemon closed its output first.
     */
    synchronized boolean await(final String text, final long timeoutMs) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        int checked = 0;
        while (true)
        {
            for (; checked < lines.size(); checked++)
            {
                if (lines.get(checked).contains(text))
                {
                    return true;
                }
            }
            final long remainingNs = deadlineNs - System.nanoTime();
            if (ended || remainingNs <= 0)
            {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, remainingNs);
        }
    }
}
