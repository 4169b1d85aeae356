package io.ptyq.codec;

import io.ptyq.codec.sbe.ExitReason;
import io.ptyq.codec.sbe.InputDecoder;
import io.ptyq.codec.sbe.MarkerDecoder;
import io.ptyq.codec.sbe.OutputDecoder;
import io.ptyq.codec.sbe.ResizedDecoder;
import io.ptyq.codec.sbe.SessionExitedDecoder;
import io.ptyq.codec.sbe.SessionStartedDecoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.stream.Stream;

import static io.ptyq.codec.FrameDescriptor.HEADER_LENGTH;
import static io.ptyq.codec.FrameDescriptor.MAX_FRAME_LENGTH;
import static io.ptyq.codec.FrameDescriptor.MAX_OUTPUT_DATA_LENGTH;
import static io.ptyq.codec.FrameDescriptor.OUTPUT_OVERHEAD;
import static io.ptyq.codec.TestFrames.NON_ASCII;
import static io.ptyq.codec.TestFrames.bytesAt;
import static io.ptyq.codec.TestFrames.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrameRoundTripTest
{
    private static final int ODD_OFFSET = 13;
    private static final int TRAILER_LENGTH = 16;
    private static final byte FILL = (byte)0x5A;

    private final FrameEncoder encoder = new FrameEncoder();
    private final FrameDecoder decoder = new FrameDecoder();

    enum Memory
    {
        HEAP, DIRECT
    }

    /**
     * Where a frame is encoded: heap or direct memory, at offset 0 or an odd offset, with garbage after it so the
     * decoder has to find the frame's end itself.
     */
    record Placement(Memory memory, int offset)
    {
        UnsafeBuffer buffer(final int frameCapacity)
        {
            final int capacity = offset + frameCapacity + TRAILER_LENGTH;
            final UnsafeBuffer buffer = Memory.HEAP == memory ?
                new UnsafeBuffer(new byte[capacity]) : new UnsafeBuffer(ByteBuffer.allocateDirect(capacity));
            buffer.setMemory(0, capacity, FILL);

            return buffer;
        }
    }

    static Stream<Placement> placements()
    {
        return Stream.of(
            new Placement(Memory.HEAP, 0),
            new Placement(Memory.HEAP, ODD_OFFSET),
            new Placement(Memory.DIRECT, 0),
            new Placement(Memory.DIRECT, ODD_OFFSET));
    }

    @ParameterizedTest
    @MethodSource("placements")
    void shouldRoundTripSessionStarted(final Placement placement)
    {
        final List<String> argv = List.of("/bin/bash", "-c", "echo '" + NON_ASCII + "'", "");
        final String command = CommandLine.join(argv);
        final String workingDir = "/tmp/日本";
        final UnsafeBuffer buffer = placement.buffer(1024);
        final int offset = placement.offset();

        final int length = encoder.encodeSessionStarted(
            buffer, offset, Long.MIN_VALUE, Long.MAX_VALUE, Integer.MIN_VALUE, 80, 24, NON_ASCII, command, workingDir);

        assertEquals(HEADER_LENGTH + SessionStartedDecoder.BLOCK_LENGTH + 3 * SessionStartedDecoder.nameHeaderLength() +
            utf8(NON_ASCII).length + utf8(command).length + utf8(workingDir).length, length);
        assertDecodes(buffer, offset, SessionStartedDecoder.TEMPLATE_ID, length);
        final SessionStartedDecoder started = decoder.sessionStarted();
        assertEquals(Long.MIN_VALUE, started.sessionId());
        assertEquals(Long.MAX_VALUE, started.timestampNs());
        assertEquals(Integer.MIN_VALUE, started.pid());
        assertEquals(80, started.cols());
        assertEquals(24, started.rows());
        // Var fields are read once each, in schema order: every read moves the decoder on to the next.
        assertEquals(NON_ASCII, started.name());
        final String decodedCommand = started.command();
        assertEquals(command, decodedCommand);
        assertEquals(argv, CommandLine.split(decodedCommand));
        assertEquals(workingDir, started.workingDir());
        assertEquals(offset + length, started.limit());
    }

    @ParameterizedTest
    @MethodSource("placements")
    void shouldRoundTripSessionStartedWithEmptyText(final Placement placement)
    {
        final UnsafeBuffer buffer = placement.buffer(256);
        final int offset = placement.offset();

        final int length = encoder.encodeSessionStarted(buffer, offset, 0, 0, 0, 0, 0, "", null, "");

        assertEquals(HEADER_LENGTH + SessionStartedDecoder.BLOCK_LENGTH + 3 * SessionStartedDecoder.nameHeaderLength(),
            length);
        assertDecodes(buffer, offset, SessionStartedDecoder.TEMPLATE_ID, length);
        final SessionStartedDecoder started = decoder.sessionStarted();
        assertEquals(0, started.pid());
        assertEquals("", started.name());
        final String decodedCommand = started.command();
        assertEquals("", decodedCommand);
        assertEquals(List.of(), CommandLine.split(decodedCommand));
        assertEquals("", started.workingDir());
        assertEquals(offset + length, started.limit());
    }

    @Test
    void shouldRoundTripLongestText()
    {
        // 65534 bytes of UTF-8 that are not all ASCII: one 2-byte character and 21844 3-byte ones.
        final String longest = "é" + "✓".repeat(21_844);
        assertEquals(FrameEncoder.MAX_TEXT_LENGTH, utf8(longest).length);
        final UnsafeBuffer buffer = new Placement(Memory.DIRECT, ODD_OFFSET).buffer(4 * FrameEncoder.MAX_TEXT_LENGTH);

        final int startedLength = encoder.encodeSessionStarted(
            buffer, ODD_OFFSET, 1, 2, 3, 4, 5, longest, longest, longest);
        assertDecodes(buffer, ODD_OFFSET, SessionStartedDecoder.TEMPLATE_ID, startedLength);
        assertEquals(longest, decoder.sessionStarted().name());
        assertEquals(longest, decoder.sessionStarted().command());
        assertEquals(longest, decoder.sessionStarted().workingDir());

        final int markerLength = encoder.encodeMarker(buffer, ODD_OFFSET, 1, 2, longest);
        assertDecodes(buffer, ODD_OFFSET, MarkerDecoder.TEMPLATE_ID, markerLength);
        assertEquals(longest, decoder.marker().label());

        final int exitedLength = encoder.encodeSessionExited(
            buffer, ODD_OFFSET, 1, 2, 3, 4, ExitReason.EXITED, 5, longest);
        assertDecodes(buffer, ODD_OFFSET, SessionExitedDecoder.TEMPLATE_ID, exitedLength);
        assertEquals(longest, decoder.sessionExited().detail());
    }

    @Test
    void shouldRefuseTextOneByteOverTheLimit()
    {
        final String tooLong = "x".repeat(FrameEncoder.MAX_TEXT_LENGTH + 1);
        final UnsafeBuffer buffer = new Placement(Memory.HEAP, 0).buffer(4 * FrameEncoder.MAX_TEXT_LENGTH);

        assertThrows(IllegalArgumentException.class,
            () -> encoder.encodeSessionStarted(buffer, 0, 1, 2, 3, 4, 5, tooLong, "", ""));
        assertThrows(IllegalArgumentException.class,
            () -> encoder.encodeSessionStarted(buffer, 0, 1, 2, 3, 4, 5, "", tooLong, ""));
        assertThrows(IllegalArgumentException.class,
            () -> encoder.encodeSessionStarted(buffer, 0, 1, 2, 3, 4, 5, "", "", tooLong));
        assertThrows(IllegalArgumentException.class, () -> encoder.encodeMarker(buffer, 0, 1, 2, tooLong));
        assertThrows(IllegalArgumentException.class,
            () -> encoder.encodeSessionExited(buffer, 0, 1, 2, 3, 4, ExitReason.EXITED, 5, tooLong));
        // Counted in bytes, not chars: 21845 three-byte characters are 65535 bytes.
        assertThrows(IllegalArgumentException.class, () -> encoder.encodeMarker(buffer, 0, 1, 2, "✓".repeat(21_845)));
        assertUntouched(buffer);
    }

    @ParameterizedTest
    @CsvSource({ "0, 0", "0, 65535", "65535, 0", "65535, 65535" })
    void shouldRoundTripDimensionsAtTheirLimits(final int cols, final int rows)
    {
        final UnsafeBuffer buffer = new Placement(Memory.HEAP, ODD_OFFSET).buffer(256);

        final int startedLength = encoder.encodeSessionStarted(buffer, ODD_OFFSET, 1, 2, 3, cols, rows, "", "", "");
        assertDecodes(buffer, ODD_OFFSET, SessionStartedDecoder.TEMPLATE_ID, startedLength);
        assertEquals(cols, decoder.sessionStarted().cols());
        assertEquals(rows, decoder.sessionStarted().rows());

        final int resizedLength = encoder.encodeResized(buffer, ODD_OFFSET, 1, 2, cols, rows);
        assertEquals(HEADER_LENGTH + ResizedDecoder.BLOCK_LENGTH, resizedLength);
        assertDecodes(buffer, ODD_OFFSET, ResizedDecoder.TEMPLATE_ID, resizedLength);
        assertEquals(cols, decoder.resized().cols());
        assertEquals(rows, decoder.resized().rows());
    }

    @ParameterizedTest
    @CsvSource({ "-1, 24", "80, -1", "65536, 24", "80, 65536", "-2147483648, 24", "80, 2147483647" })
    void shouldRefuseDimensionsOutsideTheirLimits(final int cols, final int rows)
    {
        final UnsafeBuffer buffer = new Placement(Memory.HEAP, 0).buffer(256);

        assertThrows(IllegalArgumentException.class,
            () -> encoder.encodeSessionStarted(buffer, 0, 1, 2, 3, cols, rows, "", "", ""));
        assertThrows(IllegalArgumentException.class, () -> encoder.encodeResized(buffer, 0, 1, 2, cols, rows));
        assertUntouched(buffer);
    }

    @ParameterizedTest
    @MethodSource("placements")
    void shouldRoundTripOutput(final Placement placement)
    {
        final byte[] data = everyByteValue(1000);
        final UnsafeBuffer buffer = placement.buffer(OUTPUT_OVERHEAD + data.length);
        final int offset = placement.offset();

        final int length = encoder.encodeOutput(
            buffer, offset, Long.MAX_VALUE, Long.MIN_VALUE, -1, data, 0, data.length);

        assertEquals(FrameDescriptor.outputFrameLength(data.length), length);
        assertDecodes(buffer, offset, OutputDecoder.TEMPLATE_ID, length);
        final OutputDecoder output = decoder.output();
        assertEquals(Long.MAX_VALUE, output.sessionId());
        assertEquals(Long.MIN_VALUE, output.streamPosition());
        assertEquals(-1, output.timestampNs());
        assertData(offset + OUTPUT_OVERHEAD, data);
        final byte[] copied = new byte[output.dataLength()];
        output.getData(copied, 0, copied.length);
        assertArrayEquals(data, copied);
        assertEquals(offset + length, output.limit());
    }

    @Test
    void shouldRoundTripOutputFromDirectBuffer()
    {
        final byte[] data = everyByteValue(300);
        final int srcOffset = 7;
        final UnsafeBuffer src = new UnsafeBuffer(ByteBuffer.allocateDirect(srcOffset + data.length + 5));
        src.putBytes(srcOffset, data);
        final UnsafeBuffer buffer = new Placement(Memory.DIRECT, ODD_OFFSET).buffer(OUTPUT_OVERHEAD + data.length);

        final int length = encoder.encodeOutput(buffer, ODD_OFFSET, 1, Long.MAX_VALUE, Long.MIN_VALUE,
            src, srcOffset, data.length);

        assertDecodes(buffer, ODD_OFFSET, OutputDecoder.TEMPLATE_ID, length);
        assertEquals(Long.MAX_VALUE, decoder.output().streamPosition());
        assertEquals(Long.MIN_VALUE, decoder.output().timestampNs());
        assertData(ODD_OFFSET + OUTPUT_OVERHEAD, data);
    }

    @ParameterizedTest
    @MethodSource("placements")
    void shouldRoundTripEmptyOutputAndInput(final Placement placement)
    {
        final UnsafeBuffer buffer = placement.buffer(OUTPUT_OVERHEAD);
        final int offset = placement.offset();

        final int outputLength = encoder.encodeOutput(buffer, offset, 1, 2, 3, new byte[0], 0, 0);
        assertEquals(OUTPUT_OVERHEAD, outputLength);
        assertDecodes(buffer, offset, OutputDecoder.TEMPLATE_ID, outputLength);
        assertData(offset + OUTPUT_OVERHEAD, new byte[0]);
        assertEquals(0, decoder.output().dataLength());

        final int inputLength = encoder.encodeInput(buffer, offset, 1, 2, 3, new byte[0], 0, 0);
        assertEquals(OUTPUT_OVERHEAD, inputLength);
        assertDecodes(buffer, offset, InputDecoder.TEMPLATE_ID, inputLength);
        assertData(offset + OUTPUT_OVERHEAD, new byte[0]);
        assertEquals(0, decoder.input().dataLength());
    }

    @ParameterizedTest
    @MethodSource("placements")
    void shouldRoundTripLargestOutputAndInput(final Placement placement)
    {
        final byte[] data = everyByteValue(MAX_OUTPUT_DATA_LENGTH);
        final UnsafeBuffer buffer = placement.buffer(MAX_FRAME_LENGTH);
        final int offset = placement.offset();

        final int outputLength = encoder.encodeOutput(buffer, offset, 1, 2, 3, data, 0, data.length);
        assertEquals(MAX_FRAME_LENGTH, outputLength);
        assertDecodes(buffer, offset, OutputDecoder.TEMPLATE_ID, outputLength);
        assertData(offset + OUTPUT_OVERHEAD, data);

        final int inputLength = encoder.encodeInput(buffer, offset, 1, 2, 3, data, 0, data.length);
        assertEquals(MAX_FRAME_LENGTH, inputLength);
        assertDecodes(buffer, offset, InputDecoder.TEMPLATE_ID, inputLength);
        assertData(offset + HEADER_LENGTH + InputDecoder.BLOCK_LENGTH + InputDecoder.dataHeaderLength(), data);
    }

    @ParameterizedTest
    @CsvSource({ "-1", "-2147483648" })
    void shouldRefuseNegativeDataLength(final int length)
    {
        final byte[] data = new byte[16];
        final UnsafeBuffer buffer = new Placement(Memory.HEAP, 0).buffer(OUTPUT_OVERHEAD);

        assertThrows(IllegalArgumentException.class, () -> encoder.encodeOutput(buffer, 0, 1, 2, 3, data, 0, length));
        assertThrows(IllegalArgumentException.class,
            () -> encoder.encodeOutput(buffer, 0, 1, 2, 3, new UnsafeBuffer(data), 0, length));
        assertThrows(IllegalArgumentException.class, () -> encoder.encodeInput(buffer, 0, 1, 2, 3, data, 0, length));
        assertUntouched(buffer);
    }

    @Test
    void shouldRefuseDataOneByteOverTheMaximum()
    {
        final int length = MAX_OUTPUT_DATA_LENGTH + 1;
        final byte[] data = new byte[length];
        // Room for the oversized frame, so only the frame limit can refuse it.
        final UnsafeBuffer buffer = new Placement(Memory.HEAP, 0).buffer(OUTPUT_OVERHEAD + length);

        assertThrows(IllegalArgumentException.class, () -> encoder.encodeOutput(buffer, 0, 1, 2, 3, data, 0, length));
        assertThrows(IllegalArgumentException.class,
            () -> encoder.encodeOutput(buffer, 0, 1, 2, 3, new UnsafeBuffer(data), 0, length));
        assertThrows(IllegalArgumentException.class, () -> encoder.encodeInput(buffer, 0, 1, 2, 3, data, 0, length));
        assertUntouched(buffer);
    }

    @ParameterizedTest
    @MethodSource("placements")
    void shouldRoundTripInput(final Placement placement)
    {
        final byte[] data = utf8("vim " + NON_ASCII + "\r\u001b:wq\r");
        final UnsafeBuffer buffer = placement.buffer(OUTPUT_OVERHEAD + data.length);
        final int offset = placement.offset();

        final int length = encoder.encodeInput(buffer, offset, Long.MIN_VALUE, Long.MAX_VALUE, 0, data, 0, data.length);

        assertEquals(HEADER_LENGTH + InputDecoder.BLOCK_LENGTH + InputDecoder.dataHeaderLength() + data.length, length);
        assertDecodes(buffer, offset, InputDecoder.TEMPLATE_ID, length);
        final InputDecoder input = decoder.input();
        assertEquals(Long.MIN_VALUE, input.sessionId());
        assertEquals(Long.MAX_VALUE, input.position());
        assertEquals(0, input.timestampNs());
        assertData(offset + length - data.length, data);
        final byte[] copied = new byte[input.dataLength()];
        input.getData(copied, 0, copied.length);
        assertArrayEquals(data, copied);
        assertEquals(offset + length, input.limit());
    }

    @ParameterizedTest
    @MethodSource("placements")
    void shouldRoundTripResized(final Placement placement)
    {
        final UnsafeBuffer buffer = placement.buffer(64);
        final int offset = placement.offset();

        final int length = encoder.encodeResized(buffer, offset, Long.MAX_VALUE, Long.MIN_VALUE, 132, 43);

        assertEquals(HEADER_LENGTH + ResizedDecoder.BLOCK_LENGTH, length);
        assertDecodes(buffer, offset, ResizedDecoder.TEMPLATE_ID, length);
        final ResizedDecoder resized = decoder.resized();
        assertEquals(Long.MAX_VALUE, resized.sessionId());
        assertEquals(Long.MIN_VALUE, resized.timestampNs());
        assertEquals(132, resized.cols());
        assertEquals(43, resized.rows());
    }

    @ParameterizedTest
    @MethodSource("placements")
    void shouldRoundTripMarker(final Placement placement)
    {
        final UnsafeBuffer buffer = placement.buffer(128);
        final int offset = placement.offset();

        final int length = encoder.encodeMarker(buffer, offset, Long.MIN_VALUE, Long.MAX_VALUE, NON_ASCII);

        assertEquals(HEADER_LENGTH + MarkerDecoder.BLOCK_LENGTH + MarkerDecoder.labelHeaderLength() +
            utf8(NON_ASCII).length, length);
        assertDecodes(buffer, offset, MarkerDecoder.TEMPLATE_ID, length);
        final MarkerDecoder marker = decoder.marker();
        assertEquals(Long.MIN_VALUE, marker.sessionId());
        assertEquals(Long.MAX_VALUE, marker.timestampNs());
        assertEquals(NON_ASCII, marker.label());
        assertEquals(offset + length, marker.limit());
    }

    @ParameterizedTest
    @MethodSource("placements")
    void shouldRoundTripMarkerWithEmptyLabel(final Placement placement)
    {
        final UnsafeBuffer buffer = placement.buffer(64);
        final int offset = placement.offset();

        final int length = encoder.encodeMarker(buffer, offset, 1, 2, "");

        assertEquals(HEADER_LENGTH + MarkerDecoder.BLOCK_LENGTH + MarkerDecoder.labelHeaderLength(), length);
        assertDecodes(buffer, offset, MarkerDecoder.TEMPLATE_ID, length);
        assertEquals("", decoder.marker().label());
    }

    @Test
    void shouldRefuseExitWithoutReason()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[128]);

        assertThrows(IllegalArgumentException.class, () -> encoder.encodeSessionExited(
            buffer, 0, 1, 1, 0, 0, ExitReason.NULL_VAL, 0, ""));
    }

    @ParameterizedTest
    @EnumSource(value = ExitReason.class, mode = EnumSource.Mode.EXCLUDE, names = "NULL_VAL")
    void shouldRoundTripSessionExited(final ExitReason reason)
    {
        final UnsafeBuffer buffer = new Placement(Memory.DIRECT, ODD_OFFSET).buffer(128);

        final int length = encoder.encodeSessionExited(buffer, ODD_OFFSET, Long.MAX_VALUE, Long.MIN_VALUE,
            Integer.MIN_VALUE, Integer.MAX_VALUE, reason, Long.MAX_VALUE, NON_ASCII);

        assertEquals(HEADER_LENGTH + SessionExitedDecoder.BLOCK_LENGTH + SessionExitedDecoder.detailHeaderLength() +
            utf8(NON_ASCII).length, length);
        assertDecodes(buffer, ODD_OFFSET, SessionExitedDecoder.TEMPLATE_ID, length);
        final SessionExitedDecoder exited = decoder.sessionExited();
        assertEquals(Long.MAX_VALUE, exited.sessionId());
        assertEquals(Long.MIN_VALUE, exited.timestampNs());
        assertEquals(Integer.MIN_VALUE, exited.exitCode());
        assertEquals(Integer.MAX_VALUE, exited.signal());
        assertEquals(reason, exited.reason());
        assertEquals(Long.MAX_VALUE, exited.totalOutputBytes());
        assertEquals(NON_ASCII, exited.detail());
        assertEquals(ODD_OFFSET + length, exited.limit());
    }

    @Test
    void shouldDecodeFramesBackToBack()
    {
        final byte[] data = everyByteValue(100);
        final UnsafeBuffer buffer = new Placement(Memory.DIRECT, ODD_OFFSET).buffer(1024);
        int position = ODD_OFFSET;
        position += encoder.encodeSessionStarted(buffer, position, 1, 10, 99, 80, 24, "a", "sh\0", "/");
        position += encoder.encodeOutput(buffer, position, 1, 0, 11, data, 0, data.length);
        position += encoder.encodeInput(buffer, position, 1, 0, 12, data, 0, 1);
        position += encoder.encodeResized(buffer, position, 1, 13, 100, 30);
        position += encoder.encodeMarker(buffer, position, 1, 14, "m");
        position += encoder.encodeSessionExited(buffer, position, 1, 15, 0, 0, ExitReason.EXITED, 100, "");
        final int end = position;

        final int[] expectedTemplates = {
            SessionStartedDecoder.TEMPLATE_ID, OutputDecoder.TEMPLATE_ID, InputDecoder.TEMPLATE_ID,
            ResizedDecoder.TEMPLATE_ID, MarkerDecoder.TEMPLATE_ID, SessionExitedDecoder.TEMPLATE_ID };
        position = ODD_OFFSET;
        for (final int expectedTemplate : expectedTemplates)
        {
            assertEquals(expectedTemplate, decoder.wrap(buffer, position, end - position));
            TestFrames.readEveryField(decoder, position, end - position);
            position += decoder.frameLength();
        }
        assertEquals(end, position);
        assertEquals(100, decoder.sessionExited().totalOutputBytes());
    }

    private void assertDecodes(final UnsafeBuffer buffer, final int offset, final int templateId, final int length)
    {
        // Hand the decoder everything to the end of the buffer: the frame's own fields must say where it ends.
        assertEquals(templateId, decoder.wrap(buffer, offset, buffer.capacity() - offset));
        assertTrue(decoder.isKnownTemplate());
        assertEquals(FrameDecoder.SCHEMA_VERSION, decoder.version());
        assertEquals(length, decoder.frameLength());
        assertSame(buffer, decoder.buffer());
    }

    private void assertData(final int expectedOffset, final byte[] expected)
    {
        assertEquals(expectedOffset, decoder.dataOffset());
        assertEquals(expected.length, decoder.dataLength());
        assertArrayEquals(expected, bytesAt(decoder.buffer(), decoder.dataOffset(), decoder.dataLength()));
    }

    private static void assertUntouched(final UnsafeBuffer buffer)
    {
        for (int i = 0; i < buffer.capacity(); i++)
        {
            if (FILL != buffer.getByte(i))
            {
                throw new AssertionError("a refused encode wrote byte " + i);
            }
        }
    }

    private static byte[] everyByteValue(final int length)
    {
        final byte[] data = new byte[length];
        for (int i = 0; i < length; i++)
        {
            data[i] = (byte)i;
        }

        return data;
    }
}
