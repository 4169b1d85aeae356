package io.ptyq.consumer;

import com.sun.jna.Function;
import com.sun.jna.Platform;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The scheduler slice on real threads of this machine's kernel: each check runs on a new thread, since the slice and
 * the nice value are per thread (and a thread inherits its creator's slice).
 */
class SchedulerSliceTest
{
    private static final int PRIO_PROCESS = 0;
    private static final int SYS_GETTID = 186;

    @Test
    void shouldSetTheShortSliceOnTheCallingThreadOnly() throws Exception
    {
        assumeSliceSupported();
        final long[] slices = onNewThread(() ->
        {
            final long before = SchedulerSlice.currentThreadSliceNs();
            final boolean taken = SchedulerSlice.requestForCurrentThread();
            return new long[] { before, taken ? 1 : 0, SchedulerSlice.currentThreadSliceNs() };
        });
        assertEquals(1, slices[1], "request taken");
        assertEquals(SchedulerSlice.SLICE_NS, slices[2]);
        assertTrue(slices[0] != SchedulerSlice.SLICE_NS, "a new thread starts on the default slice");
        assertTrue(SchedulerSlice.currentThreadSliceNs() != SchedulerSlice.SLICE_NS, "other threads keep theirs");
    }

    @Test
    void shouldKeepTheThreadsNiceValue() throws Exception
    {
        assumeSliceSupported();
        final int[] nice = onNewThread(() ->
        {
            final int tid = libc("syscall", (long)SYS_GETTID);
            libc("setpriority", PRIO_PROCESS, tid, 7);
            SchedulerSlice.requestForCurrentThread();
            return new int[] { libc("getpriority", PRIO_PROCESS, tid) };
        });
        assertEquals(7, nice[0]);
    }

    @Test
    void shouldAskOncePerThreadThatIdles() throws Exception
    {
        assumeSliceSupported();
        final IdleStrategy idle = new ShortSliceIdleStrategy(NoOpIdleStrategy.INSTANCE);
        final long[] first = onNewThread(() ->
        {
            idle.idle(0);
            return new long[] { SchedulerSlice.currentThreadSliceNs() };
        });
        final long[] second = onNewThread(() ->
        {
            idle.idle();
            return new long[] { SchedulerSlice.currentThreadSliceNs() };
        });
        assertEquals(SchedulerSlice.SLICE_NS, first[0]);
        assertEquals(SchedulerSlice.SLICE_NS, second[0], "a second thread with the same strategy asks again");
    }

    @Test
    void shouldGiveTheShortSliceBackWhileOutputStreams() throws Exception
    {
        assumeSliceSupported();
        final boolean[] streaming = new boolean[1];
        final IdleStrategy idle = new ShortSliceIdleStrategy(NoOpIdleStrategy.INSTANCE, () -> streaming[0]);
        final long[] slices = onNewThread(() ->
        {
            final long initial = SchedulerSlice.currentThreadSliceNs();
            idle.idle(0);
            final long sparse = SchedulerSlice.currentThreadSliceNs();
            streaming[0] = true;
            idle.idle(1);
            final long stream = SchedulerSlice.currentThreadSliceNs();
            streaming[0] = false;
            idle.idle();
            return new long[] { initial, sparse, stream, SchedulerSlice.currentThreadSliceNs() };
        });
        assertEquals(SchedulerSlice.SLICE_NS, slices[1], "sparse output: the short slice");
        assertEquals(slices[0], slices[2], "streaming: the kernel's default slice again");
        assertEquals(SchedulerSlice.SLICE_NS, slices[3], "sparse again: the short slice again");
    }

    @Test
    void shouldKeepTheShortSliceInAStreamOnlyWhenToldTo() throws Exception
    {
        assumeSliceSupported();
        final long initial = onNewThread(() -> new long[] { SchedulerSlice.currentThreadSliceNs() })[0];
        assertEquals(initial, sliceInAStream(), "the default strategy gives the short slice back in a stream");
        System.setProperty(SchedulerSlice.ENABLED_PROPERTY, SchedulerSlice.ALWAYS);
        try
        {
            assertEquals(SchedulerSlice.SLICE_NS, sliceInAStream(), "always: kept in a stream");
        }
        finally
        {
            System.clearProperty(SchedulerSlice.ENABLED_PROPERTY);
        }
    }

    /**
     * @return the slice of a new thread that idles with {@link JournalAgent#defaultIdleStrategy()} until a park
     * finds work, then idles once more (output streams).
     */
    private static long sliceInAStream() throws Exception
    {
        final IdleStrategy idle = JournalAgent.defaultIdleStrategy();
        return onNewThread(() ->
        {
            final int spinsAndYields = ActivityBackoffIdleStrategy.DEFAULT_MAX_SPINS +
                ActivityBackoffIdleStrategy.DEFAULT_MAX_YIELDS;
            for (int i = 0; i <= spinsAndYields; i++)
            {
                idle.idle(0); // spins, yields, then one park
            }
            idle.idle(1); // the park found work
            idle.idle(0);
            return new long[] { SchedulerSlice.currentThreadSliceNs() };
        })[0];
    }

    @Test
    void shouldRunTheThreadUnderSchedBatchWhileOutputFloodsOnly() throws Exception
    {
        assumeSliceSupported();
        final boolean[] flooding = new boolean[1];
        final IdleStrategy idle;
        System.setProperty(SchedulerSlice.BATCH_PROPERTY, "true");
        try
        {
            idle = new ShortSliceIdleStrategy(NoOpIdleStrategy.INSTANCE, () -> flooding[0], () -> flooding[0]);
        }
        finally
        {
            System.clearProperty(SchedulerSlice.BATCH_PROPERTY);
        }
        final long[] states = onNewThread(() ->
        {
            final long initial = SchedulerSlice.isCurrentThreadBatch() ? 1 : 0;
            idle.idle(0);
            final long sparse = SchedulerSlice.isCurrentThreadBatch() ? 1 : 0;
            final long sparseSlice = SchedulerSlice.currentThreadSliceNs();
            flooding[0] = true;
            idle.idle(1);
            final long flood = SchedulerSlice.isCurrentThreadBatch() ? 1 : 0;
            final long floodSlice = SchedulerSlice.currentThreadSliceNs();
            flooding[0] = false;
            idle.idle();
            return new long[] { initial, sparse, flood, SchedulerSlice.isCurrentThreadBatch() ? 1 : 0, sparseSlice,
                floodSlice, SchedulerSlice.currentThreadSliceNs() };
        });
        assertEquals(0, states[0], "a new thread starts under SCHED_OTHER");
        assertEquals(0, states[1], "sparse output: SCHED_OTHER");
        assertEquals(1, states[2], "a flood: SCHED_BATCH");
        assertEquals(0, states[3], "after the flood: SCHED_OTHER again, without privileges");
        assertEquals(SchedulerSlice.SLICE_NS, states[4]);
        assertTrue(states[5] != SchedulerSlice.SLICE_NS, "a flood streams: the default slice");
        assertEquals(SchedulerSlice.SLICE_NS, states[6]);
        assertFalse(SchedulerSlice.isCurrentThreadBatch(), "other threads keep their policy");
    }

    @Test
    void shouldKeepSchedOtherInAFloodUnlessTurnedOn() throws Exception
    {
        assumeSliceSupported();
        final IdleStrategy idle = new ShortSliceIdleStrategy(NoOpIdleStrategy.INSTANCE, () -> true, () -> true);
        final long[] result = onNewThread(() ->
        {
            idle.idle(1);
            final long flood = SchedulerSlice.isCurrentThreadBatch() ? 1 : 0;
            final boolean taken = SchedulerSlice.setForCurrentThread(false, true);
            return new long[] { flood, taken ? 1 : 0, SchedulerSlice.isCurrentThreadBatch() ? 1 : 0 };
        });
        assertEquals(0, result[0], "off by default: SCHED_OTHER in a flood");
        assertEquals(1, result[1]);
        assertEquals(1, result[2], "asked for directly, SCHED_BATCH is set");
    }

    @Test
    void shouldDoNothingWhenTurnedOff() throws Exception
    {
        assumeSliceSupported();
        System.setProperty(SchedulerSlice.ENABLED_PROPERTY, "false");
        try
        {
            final long[] result = onNewThread(() -> new long[] {
                SchedulerSlice.requestForCurrentThread() ? 1 : 0, SchedulerSlice.currentThreadSliceNs() });
            assertEquals(0, result[0]);
            assertTrue(result[1] != SchedulerSlice.SLICE_NS);
        }
        finally
        {
            System.clearProperty(SchedulerSlice.ENABLED_PROPERTY);
        }
    }

    @Test
    void shouldRefuseNothingOnAKernelWithoutSlices() throws Exception
    {
        // Wherever it runs, asking must not throw; on Linux x86-64 or arm64 the current slice can be read.
        final long[] slice = onNewThread(() ->
        {
            SchedulerSlice.requestForCurrentThread();
            return new long[] { SchedulerSlice.currentThreadSliceNs() };
        });
        if (Platform.isLinux() && Platform.is64Bit() && (Platform.isIntel() || Platform.isARM()))
        {
            assertFalse(slice[0] < 0);
        }
    }

    private static void assumeSliceSupported()
    {
        assumeTrue(Platform.isLinux() && Platform.isIntel() && Platform.is64Bit(), "Linux x86-64");
        final String[] version = System.getProperty("os.version").split("[.-]");
        final int major = Integer.parseInt(version[0]);
        final int minor = Integer.parseInt(version[1]);
        assumeTrue(major > 6 || (major == 6 && minor >= 12), "Linux 6.12 or later has per-thread slices");
    }

    private static int libc(final String name, final Object... args)
    {
        return Function.getFunction(Platform.C_LIBRARY_NAME, name).invokeInt(args);
    }

    private static <T> T onNewThread(final Supplier<T> task) throws Exception
    {
        final CompletableFuture<T> result = new CompletableFuture<>();
        final Thread thread = new Thread(() ->
        {
            try
            {
                result.complete(task.get());
            }
            catch (final Throwable ex)
            {
                result.completeExceptionally(ex);
            }
        });
        thread.start();
        return result.get(10, TimeUnit.SECONDS);
    }
}
