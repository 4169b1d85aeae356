package io.ptyq.bench;

import io.ptyq.codec.FrameDecoder;
import io.ptyq.codec.FrameDescriptor;
import io.ptyq.codec.FrameEncoder;
import io.ptyq.codec.sbe.OutputDecoder;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * One Output event through encode then decode, with the consumer handed every payload byte: ptyq's SBE frame against
 * the JSON-with-base64 event it replaces.
 * <p>
 * Each side ends with the payload in a {@code byte[]} the consumer can use. SBE copies it out of the frame's zero-copy
 * view into a reused array (one {@code getBytes}); the JSON side gets it from base64 decoding. The header fields are
 * read back on both sides. Run through {@link BenchMain} so the forks get the project's JVM flags.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(2)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
@State(Scope.Thread)
public class OutputCodecBenchmark
{
    @Param({ "64", "4096", "65536" })
    public int payloadSize;

    private final FrameEncoder frameEncoder = new FrameEncoder();
    private final FrameDecoder frameDecoder = new FrameDecoder();
    private UnsafeBuffer frameBuffer;
    private byte[] delivered;
    private JsonOutputCodec jsonCodec;
    private byte[] payload;
    private long streamPosition;

    @Setup
    public void setup(final Blackhole bh) throws IOException
    {
        payload = Payloads.terminalOutput(payloadSize);
        // Off-heap like the journal's mapped memory; one frame's worth, reused for every operation.
        frameBuffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            FrameDescriptor.outputFrameLength(payloadSize), BitUtil.CACHE_LINE_LENGTH));
        delivered = new byte[payloadSize];
        jsonCodec = new JsonOutputCodec();
        streamPosition = Payloads.FIRST_STREAM_POSITION;

        // Both paths must give back exactly what went in, or the numbers mean nothing.
        check("sbe", sbe(bh));
        check("jsonBase64", jsonCodec.data(jsonCodec.decode(
            jsonCodec.encode(Payloads.SESSION_ID, streamPosition, Payloads.TIMESTAMP_NS, payload))));
        check("jsonJacksonBinary", jsonCodec.decodeBinary(
            jsonCodec.encodeBinary(Payloads.SESSION_ID, streamPosition, Payloads.TIMESTAMP_NS, payload)).data);
    }

    private void check(final String name, final byte[] result)
    {
        if (!Arrays.equals(payload, result))
        {
            throw new IllegalStateException(name + " did not round-trip the " + payloadSize + "-byte payload");
        }
    }

    /**
     * ptyq: encode an SBE Output frame into a reused buffer, check and decode it, copy the payload out of the
     * zero-copy view into a reused array.
     */
    @Benchmark
    public byte[] sbe(final Blackhole bh)
    {
        final long position = streamPosition;
        streamPosition = position + payloadSize;

        final int frameLength = frameEncoder.encodeOutput(
            frameBuffer, 0, Payloads.SESSION_ID, position, Payloads.TIMESTAMP_NS, payload, 0, payloadSize);

        final FrameDecoder decoder = frameDecoder;
        if (OutputDecoder.TEMPLATE_ID != decoder.wrap(frameBuffer, 0, frameLength))
        {
            throw new IllegalStateException("not an Output frame: " + FrameDecoder.templateName(decoder.templateId()));
        }
        final OutputDecoder output = decoder.output();
        bh.consume(output.sessionId());
        bh.consume(output.streamPosition());
        bh.consume(output.timestampNs());
        final DirectBuffer buffer = decoder.buffer();
        final int dataLength = decoder.dataLength();
        buffer.getBytes(decoder.dataOffset(), delivered, 0, dataLength);

        return delivered;
    }

    /**
     * The baseline: base64 the payload with {@link java.util.Base64} into a string field, serialise the event to UTF-8
     * JSON with Jackson, parse it back into an event and base64-decode the data.
     */
    @Benchmark
    public byte[] jsonBase64(final Blackhole bh) throws IOException
    {
        final long position = streamPosition;
        streamPosition = position + payloadSize;

        final byte[] wire = jsonCodec.encode(Payloads.SESSION_ID, position, Payloads.TIMESTAMP_NS, payload);

        final OutputEvent event = jsonCodec.decode(wire);
        bh.consume(event.sessionId);
        bh.consume(event.streamPosition);
        bh.consume(event.timestampNs);

        return jsonCodec.data(event);
    }

    /**
     * A stronger baseline: the same JSON text, with Jackson's own streaming base64 of a {@code byte[]} field instead
     * of an intermediate base64 string.
     */
    @Benchmark
    public byte[] jsonJacksonBinary(final Blackhole bh) throws IOException
    {
        final long position = streamPosition;
        streamPosition = position + payloadSize;

        final byte[] wire = jsonCodec.encodeBinary(Payloads.SESSION_ID, position, Payloads.TIMESTAMP_NS, payload);

        final BinaryOutputEvent event = jsonCodec.decodeBinary(wire);
        bh.consume(event.sessionId);
        bh.consume(event.streamPosition);
        bh.consume(event.timestampNs);

        return event.data;
    }
}
