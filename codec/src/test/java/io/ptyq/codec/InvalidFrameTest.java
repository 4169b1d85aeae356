package io.ptyq.codec;

import io.ptyq.codec.sbe.MarkerDecoder;
import io.ptyq.codec.sbe.MessageHeaderEncoder;
import io.ptyq.codec.sbe.OutputDecoder;
import io.ptyq.codec.sbe.SessionStartedDecoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static io.ptyq.codec.FrameDescriptor.HEADER_LENGTH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bytes that are not a valid frame: every one must raise {@link InvalidFrameException} and nothing else.
 */
class InvalidFrameTest
{
    private static final int RANDOM_ARRAYS = 100_000;
    private static final long SEED = 0x5EED_F00DL;
    private static final int ODD_OFFSET = 3;
    private static final int OUTPUT_DATA_PREFIX = HEADER_LENGTH + OutputDecoder.BLOCK_LENGTH;
    private static final int NAME_PREFIX = HEADER_LENGTH + SessionStartedDecoder.BLOCK_LENGTH;

    private final FrameDecoder decoder = new FrameDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();

    static Stream<Arguments> everyMessage()
    {
        return TestFrames.everyMessage().entrySet().stream()
            .map((entry) -> Arguments.of(entry.getKey(), entry.getValue()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyMessage")
    void shouldRefuseEveryTruncation(final String message, final byte[] frame)
    {
        final UnsafeBuffer whole = new UnsafeBuffer(frame);
        assertEquals(frame.length, wrapAndRead(whole, 0, frame.length), message + " at full length");

        for (int length = 0; length < frame.length; length++)
        {
            final int truncated = length;
            final String what = message + " cut to " + truncated + " of " + frame.length + " bytes";

            // The buffer ends where the frame is cut, so any read past the cut is also out of bounds.
            final UnsafeBuffer exact = new UnsafeBuffer(Arrays.copyOf(frame, truncated));
            assertThrows(InvalidFrameException.class, () -> wrapAndRead(exact, 0, truncated), what);

            // The rest of the frame is there, but outside the length given.
            assertThrows(InvalidFrameException.class, () -> wrapAndRead(whole, 0, truncated), what);

            final UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(ODD_OFFSET + truncated));
            direct.putBytes(ODD_OFFSET, frame, 0, truncated);
            assertThrows(InvalidFrameException.class, () -> wrapAndRead(direct, ODD_OFFSET, truncated), what);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = { 1, 2, 100, 65536, 0x7FFF_FFFF })
    void shouldRefuseDataLengthLargerThanTheBuffer(final int excess)
    {
        final byte[] frame = TestFrames.output();
        final UnsafeBuffer buffer = new UnsafeBuffer(frame);
        final int dataLength = frame.length - FrameDescriptor.OUTPUT_OVERHEAD;
        final long claimed = Math.min(0xFFFF_FFFFL, (long)dataLength + excess);
        buffer.putInt(OUTPUT_DATA_PREFIX, (int)claimed, ByteOrder.LITTLE_ENDIAN);

        assertThrows(InvalidFrameException.class, () -> wrapAndRead(buffer, 0, frame.length));
    }

    @Test
    void shouldRefuseTextLengthLargerThanTheBuffer()
    {
        final byte[] frame = TestFrames.sessionStarted();
        final UnsafeBuffer original = new UnsafeBuffer(frame);
        final int nameLength = original.getShort(NAME_PREFIX, ByteOrder.LITTLE_ENDIAN);
        final int commandPrefix = NAME_PREFIX + 2 + nameLength;
        final int commandLength = original.getShort(commandPrefix, ByteOrder.LITTLE_ENDIAN);
        final int workingDirPrefix = commandPrefix + 2 + commandLength;

        for (final int prefix : new int[]{ NAME_PREFIX, commandPrefix, workingDirPrefix })
        {
            final int remaining = frame.length - prefix - 2;
            // Just past the frame; top bit of the uint16 set; and over the text limit of 65534.
            for (final int fieldLength : new int[]{ remaining + 1, 0x8000, 0xFFFF })
            {
                final UnsafeBuffer buffer = new UnsafeBuffer(frame.clone());
                buffer.putShort(prefix, (short)fieldLength, ByteOrder.LITTLE_ENDIAN);
                assertThrows(InvalidFrameException.class, () -> wrapAndRead(buffer, 0, frame.length),
                    () -> "length " + fieldLength + " at " + prefix);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = { 0x8000_0000, 0x8000_0001, 0xFFFF_FFFE, 0xFFFF_FFFF })
    void shouldRefuseDataLengthWithTopBitSet(final int dataLength)
    {
        // As a Java int these are negative: a decoder that forgot the length is unsigned would read backwards.
        for (final byte[] frame : List.of(TestFrames.output(), TestFrames.input()))
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(frame);
            buffer.putInt(OUTPUT_DATA_PREFIX, dataLength, ByteOrder.LITTLE_ENDIAN);

            final InvalidFrameException ex =
                assertThrows(InvalidFrameException.class, () -> wrapAndRead(buffer, 0, frame.length));
            assertTrue(ex.getMessage().contains(Long.toString(dataLength & 0xFFFF_FFFFL)), ex.getMessage());
        }
    }

    @Test
    void shouldRefuseVarLengthOverItsLimitEvenWhenTheBytesArePresent()
    {
        final int dataLength = FrameDescriptor.MAX_FRAME_LENGTH + 1;
        final UnsafeBuffer output = new UnsafeBuffer(new byte[FrameDescriptor.outputFrameLength(dataLength)]);
        output.putBytes(0, TestFrames.output(), 0, OUTPUT_DATA_PREFIX);
        output.putInt(OUTPUT_DATA_PREFIX, dataLength, ByteOrder.LITTLE_ENDIAN);
        assertThrows(InvalidFrameException.class, () -> wrapAndRead(output, 0, output.capacity()));

        final int textLength = 0xFFFF;
        final int labelPrefix = HEADER_LENGTH + MarkerDecoder.BLOCK_LENGTH;
        final int markerLength = labelPrefix + MarkerDecoder.labelHeaderLength() + textLength;
        final UnsafeBuffer marker = new UnsafeBuffer(new byte[markerLength]);
        marker.putBytes(0, TestFrames.marker(), 0, labelPrefix);
        marker.putShort(labelPrefix, (short)textLength, ByteOrder.LITTLE_ENDIAN);
        assertThrows(InvalidFrameException.class, () -> wrapAndRead(marker, 0, marker.capacity()));
    }

    @ParameterizedTest
    @ValueSource(ints = { 0, 1, 7300, 7302, 0x851C, 0xFFFF })
    void shouldRefuseWrongSchemaId(final int schemaId)
    {
        for (final byte[] frame : TestFrames.everyMessage().values())
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(frame);
            headerEncoder.wrap(buffer, 0).schemaId(schemaId);

            assertThrows(InvalidFrameException.class, () -> wrapAndRead(buffer, 0, frame.length));
        }
    }

    @Test
    void shouldRefuseVersionZero()
    {
        for (final byte[] frame : TestFrames.everyMessage().values())
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(frame);
            headerEncoder.wrap(buffer, 0).version(0);

            assertThrows(InvalidFrameException.class, () -> wrapAndRead(buffer, 0, frame.length));
        }
    }

    @Test
    void shouldAcceptVersionsNewerThanItsOwn()
    {
        for (final byte[] frame : TestFrames.everyMessage().values())
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(frame);
            headerEncoder.wrap(buffer, 0).version(0xFFFF);

            assertEquals(frame.length, wrapAndRead(buffer, 0, frame.length));
            assertEquals(0xFFFF, decoder.version());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyMessage")
    void shouldRefuseBlockLengthSmallerThanTheTemplates(final String message, final byte[] frame)
    {
        final int blockLength = new UnsafeBuffer(frame).getShort(0, ByteOrder.LITTLE_ENDIAN);
        for (final int smaller : new int[]{ 0, 1, blockLength - 1 })
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(frame.clone());
            headerEncoder.wrap(buffer, 0).blockLength(smaller);

            final InvalidFrameException ex =
                assertThrows(InvalidFrameException.class, () -> wrapAndRead(buffer, 0, frame.length));
            assertTrue(ex.getMessage().contains("block length " + smaller), ex.getMessage());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyMessage")
    void shouldRefuseBlockLengthPastTheEnd(final String message, final byte[] frame)
    {
        for (final int larger : new int[]{ frame.length - HEADER_LENGTH + 1, 0xFFFF })
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(frame.clone());
            headerEncoder.wrap(buffer, 0).blockLength(larger);

            assertThrows(InvalidFrameException.class, () -> wrapAndRead(buffer, 0, frame.length));
        }
    }

    @ParameterizedTest
    @CsvSource({
        "-1, 8",
        "0, -1",
        "0, 65",
        "1, 64",
        "64, 1",
        "65, 0",
        "-2147483648, 8",
        "2147483647, 8",
        "8, 2147483647",
        "2147483647, 2147483647" })
    void shouldRefuseRangeOutsideTheBuffer(final int offset, final int length)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        buffer.putBytes(0, TestFrames.resized());

        final InvalidFrameException ex =
            assertThrows(InvalidFrameException.class, () -> decoder.wrap(buffer, offset, length));
        assertTrue(ex.getMessage().contains("outside a buffer of 64 bytes"), ex.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = { 0, 7, 8, 99, 0xFFFF })
    void shouldReportUnknownTemplateWithoutReadingIt(final int templateId)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[HEADER_LENGTH + 12]);
        buffer.setMemory(HEADER_LENGTH, 12, (byte)0xFF);
        headerEncoder.wrap(buffer, 0).blockLength(4).templateId(templateId).schemaId(FrameDecoder.SCHEMA_ID).version(2);

        assertEquals(templateId, decoder.wrap(buffer, 0, buffer.capacity()));
        assertFalse(decoder.isKnownTemplate());
        assertEquals(HEADER_LENGTH + 4, decoder.frameLength());
        assertEquals("template " + templateId, FrameDecoder.templateName(templateId));

        // Even an unknown template's block has to be inside the frame.
        headerEncoder.blockLength(13);
        assertThrows(InvalidFrameException.class, () -> decoder.wrap(buffer, 0, buffer.capacity()));
    }

    @Test
    void shouldRefuseFourGiBVarLengthQuicklyWithoutAllocating()
    {
        final byte[] frame = TestFrames.output();
        final UnsafeBuffer buffer = new UnsafeBuffer(frame);
        buffer.putInt(OUTPUT_DATA_PREFIX, 0xFFFF_FFFF, ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 1_000; i++)
        {
            refuse(buffer, frame.length);
        }
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

        final long startNs = System.nanoTime();
        final long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
        final InvalidFrameException ex = refuse(buffer, frame.length);
        final long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
        final long elapsedNs = System.nanoTime() - startNs;

        assertTrue(ex.getMessage().contains("4294967295"), ex.getMessage());
        // Only the exception and its one-line message: nothing sized by the claimed length.
        assertTrue(allocated < 64 * 1024, () -> "allocated " + allocated + " bytes refusing the frame");
        assertTrue(elapsedNs < 1_000_000_000L, () -> "took " + elapsedNs + " ns to refuse the frame");
    }

    @Test
    void shouldNotAllocateWrappingValidFrames()
    {
        final List<UnsafeBuffer> frames = TestFrames.everyMessage().values().stream().map(UnsafeBuffer::new).toList();
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (int i = 0; i < 20_000; i++)
        {
            sum += wrapAll(frames);
        }

        final long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 1_000; i++)
        {
            sum += wrapAll(frames);
        }
        final long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;

        assertTrue(sum > 0);
        assertEquals(0, allocated, "bytes allocated by 6,000 wraps of valid frames");
    }

    @Test
    void shouldOnlyThrowInvalidFrameExceptionForRandomBytes()
    {
        final Random random = new Random(SEED);
        for (int i = 0; i < RANDOM_ARRAYS; i++)
        {
            final byte[] bytes = new byte[random.nextInt(128)];
            random.nextBytes(bytes);
            decodeOrRefuse(bytes, random.nextInt(8), "random array " + i + " of seed " + SEED);
        }
    }

    @Test
    void shouldOnlyThrowInvalidFrameExceptionForMutatedFrames()
    {
        // Pure random bytes rarely get past the schema id; mutating valid frames reaches the var field checks.
        final Random random = new Random(SEED);
        final List<byte[]> samples = List.copyOf(TestFrames.everyMessage().values());
        int decoded = 0;
        for (int i = 0; i < RANDOM_ARRAYS; i++)
        {
            final byte[] sample = samples.get(random.nextInt(samples.size()));
            final byte[] bytes = mutate(random, sample);
            decoded += decodeOrRefuse(bytes, random.nextInt(8), "mutation " + i + " of seed " + SEED);
        }

        final int accepted = decoded;
        assertTrue(accepted > RANDOM_ARRAYS / 20 && accepted < RANDOM_ARRAYS - RANDOM_ARRAYS / 20,
            () -> "mutations should be both accepted and refused, but " + accepted + " were accepted");
    }

    private static byte[] mutate(final Random random, final byte[] sample)
    {
        final int newLength = switch (random.nextInt(4))
        {
            case 0 -> random.nextInt(sample.length + 1);
            case 1 -> sample.length + random.nextInt(16);
            default -> sample.length;
        };
        final byte[] bytes = Arrays.copyOf(sample, newLength);
        final int mutations = random.nextInt(4);
        for (int m = 0; m < mutations && bytes.length > 0; m++)
        {
            final int at = random.nextInt(bytes.length);
            switch (random.nextInt(4))
            {
                case 0 -> bytes[at] = (byte)random.nextInt();
                case 1 -> bytes[at] ^= (byte)(1 << random.nextInt(8));
                case 2 -> bytes[at] = (byte)0xFF;
                default -> bytes[at] = 0;
            }
        }

        return bytes;
    }

    private int decodeOrRefuse(final byte[] bytes, final int offset, final String what)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[offset + bytes.length]);
        buffer.putBytes(offset, bytes);
        try
        {
            wrapAndRead(buffer, offset, bytes.length);
            return 1;
        }
        catch (final InvalidFrameException ex)
        {
            final String message = ex.getMessage();
            if (null == message || message.isEmpty() || message.indexOf('\n') >= 0)
            {
                throw new AssertionError(what + ": message is not one line: " + message, ex);
            }
            return 0;
        }
        catch (final RuntimeException | AssertionError ex)
        {
            throw new AssertionError(what + " at offset " + offset + ": " + HexFormat.of().formatHex(bytes), ex);
        }
    }

    private int wrapAndRead(final UnsafeBuffer buffer, final int offset, final int length)
    {
        decoder.wrap(buffer, offset, length);
        TestFrames.readEveryField(decoder, offset, length);

        return decoder.frameLength();
    }

    private InvalidFrameException refuse(final UnsafeBuffer buffer, final int length)
    {
        try
        {
            decoder.wrap(buffer, 0, length);
        }
        catch (final InvalidFrameException ex)
        {
            return ex;
        }

        throw new AssertionError("frame was not refused");
    }

    private long wrapAll(final List<UnsafeBuffer> frames)
    {
        long sum = 0;
        for (int i = 0, size = frames.size(); i < size; i++)
        {
            final UnsafeBuffer frame = frames.get(i);
            sum += decoder.wrap(frame, 0, frame.capacity()) + decoder.frameLength();
        }

        return sum;
    }
}
