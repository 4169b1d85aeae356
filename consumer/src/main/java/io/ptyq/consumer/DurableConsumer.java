package io.ptyq.consumer;

import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A named consumer whose position outlives it: a new one of the same name resumes right after the last frame its
 * predecessor processed, however that one stopped (close, exception, kill -9). Not thread safe; one per name at once.
 * <p>
 * The position is a mapped file, {@code <journal>/consumers/<name>.position} (directory 0700, file 0600, locked while
 * open). For every frame read, the frame's index is stored as <em>in flight</em> before its callback runs and as
 * <em>committed</em> after the callback returns (skipped frames are just committed). A store into a mapped file
 * outlives the process as soon as it is made, so whenever the previous consumer died, the next one:
 * <ul>
 *   <li>delivers every frame after the committed one: no gap;</li>
 *   <li>never delivers a committed frame again. The one frame that was in flight (its callback entered, its commit
 *       not stored) is delivered again, announced by {@link JournalListener#onRedelivery(long)} just before: no
 *       unannounced duplicate.</li>
 * </ul>
 * A sink idempotent per position therefore holds every byte exactly once: one that writes output at its
 * {@code streamPosition}, or one that truncates to the redelivered frame's {@code streamPosition}. Effects count only
 * once they have left the process (a file channel write, not a user-space buffer) before the callback returns. Not
 * covered: power loss or an OS crash (nothing is forced to disk), and frames that retention deleted before the
 * consumer read them (it resumes at the first frame left; the jump shows in {@code streamPosition}).
 */
public final class DurableConsumer implements AutoCloseable
{
    /**
     * Directory of the journal that holds consumers' positions.
     */
    public static final String CONSUMERS_DIR = "consumers";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final String name;
    private final Path positionFile;
    private final JournalAdapter adapter;
    private final boolean resumed;

    private DurableConsumer(final String name, final Path positionFile, final JournalAdapter adapter,
        final boolean resumed)
    {
        this.name = name;
        this.positionFile = positionFile;
        this.adapter = adapter;
        this.resumed = resumed;
    }

    /**
     * Open the named consumer of all sessions; a new name starts at the beginning of the journal.
     *
     * @param reader   the journal.
     * @param name     1 to 64 of {@code A-Z a-z 0-9 . _ -}, starting with a letter or digit.
     * @param listener receives the events.
     * @return the consumer, resumed if the name has a stored position.
     * @throws IllegalStateException if a consumer of that name is open, here or in another process.
     */
    public static DurableConsumer open(final JournalReader reader, final String name, final JournalListener listener)
    {
        return open(reader, name, listener, StartPosition.beginning(), SessionFilter.all());
    }

    /**
     * Open the named consumer.
     *
     * @param reader       the journal.
     * @param name         1 to 64 of {@code A-Z a-z 0-9 . _ -}, starting with a letter or digit.
     * @param listener     receives the events.
     * @param initialStart where a name with no stored position starts; ignored when resuming.
     * @param filter       which sessions to deliver; frames of others still advance the position.
     * @return the consumer, resumed if the name has a stored position.
     * @throws IllegalStateException if a consumer of that name is open, here or in another process.
     */
    public static DurableConsumer open(
        final JournalReader reader,
        final String name,
        final JournalListener listener,
        final StartPosition initialStart,
        final SessionFilter filter)
    {
        Objects.requireNonNull(reader, "reader");
        Objects.requireNonNull(initialStart, "initialStart");
        final Path file = positionFile(reader.journalDir(), name);
        final ConsumerPositionFile position = ConsumerPositionFile.open(file);
        try
        {
            final boolean resumed = !position.isNew();
            final JournalAdapter adapter;
            if (resumed)
            {
                final long committed = position.committedIndex();
                final long inFlight = position.inFlightIndex();
                adapter = new JournalAdapter(reader, listener, StartPosition.after(committed), filter, position);
                adapter.durable(false, inFlight > committed ? inFlight : Long.MIN_VALUE);
            }
            else
            {
                adapter = new JournalAdapter(reader, listener, initialStart, filter, position);
                adapter.durable(true, Long.MIN_VALUE);
            }

            return new DurableConsumer(name, file, adapter, resumed);
        }
        catch (final RuntimeException ex)
        {
            position.close();
            throw ex;
        }
    }

    /**
     * @param journalDir the journal directory.
     * @param name       a consumer name.
     * @return where the consumer's position is stored.
     * @throws IllegalArgumentException if the name is not valid.
     */
    public static Path positionFile(final Path journalDir, final String name)
    {
        if (null == name || !NAME.matcher(name).matches())
        {
            throw new IllegalArgumentException("consumer name '" + name + "' is not 1 to 64 of A-Z a-z 0-9 . _ - " +
                "starting with a letter or digit");
        }

        return journalDir.resolve(CONSUMERS_DIR).resolve(name + ConsumerPositionFile.SUFFIX);
    }

    /**
     * Deliver up to {@code limit} frames, storing the position after each.
     *
     * @param limit most frames to read.
     * @return frames read, including invalid and filtered ones skipped; 0 when caught up.
     */
    public int poll(final int limit)
    {
        return adapter.poll(limit);
    }

    /**
     * @return the adapter that polls for this consumer, for a {@link JournalAgent}; closing it closes the consumer.
     */
    public JournalAdapter adapter()
    {
        return adapter;
    }

    /**
     * @return the consumer's name.
     */
    public String name()
    {
        return name;
    }

    /**
     * @return the file that stores the position.
     */
    public Path positionFile()
    {
        return positionFile;
    }

    /**
     * @return true if this consumer resumed a stored position, false if the name was new.
     */
    public boolean isResumed()
    {
        return resumed;
    }

    /**
     * Close the adapter and the position file; the position stays stored for the next consumer of the name.
     */
    @Override
    public void close()
    {
        adapter.close();
    }
}
