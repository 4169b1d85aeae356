package io.ptyq.producer;

import com.sun.jna.Library;
import com.sun.jna.Native;

import java.util.Locale;
import java.util.Map;

/**
 * Signal names and numbers (Linux), and delivery to a session's process group through libc.
 */
public final class Signals
{
    /**
     * SIGHUP, sent to every session when the daemon stops.
     */
    public static final int SIGHUP = 1;

    /**
     * SIGKILL, sent to sessions still alive after the grace period.
     */
    public static final int SIGKILL = 9;

    /**
     * SIGTERM, the default of {@code ptyq kill}.
     */
    public static final int SIGTERM = 15;

    private static final Map<String, Integer> NUMBERS = Map.ofEntries(
        Map.entry("HUP", 1), Map.entry("INT", 2), Map.entry("QUIT", 3), Map.entry("ILL", 4), Map.entry("TRAP", 5),
        Map.entry("ABRT", 6), Map.entry("BUS", 7), Map.entry("FPE", 8), Map.entry("KILL", 9), Map.entry("USR1", 10),
        Map.entry("SEGV", 11), Map.entry("USR2", 12), Map.entry("PIPE", 13), Map.entry("ALRM", 14),
        Map.entry("TERM", 15), Map.entry("CHLD", 17), Map.entry("CONT", 18), Map.entry("STOP", 19),
        Map.entry("TSTP", 20), Map.entry("TTIN", 21), Map.entry("TTOU", 22), Map.entry("WINCH", 28));

    private Signals()
    {
    }

    /**
     * @param name a signal name ({@code TERM}, {@code SIGTERM}, {@code term}) or number.
     * @return its number, or -1 if unknown.
     */
    public static int number(final String name)
    {
        final String upper = name.trim().toUpperCase(Locale.ROOT);
        if (upper.matches("\\d{1,2}"))
        {
            final int number = Integer.parseInt(upper);
            return number >= 1 && number <= 64 ? number : -1;
        }
        final Integer number = NUMBERS.get(upper.startsWith("SIG") ? upper.substring(3) : upper);

        return null == number ? -1 : number;
    }

    /**
     * Send a signal to a process's group, or to the process if it has no group of its own.
     *
     * @param pid    the process, leader of its group (as a PTY session's child is).
     * @param signal the signal number.
     * @return true if delivered.
     */
    public static boolean send(final int pid, final int signal)
    {
        if (pid <= 0)
        {
            return false;
        }

        return LibC.INSTANCE.killpg(pid, signal) == 0 || LibC.INSTANCE.kill(pid, signal) == 0;
    }

    /**
     * The two libc calls ptyq needs.
     */
    interface LibC extends Library
    {
        LibC INSTANCE = Native.load("c", LibC.class);

        int kill(int pid, int signal);

        int killpg(int pgrp, int signal);
    }
}
