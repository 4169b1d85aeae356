package io.ptyq.bridge;

import io.ptyq.consumer.JournalReader;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.IdleStrategy;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * The one thread that reads the journal for the bridge: keeps the session list current and serves every
 * {@link Viewer} in turn. A viewer above its high watermark is skipped, not waited for, so it holds back nobody.
 */
final class BridgeAgent implements Agent
{
    private final JournalReader reader;
    private final SessionDirectory directory;
    private final ErrorHandler errorHandler;
    private final Queue<Viewer> added = new ConcurrentLinkedQueue<>();
    private final List<Viewer> viewers = new ArrayList<>();
    private static final long NO_VIEWER_PARK_NS = 50_000_000L;

    private volatile Thread thread;
    private volatile int viewerCount;
    private boolean allViewersWaiting;

    BridgeAgent(final JournalReader reader, final SessionDirectory directory, final ErrorHandler errorHandler)
    {
        this.reader = reader;
        this.directory = directory;
        this.errorHandler = errorHandler;
    }

    /**
     * Hand a new viewer to the agent; from any thread.
     *
     * @param viewer the viewer.
     */
    void add(final Viewer viewer)
    {
        added.offer(viewer);
        wake();
    }

    /**
     * Cut the agent's idle wait short: a page acknowledged enough for its reader to go on. From any thread.
     */
    void wake()
    {
        final Thread agentThread = thread;
        if (null != agentThread)
        {
            LockSupport.unpark(agentThread);
        }
    }

    @Override
    public void onStart()
    {
        thread = Thread.currentThread();
    }

    @Override
    public int doWork()
    {
        int work = 0;
        Viewer viewer;
        while (null != (viewer = added.poll()))
        {
            viewers.add(viewer);
            work++;
        }
        viewerCount = viewers.size();
        work += directory.doWork(System.nanoTime());
        boolean allWaiting = true;
        for (int i = viewers.size() - 1; i >= 0; i--)
        {
            viewer = viewers.get(i);
            if (viewer.isClosed())
            {
                viewers.remove(i).release();
                work++;
                continue;
            }
            try
            {
                work += viewer.doWork(reader, directory);
                allWaiting &= viewer.waitsForWakeUp();
            }
            catch (final RuntimeException ex)
            {
                // One viewer's failure ends that viewer, not the bridge.
                errorHandler.onError(ex);
                viewer.close(1011, "internal error reading session " + viewer.sessionId());
            }
        }
        allViewersWaiting = allWaiting;

        return work;
    }

    @Override
    public void onClose()
    {
        Viewer viewer;
        while (null != (viewer = added.poll()))
        {
            viewers.add(viewer);
        }
        for (final Viewer each : viewers)
        {
            each.release();
        }
        viewers.clear();
        directory.close();
    }

    /**
     * @return whether any view is open, read from any thread.
     */
    boolean hasViewers()
    {
        return viewerCount > 0 || !added.isEmpty();
    }

    /**
     * @param whenViewing how to wait while views are open: their live output is latency-sensitive.
     * @return an idle strategy that waits 50 ms at a time while no view is open (the session list is refreshed
     * once a second) or while every open view waits for its page (stopped at its high watermark, at its session's
     * end, or not resumed yet) and otherwise as {@code whenViewing}; a new view, a RESUME, a notice or an ACK that
     * lets a view go on cuts the long wait short.
     */
    IdleStrategy idleStrategy(final IdleStrategy whenViewing)
    {
        return new IdleStrategy()
        {
            @Override
            public void idle(final int workCount)
            {
                if (workCount > 0 || (hasViewers() && !(allViewersWaiting && added.isEmpty())))
                {
                    whenViewing.idle(workCount);
                }
                else
                {
                    LockSupport.parkNanos(NO_VIEWER_PARK_NS);
                }
            }

            @Override
            public void idle()
            {
                whenViewing.idle();
            }

            @Override
            public void reset()
            {
                whenViewing.reset();
            }
        };
    }

    @Override
    public String roleName()
    {
        return "bridge-reader";
    }
}
