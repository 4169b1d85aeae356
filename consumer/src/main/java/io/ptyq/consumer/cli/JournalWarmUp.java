package io.ptyq.consumer.cli;

import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;

/**
 * Initialises Chronicle Queue's classes on a background thread while the command line is parsed: about half of what
 * a one-shot reading command spends before its first frame is Chronicle's static start-up (its JVM and OS probes),
 * which needs no argument, and the two overlap on a machine with a second core.
 * <p>
 * Only the builder's class is initialised here, the class a reader touches first, so the reader's own thread waits
 * for this one (or this one for it) on that class's initialisation lock and never the other way round.
 */
final class JournalWarmUp
{
    private JournalWarmUp()
    {
    }

    static void start()
    {
        final Thread thread = new Thread(JournalWarmUp::run, "journal-warm-up");
        thread.setDaemon(true);
        thread.start();
    }

    private static void run()
    {
        try
        {
            Class.forName(SingleChronicleQueueBuilder.class.getName(), true, JournalWarmUp.class.getClassLoader());
        }
        catch (final Throwable ignore)
        {
            // The reader meets the same failure on its own thread (as NoClassDefFoundError) and reports it there.
        }
    }
}
