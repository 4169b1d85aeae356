package io.ptyq.producer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Gives each session's program the signal state a program in a new terminal expects: every signal at its default
 * action and none blocked.
 * <p>
 * pty4j's spawn resets only SIGPIPE, SIGINT and SIGQUIT in the child; everything else a program inherits from the
 * daemon's spawning thread. A daemon started under {@code nohup} ignores SIGHUP, and so would its sessions: a session
 * would then outlive its terminal's hang-up (a crash of the daemon leaves it running, writing to a dead terminal
 * forever) and ignore the SIGHUP of the daemon's orderly stop. A signal blocked in the daemon's thread would stay
 * blocked in the program (SIGQUIT blocked leaves Ctrl-\ dead). When the spawning thread's state differs from the
 * default in any such way, the program starts through coreutils' {@code env --default-signal}, which sets every
 * signal's action to the default, unblocks it, and execs the program in the same process (same pid, same arguments).
 * A daemon started normally spawns directly, as before.
 */
final class SessionSignals
{
    /**
     * coreutils' env (8.31 or later has --default-signal).
     */
    static final String ENV = "/usr/bin/env";

    private static final Path THREAD_STATUS = Path.of("/proc/thread-self/status");
    private static final long STANDARD_SIGNALS = (1L << 31) - 1; // signals 1..31; glibc keeps 32 and 33 for itself
    private static final long RESET_BY_PTY4J = bit(2) | bit(3) | bit(13); // SIGINT, SIGQUIT, SIGPIPE

    private static Boolean envResets;

    private SessionSignals()
    {
    }

    /**
     * @param argv the session's program and arguments.
     * @param log  told once if the signal state needs a reset that this machine's env cannot make.
     * @return what to spawn: {@code argv}, or {@code argv} behind {@code env --default-signal --}.
     */
    static List<String> spawnArgv(final List<String> argv, final Consumer<String> log)
    {
        // env would read a program name with '=' in it as a variable to set.
        if (!needsReset(threadStatus()) || argv.get(0).contains("="))
        {
            return argv;
        }
        if (!envResets(log))
        {
            return argv;
        }
        final List<String> wrapped = new ArrayList<>(argv.size() + 3);
        wrapped.add(ENV);
        wrapped.add("--default-signal");
        wrapped.add("--");
        wrapped.addAll(argv);

        return wrapped;
    }

    /**
     * @param status the text of a thread's {@code /proc/.../status}, or null when there is none.
     * @return true if the thread ignores or blocks a standard signal that pty4j leaves as it is in the child.
     */
    static boolean needsReset(final String status)
    {
        if (null == status)
        {
            return false;
        }
        final long ignored = field(status, "SigIgn:") & STANDARD_SIGNALS & ~RESET_BY_PTY4J;
        final long blocked = field(status, "SigBlk:") & STANDARD_SIGNALS;

        return 0 != (ignored | blocked);
    }

    private static long field(final String status, final String name)
    {
        final int start = status.indexOf(name);
        if (start < 0)
        {
            return 0;
        }
        final int end = status.indexOf('\n', start);
        final String hex = status.substring(start + name.length(), end < 0 ? status.length() : end).trim();

        return Long.parseUnsignedLong(hex, 16); // 16 hex digits: signals 1..64
    }

    private static String threadStatus()
    {
        try
        {
            return Files.readString(THREAD_STATUS);
        }
        catch (final IOException | RuntimeException ex)
        {
            return null; // not Linux, or no /proc: nothing to go by
        }
    }

    private static synchronized boolean envResets(final Consumer<String> log)
    {
        if (null == envResets)
        {
            envResets = probe();
            if (!envResets)
            {
                log.accept("sessions inherit this daemon's ignored or blocked signals (SIGHUP under nohup): " + ENV +
                    " has no --default-signal (coreutils 8.31 or later) to reset them");
            }
        }

        return envResets;
    }

    private static boolean probe()
    {
        if (!Files.isExecutable(Path.of(ENV)))
        {
            return false;
        }
        try
        {
            final Process process = new ProcessBuilder(ENV, "--default-signal", "true")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
            if (!process.waitFor(10, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                return false;
            }
            return 0 == process.exitValue();
        }
        catch (final IOException ex)
        {
            return false;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static long bit(final int signal)
    {
        return 1L << (signal - 1);
    }
}
