package io.ptyq.consumer;

import io.ptyq.codec.FrameDescriptor;
import io.ptyq.codec.FrameEncoder;
import io.ptyq.codec.sbe.ExitReason;
import io.ptyq.codec.sbe.SessionExitedDecoder;
import io.ptyq.codec.sbe.SessionStartedDecoder;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Zero-copy reads of a real journal whose frames cross Chronicle block boundaries and a roll cycle.
 */
class JournalAdapterTest
{
    private static final long BLOCK_SIZE = 16L << 20;
    private static final long SESSION = 7;

    @TempDir
    Path journal;

    @Test
    void shouldReadEveryByteAcrossBlocksAndCycles()
    {
        final SetTimeProvider time = new SetTimeProvider("2026-11-21T10:00:00");
        final long written;
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(journal)
            .rollCycle(RollCycles.FAST_HOURLY).blockSize(BLOCK_SIZE).timeProvider(time).build();
            ExcerptAppender appender = queue.createAppender())
        {
            final FrameEncoder encoder = new FrameEncoder();
            final UnsafeBuffer frame = new UnsafeBuffer(0, 0);
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[FrameDescriptor.MAX_OUTPUT_DATA_LENGTH]);
            final UnsafeBuffer scratch = new UnsafeBuffer(new byte[4096]);

            append(appender, frame, scratch, 0, encoder.encodeSessionStarted(
                scratch, 0, SESSION, 1, 42, 80, 24, "blocks", "cat\0", "/"));
            long position = 0;
            int frames = 0;
            // ~70 MiB: several 16 MiB blocks; an hour passes half way, so a second cycle file starts.
            while (position < 70L << 20)
            {
                if (frames == 40)
                {
                    time.advanceMillis(3_600_000);
                }
                final int length = frames % 3 == 0 ? FrameDescriptor.MAX_OUTPUT_DATA_LENGTH : 1 + (frames * 7919) % 70_000;
                fill(payload, position, length);
                final long streamPosition = position;
                final int frameLength = FrameDescriptor.outputFrameLength(length);
                try (DocumentContext dc = appender.writingDocument())
                {
                    encoder.encodeOutput(wrap(dc, frame, frameLength), 0, SESSION, streamPosition, frames,
                        payload, 0, length);
                }
                position += length;
                frames++;
            }
            append(appender, frame, scratch, 0, encoder.encodeSessionExited(
                scratch, 0, SESSION, 2, 0, 0, ExitReason.EXITED, position, ""));
            written = position;
        }
        assertEquals(2, countCycleFiles(), "the journal spans two cycle files");

        final List<String> problems = new ArrayList<>();
        final long[] read = new long[1];
        final boolean[] ended = new boolean[1];
        final JournalListener checker = new JournalListener()
        {
            @Override
            public void onSessionStarted(final long index, final SessionStartedDecoder decoder)
            {
                assertEquals("blocks", decoder.name());
            }

            @Override
            public void onOutput(
                final long index, final long sessionId, final long streamPosition, final long timestampNs,
                final DirectBuffer buffer, final int offset, final int length)
            {
                if (streamPosition != read[0])
                {
                    problems.add("gap at " + read[0] + ": frame starts at " + streamPosition);
                }
                for (int i = 0; i < length; i++)
                {
                    if (buffer.getByte(offset + i) != expected(streamPosition + i))
                    {
                        problems.add("wrong byte at " + (streamPosition + i));
                        break;
                    }
                }
                read[0] = streamPosition + length;
            }

            @Override
            public void onSessionExited(final long index, final SessionExitedDecoder decoder)
            {
                ended[0] = true;
            }

            @Override
            public void onInvalidFrame(final long index, final String reason)
            {
                problems.add(reason);
            }
        };
        try (JournalReader reader = JournalReader.open(journal);
            JournalAdapter adapter = reader.adapter(checker))
        {
            while (adapter.poll(64) > 0)
            {
                assertTrue(problems.isEmpty(), problems.toString());
            }
        }

        assertTrue(problems.isEmpty(), problems.toString());
        assertEquals(written, read[0]);
        assertTrue(ended[0], "SessionExited read");
    }

    private static void append(
        final ExcerptAppender appender, final UnsafeBuffer frame, final UnsafeBuffer src, final int offset,
        final int length)
    {
        try (DocumentContext dc = appender.writingDocument())
        {
            wrap(dc, frame, length).putBytes(0, src, offset, length);
        }
    }

    private static UnsafeBuffer wrap(final DocumentContext dc, final UnsafeBuffer frame, final int length)
    {
        final Bytes<?> bytes = dc.wire().bytes();
        final long position = bytes.writePosition();
        bytes.writeSkip(length);
        assertTrue(bytes.bytesStore().inside(position, length), "frame is contiguous");
        frame.wrap(bytes.addressForWrite(position), length);
        return frame;
    }

    private static void fill(final UnsafeBuffer payload, final long position, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            payload.putByte(i, expected(position + i));
        }
    }

    private static byte expected(final long position)
    {
        return (byte)(position * 31 + (position >>> 11));
    }

    private long countCycleFiles()
    {
        try (Stream<Path> files = Files.list(journal))
        {
            return files.filter(file -> file.toString().endsWith(".cq4")).count();
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }
}
