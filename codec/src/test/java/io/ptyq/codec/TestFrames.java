package io.ptyq.codec;

import io.ptyq.codec.sbe.ExitReason;
import io.ptyq.codec.sbe.InputDecoder;
import io.ptyq.codec.sbe.MarkerDecoder;
import io.ptyq.codec.sbe.OutputDecoder;
import io.ptyq.codec.sbe.ResizedDecoder;
import io.ptyq.codec.sbe.SessionExitedDecoder;
import io.ptyq.codec.sbe.SessionStartedDecoder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntBiFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sample frames of every message, and a reader that touches every field of a wrapped frame, for the codec tests.
 */
final class TestFrames
{
    static final String NON_ASCII = "日本語 ✓ 🎉";
    static final long SESSION_ID = 42;
    static final long TIMESTAMP_NS = 1_763_700_000_123_456_789L;

    private static final int SAMPLE_CAPACITY = 4096;

    private TestFrames()
    {
    }

    static byte[] utf8(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] bytesAt(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);

        return bytes;
    }

    static byte[] encode(final ToIntBiFunction<FrameEncoder, MutableDirectBuffer> encoding)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[SAMPLE_CAPACITY]);
        final int length = encoding.applyAsInt(new FrameEncoder(), buffer);

        return bytesAt(buffer, 0, length);
    }

    static byte[] sessionStarted()
    {
        final String command = CommandLine.join(List.of("/bin/bash", "-lc", "echo '" + NON_ASCII + "'"));
        return encode((encoder, buffer) -> encoder.encodeSessionStarted(
            buffer, 0, SESSION_ID, TIMESTAMP_NS, 4242, 80, 24, NON_ASCII, command, "/home/ptyq"));
    }

    static byte[] output()
    {
        final byte[] data = utf8("hello\r\n\u001b[31mred\u001b[0m ✓\r\n");
        return encode((encoder, buffer) -> encoder.encodeOutput(
            buffer, 0, SESSION_ID, 1024, TIMESTAMP_NS, data, 0, data.length));
    }

    static byte[] input()
    {
        final byte[] data = utf8("ls -l\r");
        return encode((encoder, buffer) -> encoder.encodeInput(
            buffer, 0, SESSION_ID, 7, TIMESTAMP_NS, data, 0, data.length));
    }

    static byte[] resized()
    {
        return encode((encoder, buffer) -> encoder.encodeResized(buffer, 0, SESSION_ID, TIMESTAMP_NS, 132, 43));
    }

    static byte[] marker()
    {
        return encode((encoder, buffer) -> encoder.encodeMarker(buffer, 0, SESSION_ID, TIMESTAMP_NS, "build ✓"));
    }

    static byte[] sessionExited()
    {
        return encode((encoder, buffer) -> encoder.encodeSessionExited(
            buffer, 0, SESSION_ID, TIMESTAMP_NS, 127, 0, ExitReason.SPAWN_FAILED, 0, "no such file: frobnicate"));
    }

    /**
     * @return one valid frame of each message, by message name, every var field non-empty.
     */
    static Map<String, byte[]> everyMessage()
    {
        final Map<String, byte[]> frames = new LinkedHashMap<>();
        frames.put("SessionStarted", sessionStarted());
        frames.put("Output", output());
        frames.put("Input", input());
        frames.put("Resized", resized());
        frames.put("Marker", marker());
        frames.put("SessionExited", sessionExited());

        return frames;
    }

    /**
     * Read every field of the frame {@code decoder} has just wrapped, through the generated decoders, and check that
     * what they read stays inside the frame.
     *
     * @param decoder that wrapped a frame without an exception.
     * @param offset  the frame was wrapped at.
     * @param length  the frame was wrapped with.
     * @return a number depending on every field read, so that nothing is optimised away.
     */
    static long readEveryField(final FrameDecoder decoder, final int offset, final int length)
    {
        final int frameLength = decoder.frameLength();
        assertTrue(frameLength >= FrameDescriptor.HEADER_LENGTH && frameLength <= length,
            () -> "frameLength " + frameLength + " outside the " + length + " bytes given");
        if (!decoder.isKnownTemplate())
        {
            return decoder.templateId();
        }

        final int frameEnd = offset + frameLength;
        final DirectBuffer buffer = decoder.buffer();
        long sum = decoder.version();
        switch (decoder.templateId())
        {
            case SessionStartedDecoder.TEMPLATE_ID:
            {
                final SessionStartedDecoder started = decoder.sessionStarted();
                sum += started.sessionId() + started.timestampNs() + started.pid() + started.cols() + started.rows();
                sum += started.name().length();
                final String command = started.command();
                sum += CommandLine.split(command).size() + CommandLine.display(command).length();
                sum += started.workingDir().length();
                assertEquals(frameEnd, started.limit(), "SessionStarted var fields end where the frame ends");
                break;
            }

            case OutputDecoder.TEMPLATE_ID:
            {
                final OutputDecoder output = decoder.output();
                sum += output.sessionId() + output.streamPosition() + output.timestampNs();
                sum += readData(decoder, output.dataLength(), frameEnd);
                final byte[] copied = new byte[output.dataLength()];
                output.getData(copied, 0, copied.length);
                assertArrayEquals(bytesAt(buffer, decoder.dataOffset(), decoder.dataLength()), copied);
                assertEquals(frameEnd, output.limit(), "Output data ends where the frame ends");
                break;
            }

            case InputDecoder.TEMPLATE_ID:
            {
                final InputDecoder input = decoder.input();
                sum += input.sessionId() + input.position() + input.timestampNs();
                sum += readData(decoder, input.dataLength(), frameEnd);
                final byte[] copied = new byte[input.dataLength()];
                input.getData(copied, 0, copied.length);
                assertArrayEquals(bytesAt(buffer, decoder.dataOffset(), decoder.dataLength()), copied);
                assertEquals(frameEnd, input.limit(), "Input data ends where the frame ends");
                break;
            }

            case ResizedDecoder.TEMPLATE_ID:
            {
                final ResizedDecoder resized = decoder.resized();
                sum += resized.sessionId() + resized.timestampNs() + resized.cols() + resized.rows();
                break;
            }

            case MarkerDecoder.TEMPLATE_ID:
            {
                final MarkerDecoder marker = decoder.marker();
                sum += marker.sessionId() + marker.timestampNs() + marker.label().length();
                assertEquals(frameEnd, marker.limit(), "Marker label ends where the frame ends");
                break;
            }

            case SessionExitedDecoder.TEMPLATE_ID:
            {
                final SessionExitedDecoder exited = decoder.sessionExited();
                // reasonRaw, not reason(): FrameDecoder accepts any reason byte, and the generated reason() throws
                // IllegalArgumentException for one ExitReason does not list (input session-exited-unlisted-reason).
                sum += exited.sessionId() + exited.timestampNs() + exited.exitCode() + exited.signal() +
                    exited.reasonRaw() + exited.totalOutputBytes() + exited.detail().length();
                assertEquals(frameEnd, exited.limit(), "SessionExited detail ends where the frame ends");
                break;
            }

            default:
                throw new AssertionError("known template " + decoder.templateId() + " not read");
        }

        return sum;
    }

    private static long readData(final FrameDecoder decoder, final int decodedLength, final int frameEnd)
    {
        final int dataOffset = decoder.dataOffset();
        final int dataLength = decoder.dataLength();
        assertEquals(decodedLength, dataLength, "zero-copy view and generated decoder agree on the data length");
        assertEquals(frameEnd, dataOffset + dataLength, "data ends where the frame ends");

        long sum = 0;
        final byte[] data = bytesAt(decoder.buffer(), dataOffset, dataLength);
        for (final byte b : data)
        {
            sum += b;
        }

        return sum;
    }
}
