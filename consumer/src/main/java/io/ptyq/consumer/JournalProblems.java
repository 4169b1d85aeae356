package io.ptyq.consumer;

import java.nio.file.Path;

/**
 * What a read met that was wrong with the journal: the first damaged file and the invalid frames it skipped. A
 * {@link JournalListener} hands its {@link JournalListener#onDamagedFile} and {@link JournalListener#onInvalidFrame}
 * calls here, and the command reports the result in one line when its read is done. Not thread safe: one reader.
 */
public final class JournalProblems
{
    private long invalidFrames;
    private String firstInvalid;
    private String damage;

    /**
     * Remember the first damaged file.
     *
     * @param file   the damaged file.
     * @param reason what is wrong with it.
     */
    public void onDamagedFile(final Path file, final String reason)
    {
        if (null == damage)
        {
            damage = "journal file " + file + " is damaged: " + reason;
        }
    }

    /**
     * Count an invalid frame, remembering the first.
     *
     * @param index  the frame's journal index.
     * @param reason what is wrong with it.
     */
    public void onInvalidFrame(final long index, final String reason)
    {
        if (0 == invalidFrames++)
        {
            firstInvalid = "index " + Long.toHexString(index) + ": " + reason;
        }
    }

    /**
     * @return the line naming the first damaged file, or null if none was met.
     */
    public String damage()
    {
        return damage;
    }

    /**
     * @return invalid frames skipped.
     */
    public long invalidFrames()
    {
        return invalidFrames;
    }

    /**
     * @return the first invalid frame's index and reason, or null if none was met.
     */
    public String firstInvalid()
    {
        return firstInvalid;
    }

    /**
     * @param journalDir the journal that was read.
     * @return the line reporting the invalid frames skipped.
     */
    public String invalidFramesLine(final Path journalDir)
    {
        return "skipped " + invalidFrames + " invalid frame(s) in " + journalDir + ", first at " + firstInvalid;
    }
}
