package io.ptyq.consumer;

import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * A journal opened read-only; create one {@link JournalAdapter} per reading thread from it.
 */
public final class JournalReader implements AutoCloseable
{
    private final SingleChronicleQueue queue;

    private JournalReader(final SingleChronicleQueue queue)
    {
        this.queue = queue;
    }

    /**
     * Open a journal directory for reading; it never writes to the journal.
     *
     * @param journalDir the journal directory.
     * @return the reader, or one over an empty journal if no daemon has written there yet.
     * @throws UncheckedIOException if the directory cannot be read.
     */
    public static JournalReader open(final Path journalDir)
    {
        if (!Files.isDirectory(journalDir))
        {
            throw new UncheckedIOException(new IOException("journal " + journalDir + " is not a directory"));
        }
        if (!hasQueueFiles(journalDir))
        {
            return new JournalReader(null);
        }

        return new JournalReader(SingleChronicleQueueBuilder.binary(journalDir).readOnly(true).build());
    }

    private static boolean hasQueueFiles(final Path journalDir)
    {
        try (Stream<Path> files = Files.list(journalDir))
        {
            return files.anyMatch(file -> file.getFileName().toString().endsWith(".cq4t"));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read journal " + journalDir + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * @param listener receives the events.
     * @return a new adapter positioned at the start of the journal; not thread safe, one per thread.
     */
    public JournalAdapter adapter(final JournalListener listener)
    {
        final ExcerptTailer tailer = null == queue ? null : queue.createTailer();

        return new JournalAdapter(tailer, listener);
    }

    @Override
    public void close()
    {
        if (null != queue)
        {
            queue.close();
        }
    }
}
