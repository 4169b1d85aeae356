package io.ptyq.consumer;

import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.SimpleDateFormat;
import java.util.Date;
import java.util.List;
import java.util.TimeZone;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A journal opened read-only; create one {@link JournalAdapter} per reading thread from it. Thread safe.
 * <p>
 * Any number of readers, in any number of processes, tail one journal at once: a reader never writes to the journal
 * and takes no lock in it, so it cannot slow the producer or another reader. A journal that has no file yet is opened
 * once its first file appears.
 */
public final class JournalReader implements AutoCloseable
{
    private static final long RECHECK_INTERVAL_NS = 100_000_000L;
    private static final String METADATA_FILE = "metadata.cq4t";
    /**
     * How long Chronicle waits for a cycle file's first header: a file the daemon is creating gets it within
     * microseconds, and a damaged one never does, so a long wait only stalls readers of damaged journals.
     */
    private static final long READ_TIMEOUT_MS = Long.getLong("ptyq.read.timeout.ms", 250);
    private static final String CYCLE_SUFFIX = ".cq4";

    private final Path journalDir;
    private volatile SingleChronicleQueue queue;
    private long nextCheckNs;
    private boolean closed;

    private JournalReader(final Path journalDir, final SingleChronicleQueue queue)
    {
        this.journalDir = journalDir;
        this.queue = queue;
        this.nextCheckNs = System.nanoTime();
    }

    /**
     * Open a journal directory for reading; it never writes to the journal.
     *
     * @param journalDir the journal directory.
     * @return the reader, over an empty journal if no daemon has written there yet.
     * @throws UncheckedIOException    if the directory cannot be read.
     * @throws JournalDamagedException if its metadata file is missing or unreadable.
     */
    public static JournalReader open(final Path journalDir)
    {
        if (!Files.isDirectory(journalDir))
        {
            throw new UncheckedIOException(new IOException("journal " + journalDir + " is not a directory"));
        }

        return new JournalReader(journalDir, hasQueueFiles(journalDir) ? openQueue(journalDir) : null);
    }

    /**
     * @param listener receives the events.
     * @return a new adapter at the beginning of the journal, delivering every session; not thread safe.
     */
    public JournalAdapter adapter(final JournalListener listener)
    {
        return adapter(listener, StartPosition.beginning(), SessionFilter.all());
    }

    /**
     * @param listener receives the events.
     * @param start    where to start, resolved now.
     * @return a new adapter delivering every session; not thread safe.
     */
    public JournalAdapter adapter(final JournalListener listener, final StartPosition start)
    {
        return adapter(listener, start, SessionFilter.all());
    }

    /**
     * @param listener receives the events.
     * @param start    where to start, resolved now.
     * @param filter   which sessions to deliver.
     * @return a new adapter; not thread safe, one per thread.
     * @throws IllegalArgumentException if the start cannot be resolved.
     */
    public JournalAdapter adapter(final JournalListener listener, final StartPosition start, final SessionFilter filter)
    {
        return new JournalAdapter(this, listener, start, filter, null);
    }

    /**
     * @return the journal directory.
     */
    public Path journalDir()
    {
        return journalDir;
    }

    /**
     * @return the queue, or null while the journal has no file; opened on the first call that finds one.
     */
    SingleChronicleQueue queue()
    {
        final SingleChronicleQueue current = queue;
        if (null != current)
        {
            return current;
        }

        return tryOpen();
    }

    /**
     * @return a tailer at the start of the journal, or null while the journal has no file.
     */
    ExcerptTailer createTailer()
    {
        final SingleChronicleQueue current = queue();
        if (null == current)
        {
            return null;
        }
        try
        {
            return current.createTailer();
        }
        catch (final Exception | InternalError ex)
        {
            // A new tailer starts at the first cycle, so a first cycle that cannot be read hides the whole journal.
            throw new JournalDamagedException(cycleFile(current.firstCycle()), JournalDamagedException.reasonOf(ex), ex);
        }
    }

    private synchronized SingleChronicleQueue tryOpen()
    {
        if (null != queue || closed)
        {
            return queue;
        }
        // Listing the directory on every poll of an idle reader would be a syscall storm: look now and then.
        final long nowNs = System.nanoTime();
        if (nowNs - nextCheckNs < 0)
        {
            return null;
        }
        nextCheckNs = nowNs + RECHECK_INTERVAL_NS;
        try
        {
            if (hasQueueFiles(journalDir))
            {
                queue = openQueue(journalDir);
            }
        }
        catch (final RuntimeException ex)
        {
            // The producer may be creating the journal's first files right now: look again later.
        }

        return queue;
    }

    /**
     * @param cycle a cycle of this journal's roll cycle.
     * @return the cycle's file (which may not exist).
     */
    Path cycleFile(final int cycle)
    {
        final RollCycle rollCycle = queue().rollCycle();
        final SimpleDateFormat format = new SimpleDateFormat(rollCycle.format());
        format.setTimeZone(TimeZone.getTimeZone("UTC"));

        return journalDir.resolve(format.format(new Date(cycle * (long)rollCycle.lengthInMillis())) + CYCLE_SUFFIX);
    }

    /**
     * @return the cycles that have a file now, in order; read from the directory, for the rare paths that meet damage.
     */
    int[] cycles()
    {
        final RollCycle rollCycle = queue().rollCycle();
        final SimpleDateFormat format = new SimpleDateFormat(rollCycle.format());
        format.setTimeZone(TimeZone.getTimeZone("UTC"));
        try (Stream<Path> files = Files.list(journalDir))
        {
            return files.map(file -> file.getFileName().toString())
                .filter(name -> name.endsWith(CYCLE_SUFFIX))
                .mapToLong(name ->
                {
                    try
                    {
                        return format.parse(name.substring(0, name.length() - CYCLE_SUFFIX.length())).getTime() /
                            rollCycle.lengthInMillis();
                    }
                    catch (final java.text.ParseException ex)
                    {
                        return Long.MIN_VALUE;
                    }
                })
                .filter(cycle -> cycle != Long.MIN_VALUE)
                .mapToInt(cycle -> (int)cycle)
                .sorted()
                .toArray();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read journal " + journalDir + ": " + ex.getMessage(), ex);
        }
    }

    private static SingleChronicleQueue openQueue(final Path journalDir)
    {
        final Path metadata = journalDir.resolve(METADATA_FILE);
        try
        {
            return SingleChronicleQueueBuilder.binary(journalDir).readOnly(true).timeoutMS(READ_TIMEOUT_MS).build();
        }
        catch (final Exception | InternalError ex)
        {
            throw new JournalDamagedException(metadata, "cannot be read (" + ex + ")", ex);
        }
    }

    /**
     * @return true if the journal has its metadata file; false if it has no file at all yet.
     * @throws JournalDamagedException if it has cycle files but no metadata file, which Chronicle needs to find them.
     */
    private static boolean hasQueueFiles(final Path journalDir)
    {
        final boolean metadata;
        final boolean cycles;
        try (Stream<Path> files = Files.list(journalDir))
        {
            final List<String> names = files.map(file -> file.getFileName().toString()).collect(Collectors.toList());
            metadata = names.contains(METADATA_FILE);
            cycles = names.stream().anyMatch(name -> name.endsWith(CYCLE_SUFFIX));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read journal " + journalDir + ": " + ex.getMessage(), ex);
        }
        if (cycles && !metadata)
        {
            throw new JournalDamagedException(journalDir.resolve(METADATA_FILE), "missing, so the journal's cycle " +
                "files cannot be located; starting the daemon on the journal rebuilds it", null);
        }

        return metadata;
    }

    /**
     * Close the journal; adapters created from it must be closed first.
     */
    @Override
    public synchronized void close()
    {
        closed = true;
        if (null != queue)
        {
            queue.close();
        }
    }
}
