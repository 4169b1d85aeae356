package io.ptyq.consumer.asciicast;

import io.ptyq.codec.CommandLine;
import io.ptyq.consumer.JournalAdapter;
import io.ptyq.consumer.JournalReader;
import io.ptyq.consumer.SessionFilter;
import io.ptyq.consumer.SessionRecord;
import io.ptyq.consumer.StartPosition;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.function.LongConsumer;

/**
 * Exports one session of a journal, as far as it is journaled now: what {@code ptyq export} and
 * {@code ptyq record -o} run.
 */
public final class SessionExport
{
    private static final int POLL_LIMIT = 1024;

    private SessionExport()
    {
    }

    /**
     * Read the session from its first frame to the journal's end and write it.
     *
     * @param journalDir the journal.
     * @param session    the session as the catalog lists it (its header fields are the fallback), or null when only
     *                   its id is known: the journal is then not listed first.
     * @param sessionId  the session's id.
     * @param format     what to write.
     * @param out        where; not closed.
     * @param progress   told the output bytes read so far after each batch of frames.
     * @return the finished exporter, to ask about lossy characters and invalid frames; null when no frame of the
     * session is in the journal and it was not listed, and then nothing was written.
     */
    public static AsciicastExporter export(
        final Path journalDir,
        final SessionRecord session,
        final long sessionId,
        final AsciicastFormat format,
        final OutputStream out,
        final LongConsumer progress)
    {
        return export(journalDir, session, sessionId, progress, new AsciicastExporter(sessionId, format, out));
    }

    /**
     * {@link #export} through the exporter given (tests give one with tiny batches).
     */
    static AsciicastExporter export(
        final Path journalDir,
        final SessionRecord session,
        final long sessionId,
        final LongConsumer progress,
        final AsciicastExporter exporter)
    {
        if (null != session)
        {
            exporter.fallback(session.cols(), session.rows(), session.name(), CommandLine.join(session.argv()));
        }
        try (JournalReader reader = JournalReader.open(journalDir);
            JournalAdapter adapter = reader.adapter(
                exporter, StartPosition.beginning(), SessionFilter.only(sessionId)))
        {
            while (adapter.poll(POLL_LIMIT) > 0 && !exporter.exited())
            {
                progress.accept(exporter.outputBytes());
            }
            if (!exporter.found() && null == session)
            {
                return null;
            }
            exporter.finish();
        }
        finally
        {
            exporter.close();
        }

        return exporter;
    }

    /**
     * Export into a file, written beside it under a temporary name and moved into place, so that a failed export
     * never leaves a file that looks complete; what exists and is not a regular file (a device, a pipe) is written
     * directly.
     *
     * @param file     the file to write; replaced if it exists.
     * @param progress told the output bytes read so far.
     * @return the finished exporter, or null (and no file) as {@link #export} says.
     * @throws IOException if the file cannot be written.
     */
    public static AsciicastExporter exportToFile(
        final Path journalDir,
        final SessionRecord session,
        final long sessionId,
        final AsciicastFormat format,
        final Path file,
        final LongConsumer progress) throws IOException
    {
        final Path target = file.toAbsolutePath();
        if (Files.exists(target) && !Files.isRegularFile(target))
        {
            // A device, a pipe (/dev/stdout, /dev/null, a FIFO): written as it is; a file moved over it would
            // replace it.
            try (OutputStream out = Files.newOutputStream(target))
            {
                return export(journalDir, session, sessionId, format, out, progress);
            }
            catch (final UncheckedIOException ex)
            {
                throw ex.getCause();
            }
        }
        final Path temp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".part");
        try
        {
            final AsciicastExporter exporter;
            try (OutputStream out = Files.newOutputStream(temp))
            {
                exporter = export(journalDir, session, sessionId, format, out, progress);
            }
            catch (final UncheckedIOException ex)
            {
                throw ex.getCause();
            }
            if (null != exporter)
            {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }

            return exporter;
        }
        finally
        {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * @return an I/O failure in words for one error line: {@code no such file /x/y}, {@code access denied /x}.
     */
    public static String describe(final IOException ex)
    {
        final String message = ex.getMessage();
        final String kind = ex.getClass().getSimpleName().replace("Exception", "")
            .replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT);

        // A plain IOException ("io") says it all in its message.
        return "io".equals(kind) ? String.valueOf(message) : kind + (null == message ? "" : " " + message);
    }
}
