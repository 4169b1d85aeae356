package io.ptyq.consumer;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

import java.util.Locale;

/**
 * Asks Linux for a short scheduler slice on the calling thread, so that a consumer which sleeps between frames is
 * run soon after it wakes even when CPU-bound tasks hold every core; and, when turned on, for the {@code SCHED_BATCH}
 * policy while output floods, so that its wake-ups never preempt the producer.
 * <p>
 * Since Linux 6.12 the fair scheduler (EEVDF) takes a per-thread slice from {@code sched_setattr}'s
 * {@code sched_runtime} for {@code SCHED_OTHER} and {@code SCHED_BATCH} threads; a thread with a shorter slice gets
 * an earlier deadline, so its wake-up preempts a running task with a longer one instead of waiting for that task's
 * slice or the next tick. It costs no CPU and needs no privilege; the thread's policy and nice value are kept. Older
 * kernels ignore the value and other systems are left alone, as is a process without JNA on its class path
 * ({@code bin/ptyq} leaves JNA out of one-shot commands). {@code -Dptyq.scheduler.slice=false} turns it off;
 * {@code -Dptyq.scheduler.slice=always} keeps it in {@link JournalAgent#defaultIdleStrategy()} while output streams.
 * <p>
 * A {@code SCHED_BATCH} thread is a fair-scheduler thread like any other (same nice value, same share of the CPU),
 * except that its wake-ups do not preempt a running task: it waits for an idle core or the running task's tick. A
 * consumer following a flood wakes up only to read a batch that is already there, so that costs it nothing, while
 * each of its wake-ups under {@code SCHED_OTHER} would push the producer, or the program writing the flood, off a
 * core. Unlike {@code SCHED_IDLE} or a higher nice value, an unprivileged thread may go back to {@code SCHED_OTHER}
 * at any time, which the default idle strategy does as soon as the flood ends. It is off unless
 * {@code -Dptyq.scheduler.batch=true}: on this project's 2-vCPU machine it made no measurable difference to the
 * producer's throughput with 8 consumers, and the backoff's p99 latency came out worse with it in two runs of three
 * (a stream of lines that bursts after a stall can look like a flood for one wake-up; see bench/README.md, session
 * 7).
 */
public final class SchedulerSlice
{
    /**
     * The slice asked for, the shortest Linux accepts.
     */
    public static final long SLICE_NS = 100_000;

    /**
     * The system property that turns the request off when set to {@code false}.
     */
    public static final String ENABLED_PROPERTY = "ptyq.scheduler.slice";

    /**
     * The value of {@link #ENABLED_PROPERTY} that keeps the short slice in the default idle strategy while output
     * streams as well: less latency when CPU-bound tasks share the machine, at the cost of consumers that preempt the
     * producer on every wake-up.
     */
    public static final String ALWAYS = "always";

    /**
     * The system property that lets the default idle strategy move a thread to {@code SCHED_BATCH} in a flood when
     * set to {@code true}.
     */
    public static final String BATCH_PROPERTY = "ptyq.scheduler.batch";

    private static final int SCHED_ATTR_SIZE = 48;
    private static final int SIZE_OFFSET = 0;
    private static final int POLICY_OFFSET = 4;
    private static final int RUNTIME_OFFSET = 24;
    private static final int SCHED_OTHER = 0;
    private static final int SCHED_BATCH = 3;
    private static final int KEEP_POLICY = -1;
    private static final long NO_SYSCALL = -1;
    private static final long SETATTR = syscallNumber(true);
    private static final long GETATTR = syscallNumber(false);
    private static final boolean JNA = jnaPresent();

    private SchedulerSlice()
    {
    }

    /**
     * Ask for a {@link #SLICE_NS} slice on the calling thread; best effort.
     *
     * @return true if the kernel took the request (a kernel before 6.12 takes it and ignores it).
     */
    public static boolean requestForCurrentThread()
    {
        return setForCurrentThread(SLICE_NS);
    }

    /**
     * Give the calling thread the kernel's default slice again, as if it had never asked; best effort.
     *
     * @return true if the kernel took the request.
     */
    public static boolean resetForCurrentThread()
    {
        return setForCurrentThread(0);
    }

    /**
     * Set the calling thread's slice and policy together (its attributes are read, then set); best effort. A thread
     * under another policy than {@code SCHED_OTHER} or {@code SCHED_BATCH} (real-time, {@code SCHED_IDLE}) is left
     * alone.
     *
     * @param shortSlice true: a {@link #SLICE_NS} slice (unless slices are turned off); false: the kernel's default.
     * @param batch      true: {@code SCHED_BATCH}; false: {@code SCHED_OTHER}.
     * @return true if the kernel took the request.
     */
    public static boolean setForCurrentThread(final boolean shortSlice, final boolean batch)
    {
        final boolean slices = !"false".equals(System.getProperty(ENABLED_PROPERTY));
        return set(shortSlice && slices ? SLICE_NS : 0, batch ? SCHED_BATCH : SCHED_OTHER);
    }

    /**
     * @return whether {@code -Dptyq.scheduler.batch=true} asks the default idle strategy for {@code SCHED_BATCH} in a
     * flood.
     */
    public static boolean isBatchEnabled()
    {
        return "true".equals(System.getProperty(BATCH_PROPERTY));
    }

    private static boolean setForCurrentThread(final long sliceNs)
    {
        return !"false".equals(System.getProperty(ENABLED_PROPERTY)) && set(sliceNs, KEEP_POLICY);
    }

    private static boolean set(final long sliceNs, final int policy)
    {
        if (NO_SYSCALL != SETATTR && JNA)
        {
            try
            {
                return Attributes.set(sliceNs, policy);
            }
            catch (final UnsatisfiedLinkError | RuntimeException ex)
            {
                return false;
            }
        }

        return false;
    }

    /**
     * @return the calling thread's requested slice in ns (0: the kernel's default), or -1 if it cannot be read here.
     */
    public static long currentThreadSliceNs()
    {
        if (NO_SYSCALL == GETATTR || !JNA)
        {
            return -1;
        }
        try
        {
            return Attributes.sliceNs();
        }
        catch (final UnsatisfiedLinkError | RuntimeException ex)
        {
            return -1;
        }
    }

    /**
     * @return true if the calling thread runs under {@code SCHED_BATCH}; false if not or if it cannot be read here.
     */
    public static boolean isCurrentThreadBatch()
    {
        if (NO_SYSCALL == GETATTR || !JNA)
        {
            return false;
        }
        try
        {
            return SCHED_BATCH == Attributes.policy();
        }
        catch (final UnsatisfiedLinkError | RuntimeException ex)
        {
            return false;
        }
    }

    private static long syscallNumber(final boolean set)
    {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux"))
        {
            return NO_SYSCALL;
        }
        final String arch = System.getProperty("os.arch", "");
        if ("amd64".equals(arch) || "x86_64".equals(arch))
        {
            return set ? 314 : 315;
        }
        if ("aarch64".equals(arch))
        {
            return set ? 274 : 275;
        }

        return NO_SYSCALL;
    }

    private static boolean jnaPresent()
    {
        try
        {
            Class.forName("com.sun.jna.Native", false, SchedulerSlice.class.getClassLoader());
            return true;
        }
        catch (final ClassNotFoundException | LinkageError ex)
        {
            return false;
        }
    }

    /**
     * The calls through JNA, in a class of their own: it is loaded only when JNA is on the class path. libc's
     * {@code syscall} is bound once, by direct mapping (a looked-up {@code Function} per call would load the library
     * again whenever the collector had dropped JNA's weakly held handle to it), and each thread reuses one native
     * buffer for the attributes, so a change of slice or policy allocates nothing.
     */
    private static final class Attributes
    {
        private static final ThreadLocal<Memory> BUFFER = ThreadLocal.withInitial(() -> new Memory(SCHED_ATTR_SIZE));

        static
        {
            Native.register(Platform.C_LIBRARY_NAME);
        }

        private Attributes()
        {
        }

        static boolean set(final long sliceNs, final int newPolicy)
        {
            final Memory attr = current();
            final int policy = null == attr ? -1 : attr.getInt(POLICY_OFFSET);
            if (SCHED_OTHER == policy || SCHED_BATCH == policy)
            {
                // A runtime of 0 is the kernel's default slice; the nice value read above is kept.
                if (KEEP_POLICY != newPolicy)
                {
                    attr.setInt(POLICY_OFFSET, newPolicy);
                }
                attr.setLong(RUNTIME_OFFSET, sliceNs);
                return 0 == syscall(SETATTR, 0, attr, 0); // sched_setattr(0, attr, 0)
            }

            return false;
        }

        static int policy()
        {
            final Memory attr = current();
            return null == attr ? -1 : attr.getInt(POLICY_OFFSET);
        }

        static long sliceNs()
        {
            final Memory attr = current();
            return null == attr ? -1 : attr.getLong(RUNTIME_OFFSET);
        }

        private static Memory current()
        {
            final Memory attr = BUFFER.get();
            attr.clear();
            attr.setInt(SIZE_OFFSET, SCHED_ATTR_SIZE);
            // sched_getattr(0, attr, size, 0): pid 0 is the calling thread.
            return 0 == syscall(GETATTR, 0, attr, SCHED_ATTR_SIZE, 0) ? attr : null;
        }

        /**
         * {@code syscall(number, pid, attr, flags)}: sched_setattr.
         */
        private static native int syscall(long number, long pid, Pointer attr, long flags);

        /**
         * {@code syscall(number, pid, attr, size, flags)}: sched_getattr.
         */
        private static native int syscall(long number, long pid, Pointer attr, long size, long flags);
    }
}
