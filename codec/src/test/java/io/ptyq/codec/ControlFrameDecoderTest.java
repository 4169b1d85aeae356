package io.ptyq.codec;

import io.ptyq.codec.control.sbe.InputRequestDecoder;
import io.ptyq.codec.control.sbe.InputRequestEncoder;
import io.ptyq.codec.control.sbe.ListEndDecoder;
import io.ptyq.codec.control.sbe.ListEndEncoder;
import io.ptyq.codec.control.sbe.ListEntryDecoder;
import io.ptyq.codec.control.sbe.ListEntryEncoder;
import io.ptyq.codec.control.sbe.ListRequestDecoder;
import io.ptyq.codec.control.sbe.ListRequestEncoder;
import io.ptyq.codec.control.sbe.MarkerRequestDecoder;
import io.ptyq.codec.control.sbe.MarkerRequestEncoder;
import io.ptyq.codec.control.sbe.MessageHeaderEncoder;
import io.ptyq.codec.control.sbe.NewSessionRequestDecoder;
import io.ptyq.codec.control.sbe.NewSessionRequestEncoder;
import io.ptyq.codec.control.sbe.ResizeRequestDecoder;
import io.ptyq.codec.control.sbe.ResizeRequestEncoder;
import io.ptyq.codec.control.sbe.ResponseDecoder;
import io.ptyq.codec.control.sbe.ResponseEncoder;
import io.ptyq.codec.control.sbe.ResponseStatus;
import io.ptyq.codec.control.sbe.SignalRequestDecoder;
import io.ptyq.codec.control.sbe.SignalRequestEncoder;
import io.ptyq.codec.control.sbe.StatsEndDecoder;
import io.ptyq.codec.control.sbe.StatsEndEncoder;
import io.ptyq.codec.control.sbe.StatsEntryDecoder;
import io.ptyq.codec.control.sbe.StatsEntryEncoder;
import io.ptyq.codec.control.sbe.StatsRequestDecoder;
import io.ptyq.codec.control.sbe.StatsRequestEncoder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.ToIntBiFunction;
import java.util.stream.Stream;

import static io.ptyq.codec.ControlFrameDecoder.HEADER_LENGTH;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Control messages (schema 7302): each round trips through {@link ControlFrameDecoder}, and bytes that are not a
 * valid message raise {@link InvalidFrameException} and nothing else.
 */
class ControlFrameDecoderTest
{
    static final String NON_ASCII = "日本語 ✓ 🎉";
    static final long CORRELATION_ID = 0x0102_0304_0506_0708L;

    private static final int SAMPLE_CAPACITY = 4096;
    private static final int RANDOM_ARRAYS = 100_000;
    private static final long SEED = 0x7302_F00DL;
    private static final int ODD_OFFSET = 3;

    private final ControlFrameDecoder decoder = new ControlFrameDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();

    static byte[] encode(final ToIntBiFunction<MutableDirectBuffer, MessageHeaderEncoder> encoding)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[SAMPLE_CAPACITY]);
        final int length = encoding.applyAsInt(buffer, new MessageHeaderEncoder());

        return Arrays.copyOf(buffer.byteArray(), length);
    }

    static byte[] newSessionRequest()
    {
        final String command = CommandLine.join(List.of("/bin/bash", "-lc", "echo '" + NON_ASCII + "'"));
        return encode((buffer, header) -> HEADER_LENGTH + new NewSessionRequestEncoder()
            .wrapAndApplyHeader(buffer, 0, header)
            .correlationId(CORRELATION_ID)
            .cols(120)
            .rows(40)
            .name(NON_ASCII)
            .command(command)
            .workingDir("/home/ptyq")
            .env("TERM=xterm-256color\0LANG=C.UTF-8\0")
            .encodedLength());
    }

    static byte[] inputRequest()
    {
        final byte[] data = "ls -l\r\u0003".getBytes(StandardCharsets.UTF_8);
        return encode((buffer, header) -> HEADER_LENGTH + new InputRequestEncoder()
            .wrapAndApplyHeader(buffer, 0, header)
            .correlationId(CORRELATION_ID)
            .session("build")
            .putData(data, 0, data.length)
            .encodedLength());
    }

    static byte[] resizeRequest()
    {
        return encode((buffer, header) -> HEADER_LENGTH + new ResizeRequestEncoder()
            .wrapAndApplyHeader(buffer, 0, header)
            .correlationId(CORRELATION_ID)
            .cols(65535)
            .rows(1)
            .session("42")
            .encodedLength());
    }

    static byte[] signalRequest()
    {
        return encode((buffer, header) -> HEADER_LENGTH + new SignalRequestEncoder()
            .wrapAndApplyHeader(buffer, 0, header)
            .correlationId(CORRELATION_ID)
            .signal(15)
            .session("build")
            .encodedLength());
    }

    static byte[] markerRequest()
    {
        return encode((buffer, header) -> HEADER_LENGTH + new MarkerRequestEncoder()
            .wrapAndApplyHeader(buffer, 0, header)
            .correlationId(CORRELATION_ID)
            .session("build")
            .label(NON_ASCII)
            .encodedLength());
    }

    static byte[] listRequest()
    {
        return encode((buffer, header) -> HEADER_LENGTH + new ListRequestEncoder()
            .wrapAndApplyHeader(buffer, 0, header)
            .correlationId(CORRELATION_ID)
            .encodedLength());
    }

    static byte[] response()
    {
        return encode((buffer, header) -> HEADER_LENGTH + new ResponseEncoder()
            .wrapAndApplyHeader(buffer, 0, header)
            .correlationId(CORRELATION_ID)
            .status(ResponseStatus.NOT_FOUND)
            .sessionId(42)
            .message("no session named build")
            .encodedLength());
    }

    static byte[] listEntry()
    {
        return encode((buffer, header) -> HEADER_LENGTH + new ListEntryEncoder()
            .wrapAndApplyHeader(buffer, 0, header)
            .correlationId(CORRELATION_ID)
            .sessionId(42)
            .pid(4242)
            .cols(80)
            .rows(24)
            .name(NON_ASCII)
            .encodedLength());
    }

    static byte[] listEnd()
    {
        return encode((buffer, header) -> HEADER_LENGTH + new ListEndEncoder()
            .wrapAndApplyHeader(buffer, 0, header)
            .correlationId(CORRELATION_ID)
            .sessionCount(1)
            .encodedLength());
    }

    static byte[] statsRequest()
    {
        return encode((buffer, header) -> HEADER_LENGTH + new StatsRequestEncoder()
            .wrapAndApplyHeader(buffer, 0, header)
            .correlationId(CORRELATION_ID)
            .encodedLength());
    }

    static byte[] statsEntry()
    {
        return encode((buffer, header) -> HEADER_LENGTH + new StatsEntryEncoder()
            .wrapAndApplyHeader(buffer, 0, header)
            .correlationId(CORRELATION_ID)
            .value(Long.MIN_VALUE)
            .name(NON_ASCII)
            .encodedLength());
    }

    static byte[] statsEnd()
    {
        return encode((buffer, header) -> HEADER_LENGTH + new StatsEndEncoder()
            .wrapAndApplyHeader(buffer, 0, header)
            .correlationId(CORRELATION_ID)
            .counterCount(1)
            .encodedLength());
    }

    static Map<String, byte[]> everyMessage()
    {
        final Map<String, byte[]> messages = new LinkedHashMap<>();
        messages.put("NewSessionRequest", newSessionRequest());
        messages.put("InputRequest", inputRequest());
        messages.put("ResizeRequest", resizeRequest());
        messages.put("SignalRequest", signalRequest());
        messages.put("MarkerRequest", markerRequest());
        messages.put("ListRequest", listRequest());
        messages.put("Response", response());
        messages.put("ListEntry", listEntry());
        messages.put("ListEnd", listEnd());
        messages.put("StatsRequest", statsRequest());
        messages.put("StatsEntry", statsEntry());
        messages.put("StatsEnd", statsEnd());

        return messages;
    }

    static Stream<Arguments> everyMessageArguments()
    {
        return everyMessage().entrySet().stream().map((entry) -> Arguments.of(entry.getKey(), entry.getValue()));
    }

    /**
     * Read every field of the message {@code decoder} wraps, as a server or client would, in schema order.
     */
    static void readEveryField(final ControlFrameDecoder decoder)
    {
        decoder.correlationId();
        if (!decoder.isKnownTemplate())
        {
            return;
        }

        switch (decoder.templateId())
        {
            case NewSessionRequestDecoder.TEMPLATE_ID:
            {
                final NewSessionRequestDecoder request = decoder.newSessionRequest();
                request.cols();
                request.rows();
                request.name();
                CommandLine.split(request.command());
                request.workingDir();
                request.env();
                break;
            }
            case InputRequestDecoder.TEMPLATE_ID:
            {
                final InputRequestDecoder request = decoder.inputRequest();
                request.session();
                final byte[] data = new byte[decoder.inputDataLength()];
                request.getData(data, 0, data.length);
                decoder.buffer().getBytes(decoder.inputDataOffset(), data);
                break;
            }
            case ResizeRequestDecoder.TEMPLATE_ID:
            {
                final ResizeRequestDecoder request = decoder.resizeRequest();
                request.cols();
                request.rows();
                request.session();
                break;
            }
            case SignalRequestDecoder.TEMPLATE_ID:
            {
                final SignalRequestDecoder request = decoder.signalRequest();
                request.signal();
                request.session();
                break;
            }
            case MarkerRequestDecoder.TEMPLATE_ID:
            {
                final MarkerRequestDecoder request = decoder.markerRequest();
                request.session();
                request.label();
                break;
            }
            case ListRequestDecoder.TEMPLATE_ID:
                decoder.listRequest().correlationId();
                break;
            case ResponseDecoder.TEMPLATE_ID:
            {
                final ResponseDecoder response = decoder.response();
                if (ResponseStatus.NULL_VAL != decoder.responseStatus())
                {
                    // Only a status a newer version added would make the generated accessor throw.
                    response.status();
                }
                response.sessionId();
                response.message();
                break;
            }
            case ListEntryDecoder.TEMPLATE_ID:
            {
                final ListEntryDecoder entry = decoder.listEntry();
                entry.sessionId();
                entry.pid();
                entry.cols();
                entry.rows();
                entry.name();
                break;
            }
            case ListEndDecoder.TEMPLATE_ID:
                decoder.listEnd().sessionCount();
                break;
            case StatsRequestDecoder.TEMPLATE_ID:
                decoder.statsRequest().correlationId();
                break;
            case StatsEntryDecoder.TEMPLATE_ID:
            {
                final StatsEntryDecoder entry = decoder.statsEntry();
                entry.value();
                entry.name();
                break;
            }
            case StatsEndDecoder.TEMPLATE_ID:
                decoder.statsEnd().counterCount();
                break;
            default:
                throw new AssertionError("known template without a reader: " + decoder.templateId());
        }
    }

    @Test
    void shouldRoundTripNewSessionRequest()
    {
        final byte[] message = newSessionRequest();
        assertEquals(NewSessionRequestDecoder.TEMPLATE_ID, wrapWhole(message));

        final NewSessionRequestDecoder request = decoder.newSessionRequest();
        assertEquals(CORRELATION_ID, decoder.correlationId());
        assertEquals(120, request.cols());
        assertEquals(40, request.rows());
        assertEquals(NON_ASCII, request.name());
        assertEquals(List.of("/bin/bash", "-lc", "echo '" + NON_ASCII + "'"), CommandLine.split(request.command()));
        assertEquals("/home/ptyq", request.workingDir());
        assertEquals(List.of("TERM=xterm-256color", "LANG=C.UTF-8"), CommandLine.split(request.env()));
    }

    @Test
    void shouldRoundTripInputRequestAndExposeItsBytes()
    {
        final byte[] message = inputRequest();
        assertEquals(InputRequestDecoder.TEMPLATE_ID, wrapWhole(message));

        final byte[] expected = "ls -l\r\u0003".getBytes(StandardCharsets.UTF_8);
        assertEquals(CORRELATION_ID, decoder.correlationId());
        assertEquals(expected.length, decoder.inputDataLength());
        assertEquals(message.length - expected.length, decoder.inputDataOffset());
        assertArrayEquals(expected, bytesAt(decoder.buffer(), decoder.inputDataOffset(), decoder.inputDataLength()));
        final InputRequestDecoder request = decoder.inputRequest();
        assertEquals("build", request.session());
        final byte[] data = new byte[request.dataLength()];
        request.getData(data, 0, data.length);
        assertArrayEquals(expected, data);
    }

    @Test
    void shouldRoundTripResizeSignalMarkerAndListRequests()
    {
        assertEquals(ResizeRequestDecoder.TEMPLATE_ID, wrapWhole(resizeRequest()));
        final ResizeRequestDecoder resize = decoder.resizeRequest();
        assertEquals(CORRELATION_ID, resize.correlationId());
        assertEquals(65535, resize.cols());
        assertEquals(1, resize.rows());
        assertEquals("42", resize.session());

        assertEquals(SignalRequestDecoder.TEMPLATE_ID, wrapWhole(signalRequest()));
        final SignalRequestDecoder signal = decoder.signalRequest();
        assertEquals(CORRELATION_ID, signal.correlationId());
        assertEquals(15, signal.signal());
        assertEquals("build", signal.session());

        assertEquals(MarkerRequestDecoder.TEMPLATE_ID, wrapWhole(markerRequest()));
        final MarkerRequestDecoder marker = decoder.markerRequest();
        assertEquals(CORRELATION_ID, marker.correlationId());
        assertEquals("build", marker.session());
        assertEquals(NON_ASCII, marker.label());

        assertEquals(ListRequestDecoder.TEMPLATE_ID, wrapWhole(listRequest()));
        assertEquals(CORRELATION_ID, decoder.listRequest().correlationId());
        assertEquals(CORRELATION_ID, decoder.correlationId());
    }

    @Test
    void shouldRoundTripResponseAndListAnswers()
    {
        assertEquals(ResponseDecoder.TEMPLATE_ID, wrapWhole(response()));
        final ResponseDecoder response = decoder.response();
        assertEquals(CORRELATION_ID, response.correlationId());
        assertEquals(ResponseStatus.NOT_FOUND, decoder.responseStatus());
        assertEquals(ResponseStatus.NOT_FOUND, response.status());
        assertEquals(42, response.sessionId());
        assertEquals("no session named build", response.message());

        assertEquals(ListEntryDecoder.TEMPLATE_ID, wrapWhole(listEntry()));
        final ListEntryDecoder entry = decoder.listEntry();
        assertEquals(CORRELATION_ID, entry.correlationId());
        assertEquals(42, entry.sessionId());
        assertEquals(4242, entry.pid());
        assertEquals(80, entry.cols());
        assertEquals(24, entry.rows());
        assertEquals(NON_ASCII, entry.name());

        assertEquals(ListEndDecoder.TEMPLATE_ID, wrapWhole(listEnd()));
        assertEquals(CORRELATION_ID, decoder.listEnd().correlationId());
        assertEquals(1, decoder.listEnd().sessionCount());
    }

    @Test
    void shouldRoundTripStats()
    {
        assertEquals(StatsRequestDecoder.TEMPLATE_ID, wrapWhole(statsRequest()));
        assertEquals(CORRELATION_ID, decoder.correlationId());

        assertEquals(StatsEntryDecoder.TEMPLATE_ID, wrapWhole(statsEntry()));
        final StatsEntryDecoder entry = decoder.statsEntry();
        assertEquals(CORRELATION_ID, entry.correlationId());
        assertEquals(Long.MIN_VALUE, entry.value());
        assertEquals(NON_ASCII, entry.name());

        assertEquals(StatsEndDecoder.TEMPLATE_ID, wrapWhole(statsEnd()));
        assertEquals(CORRELATION_ID, decoder.statsEnd().correlationId());
        assertEquals(1, decoder.statsEnd().counterCount());
    }

    @Test
    void shouldCarryTheLargestInputAndText()
    {
        final byte[] data = new byte[ControlFrameDecoder.MAX_INPUT_LENGTH];
        new Random(SEED).nextBytes(data);
        final String longest = "x".repeat(ControlFrameDecoder.MAX_TEXT_LENGTH);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[ControlFrameDecoder.MAX_FRAME_LENGTH]);
        final int length = HEADER_LENGTH + new InputRequestEncoder()
            .wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(1)
            .session(longest)
            .putData(data, 0, data.length)
            .encodedLength();

        assertEquals(InputRequestDecoder.TEMPLATE_ID, decoder.wrap(buffer, 0, length));
        assertEquals(length, decoder.frameLength());
        assertEquals(longest, decoder.inputRequest().session());
        assertArrayEquals(data, bytesAt(buffer, decoder.inputDataOffset(), decoder.inputDataLength()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyMessageArguments")
    void shouldRefuseEveryTruncation(final String name, final byte[] message)
    {
        final UnsafeBuffer whole = new UnsafeBuffer(message);
        assertEquals(message.length, wrapAndRead(whole, 0, message.length), name + " at full length");

        for (int length = 0; length < message.length; length++)
        {
            final int truncated = length;
            final String what = name + " cut to " + truncated + " of " + message.length + " bytes";

            // The buffer ends where the message is cut, so any read past the cut is also out of bounds.
            final UnsafeBuffer exact = new UnsafeBuffer(Arrays.copyOf(message, truncated));
            assertThrows(InvalidFrameException.class, () -> wrapAndRead(exact, 0, truncated), what);

            // The rest of the message is there, but outside the length given.
            assertThrows(InvalidFrameException.class, () -> wrapAndRead(whole, 0, truncated), what);

            final UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(ODD_OFFSET + truncated));
            direct.putBytes(ODD_OFFSET, message, 0, truncated);
            assertThrows(InvalidFrameException.class, () -> wrapAndRead(direct, ODD_OFFSET, truncated), what);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = { 0, 1, 7301, 7303, 0xFFFF })
    void shouldRefuseWrongSchemaId(final int schemaId)
    {
        for (final byte[] message : everyMessage().values())
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(message);
            headerEncoder.wrap(buffer, 0).schemaId(schemaId);

            final InvalidFrameException ex =
                assertThrows(InvalidFrameException.class, () -> wrapAndRead(buffer, 0, message.length));
            assertTrue(ex.getMessage().contains("schema id " + schemaId), ex.getMessage());
        }
    }

    @Test
    void shouldRefuseVersionZero()
    {
        for (final byte[] message : everyMessage().values())
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(message);
            headerEncoder.wrap(buffer, 0).version(0);

            assertThrows(InvalidFrameException.class, () -> wrapAndRead(buffer, 0, message.length));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyMessageArguments")
    void shouldRefuseBlockLengthSmallerThanTheTemplates(final String name, final byte[] message)
    {
        final int blockLength = new UnsafeBuffer(message).getShort(0, ByteOrder.LITTLE_ENDIAN);
        for (final int smaller : new int[]{ 0, 1, blockLength - 1 })
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(message.clone());
            headerEncoder.wrap(buffer, 0).blockLength(smaller);

            final InvalidFrameException ex =
                assertThrows(InvalidFrameException.class, () -> wrapAndRead(buffer, 0, message.length));
            assertTrue(ex.getMessage().contains("block length " + smaller), ex.getMessage());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyMessageArguments")
    void shouldRefuseBlockLengthPastTheEnd(final String name, final byte[] message)
    {
        for (final int larger : new int[]{ message.length - HEADER_LENGTH + 1, 0xFFFF })
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(message.clone());
            headerEncoder.wrap(buffer, 0).blockLength(larger);

            assertThrows(InvalidFrameException.class, () -> wrapAndRead(buffer, 0, message.length));
        }
    }

    @Test
    void shouldAcceptANewerVersionWithALongerBlockAndAnExtraVarField()
    {
        // A newer client may add fixed fields at the end of the block and var fields after the last one.
        final byte[] v1 = markerRequest();
        final int extraBlock = 6;
        final int extraVar = 5;
        final int oldBlock = MarkerRequestDecoder.BLOCK_LENGTH;
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[v1.length + extraBlock + extraVar]);
        buffer.putBytes(0, v1, 0, HEADER_LENGTH + oldBlock);
        buffer.setMemory(HEADER_LENGTH + oldBlock, extraBlock, (byte)0x7F);
        buffer.putBytes(HEADER_LENGTH + oldBlock + extraBlock, v1, HEADER_LENGTH + oldBlock,
            v1.length - HEADER_LENGTH - oldBlock);
        buffer.putShort(v1.length + extraBlock, (short)3, ByteOrder.LITTLE_ENDIAN);
        headerEncoder.wrap(buffer, 0)
            .blockLength(oldBlock + extraBlock)
            .version(ControlFrameDecoder.SCHEMA_VERSION + 1);

        assertEquals(MarkerRequestDecoder.TEMPLATE_ID, decoder.wrap(buffer, 0, buffer.capacity()));
        assertEquals(v1.length + extraBlock, decoder.frameLength());
        assertEquals(CORRELATION_ID, decoder.correlationId());
        assertEquals("build", decoder.markerRequest().session());
        assertEquals(NON_ASCII, decoder.markerRequest().label());
    }

    @Test
    void shouldRefuseVarLengthsOverTheirLimitEvenWhenTheBytesArePresent()
    {
        final int dataLength = ControlFrameDecoder.MAX_INPUT_LENGTH + 1;
        final int dataPrefix = HEADER_LENGTH + InputRequestDecoder.BLOCK_LENGTH + 2;
        final UnsafeBuffer input = new UnsafeBuffer(new byte[dataPrefix + 4 + dataLength]);
        input.putBytes(0, listRequest(), 0, HEADER_LENGTH + InputRequestDecoder.BLOCK_LENGTH);
        headerEncoder.wrap(input, 0).templateId(InputRequestDecoder.TEMPLATE_ID);
        input.putInt(dataPrefix, dataLength, ByteOrder.LITTLE_ENDIAN);
        final InvalidFrameException dataEx =
            assertThrows(InvalidFrameException.class, () -> wrapAndRead(input, 0, input.capacity()));
        assertTrue(dataEx.getMessage().contains("exceeds its limit of 65536"), dataEx.getMessage());

        final int labelPrefix = HEADER_LENGTH + MarkerRequestDecoder.BLOCK_LENGTH + 2;
        final UnsafeBuffer marker = new UnsafeBuffer(new byte[labelPrefix + 2 + 0xFFFF]);
        marker.putBytes(0, listRequest(), 0, HEADER_LENGTH + MarkerRequestDecoder.BLOCK_LENGTH);
        headerEncoder.wrap(marker, 0).templateId(MarkerRequestDecoder.TEMPLATE_ID);
        marker.putShort(labelPrefix, (short)0xFFFF, ByteOrder.LITTLE_ENDIAN);
        assertThrows(InvalidFrameException.class, () -> wrapAndRead(marker, 0, marker.capacity()));
    }

    @ParameterizedTest
    @ValueSource(ints = { 0x8000_0000, 0xFFFF_FFFF })
    void shouldRefuseInputLengthWithTopBitSet(final int dataLength)
    {
        final byte[] message = inputRequest();
        final UnsafeBuffer buffer = new UnsafeBuffer(message);
        final int dataPrefix = HEADER_LENGTH + InputRequestDecoder.BLOCK_LENGTH + 2 + "build".length();
        buffer.putInt(dataPrefix, dataLength, ByteOrder.LITTLE_ENDIAN);

        final InvalidFrameException ex =
            assertThrows(InvalidFrameException.class, () -> wrapAndRead(buffer, 0, message.length));
        assertTrue(ex.getMessage().contains(Long.toString(dataLength & 0xFFFF_FFFFL)), ex.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = { 4, 0x7F, 0xFE, 0xFF })
    void shouldRefuseAResponseStatusThisVersionDoesNotDefine(final int status)
    {
        final byte[] message = response();
        final UnsafeBuffer buffer = new UnsafeBuffer(message);
        buffer.putByte(HEADER_LENGTH + ResponseDecoder.statusEncodingOffset(), (byte)status);

        final InvalidFrameException ex =
            assertThrows(InvalidFrameException.class, () -> wrapAndRead(buffer, 0, message.length));
        assertEquals("corrupt Response: status " + status, ex.getMessage());

        // A newer daemon may define more; the client sees NULL_VAL rather than an exception.
        headerEncoder.wrap(buffer, 0).version(ControlFrameDecoder.SCHEMA_VERSION + 1);
        wrapAndRead(buffer, 0, message.length);
        assertEquals(ResponseStatus.NULL_VAL, decoder.responseStatus());
    }

    @ParameterizedTest
    @ValueSource(ints = { 0, 13, 99, 0xFFFF })
    void shouldReportUnknownTemplateWithItsCorrelationId(final int templateId)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[HEADER_LENGTH + 12]);
        buffer.putLong(HEADER_LENGTH, CORRELATION_ID, ByteOrder.LITTLE_ENDIAN);
        headerEncoder.wrap(buffer, 0).blockLength(8).templateId(templateId).schemaId(ControlFrameDecoder.SCHEMA_ID)
            .version(2);

        assertEquals(templateId, decoder.wrap(buffer, 0, buffer.capacity()));
        assertFalse(decoder.isKnownTemplate());
        assertEquals(HEADER_LENGTH + 8, decoder.frameLength());
        assertEquals(CORRELATION_ID, decoder.correlationId());
        assertEquals("template " + templateId, ControlFrameDecoder.templateName(templateId));

        // Too short a block to hold one: no correlation id, and still no read outside the block.
        headerEncoder.blockLength(7);
        decoder.wrap(buffer, 0, buffer.capacity());
        assertEquals(0, decoder.correlationId());

        headerEncoder.blockLength(13);
        assertThrows(InvalidFrameException.class, () -> decoder.wrap(buffer, 0, buffer.capacity()));
    }

    @Test
    void shouldRefuseRangeOutsideTheBuffer()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        buffer.putBytes(0, listRequest());
        final int[][] ranges = { { -1, 8 }, { 0, -1 }, { 0, 65 }, { 64, 1 }, { Integer.MAX_VALUE, 8 },
            { 8, Integer.MAX_VALUE } };
        for (final int[] range : ranges)
        {
            final InvalidFrameException ex =
                assertThrows(InvalidFrameException.class, () -> decoder.wrap(buffer, range[0], range[1]));
            assertTrue(ex.getMessage().contains("outside a buffer of 64 bytes"), ex.getMessage());
        }
    }

    @Test
    void shouldNotAllocateWrappingValidMessages()
    {
        final List<UnsafeBuffer> messages = everyMessage().values().stream().map(UnsafeBuffer::new).toList();
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (int i = 0; i < 20_000; i++)
        {
            sum += wrapAll(messages);
        }

        final long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 1_000; i++)
        {
            sum += wrapAll(messages);
        }
        final long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;

        assertTrue(sum > 0);
        assertEquals(0, allocated, "bytes allocated by 9,000 wraps of valid messages");
    }

    @Test
    void shouldOnlyThrowInvalidFrameExceptionForRandomBytes()
    {
        final Random random = new Random(SEED);
        for (int i = 0; i < RANDOM_ARRAYS; i++)
        {
            final byte[] bytes = new byte[random.nextInt(128)];
            random.nextBytes(bytes);
            if (bytes.length >= HEADER_LENGTH && random.nextBoolean())
            {
                // Past the schema id check, so the template and var field checks see random bytes too.
                bytes[4] = (byte)ControlFrameDecoder.SCHEMA_ID;
                bytes[5] = (byte)(ControlFrameDecoder.SCHEMA_ID >> 8);
                bytes[2] = (byte)(1 + random.nextInt(10));
                bytes[3] = 0;
            }
            decodeOrRefuse(bytes, random.nextInt(8), "random array " + i + " of seed " + SEED);
        }
    }

    @Test
    void shouldOnlyThrowInvalidFrameExceptionForMutatedMessages()
    {
        final Random random = new Random(SEED);
        final List<byte[]> samples = List.copyOf(everyMessage().values());
        int decoded = 0;
        for (int i = 0; i < RANDOM_ARRAYS; i++)
        {
            final byte[] sample = samples.get(random.nextInt(samples.size()));
            final String what = "mutation " + i + " of seed " + SEED;
            decoded += decodeOrRefuse(mutate(random, sample), random.nextInt(8), what);
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

    private int wrapWhole(final byte[] message)
    {
        final int templateId = decoder.wrap(new UnsafeBuffer(message), 0, message.length);
        assertTrue(decoder.isKnownTemplate());
        assertEquals(ControlFrameDecoder.SCHEMA_VERSION, decoder.version());
        assertEquals(message.length, decoder.frameLength());

        return templateId;
    }

    private int wrapAndRead(final UnsafeBuffer buffer, final int offset, final int length)
    {
        decoder.wrap(buffer, offset, length);
        readEveryField(decoder);

        return decoder.frameLength();
    }

    private long wrapAll(final List<UnsafeBuffer> messages)
    {
        long sum = 0;
        for (int i = 0; i < messages.size(); i++)
        {
            final UnsafeBuffer message = messages.get(i);
            sum += decoder.wrap(message, 0, message.capacity()) + decoder.frameLength() + decoder.correlationId();
        }

        return sum;
    }

    private static byte[] bytesAt(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);

        return bytes;
    }
}
