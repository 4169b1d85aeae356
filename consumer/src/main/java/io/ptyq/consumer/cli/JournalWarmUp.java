package io.ptyq.consumer.cli;

import net.openhft.chronicle.core.pom.PomProperties;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.posix.PosixAPI;

import java.security.SecureRandom;
import java.text.SimpleDateFormat;
import java.util.Date;

/**
 * Initialises Chronicle Queue's classes on a background thread while the command line is parsed: about half of what
 * a one-shot reading command spends before its first frame is Chronicle's static start-up (its JVM and OS probes),
 * which needs no argument, and the two overlap on a machine with a second core.
 * <p>
 * Of Chronicle's classes only the builder's is initialised here, the class a reader touches first, so the reader's own
 * thread waits for this one (or this one for it) on that class's initialisation lock and never the other way round.
 * After it come a few JDK set-ups that opening a queue needs and one lookup that Chronicle caches, whose classes
 * initialise nothing of Chronicle's beyond what the builder already did, so neither thread can wait for the other in
 * a cycle.
 * <p>
 * Chronicle's start-up also binds its POSIX calls through jnr-ffi (a native stub and generated classes, about a
 * quarter of it). A process that only reads the journal needs none of them: outside the appender's pre-toucher,
 * Chronicle's one POSIX call on mapped files is msync, for a sync mode, which a reader never uses (and which the
 * no-op implementation would answer with success). So the reading commands that start this ask for the no-op
 * implementation first.
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
            PosixAPI.useNoOpPosixApi();
            Class.forName(SingleChronicleQueueBuilder.class.getName(), true, JournalWarmUp.class.getClassLoader());
            // What opening a queue then sets up on the reader's thread, each safe to set up from two threads at once:
            // the JDK's calendar and CLDR locale data (Chronicle Wire's static SimpleDateFormat), its security
            // providers (each queue seeds a SecureRandom), and the version Chronicle reads from its jar for its
            // start-up announcement (cached in a concurrent map).
            new SimpleDateFormat("yyyy-MM-dd").format(new Date(0));
            new SecureRandom().nextFloat();
            PomProperties.version("net.openhft", "chronicle-queue");
        }
        catch (final Throwable ignore)
        {
            // The reader meets the same failure on its own thread (as NoClassDefFoundError) and reports it there.
        }
    }
}
