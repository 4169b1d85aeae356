package io.ptyq.bench;

import io.ptyq.codec.FrameDescriptor;
import io.ptyq.codec.FrameEncoder;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;

/**
 * Prints the bytes one Output event takes in each format, from the same encoders {@link OutputCodecBenchmark} runs:
 * the SBE frame against the UTF-8 JSON text with base64 data. Transport framing (Chronicle's 4-byte header, a
 * WebSocket frame header) is left out of both.
 */
public final class WireSizeReport
{
    private static final int[] PAYLOAD_SIZES = { 64, 4096, 65536 };

    private WireSizeReport()
    {
    }

    /**
     * Print the table to standard output; needs the project's JVM flags ({@code java @bench/target/jvm.options}).
     *
     * @param args payload sizes in bytes; 64, 4096 and 65536 when none are given.
     */
    public static void main(final String[] args) throws IOException
    {
        final int[] sizes = 0 == args.length ? PAYLOAD_SIZES : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        print(System.out, sizes);
    }

    /**
     * Encode one event per payload size in both formats and print their lengths.
     *
     * @param out    where the table goes.
     * @param sizes  payload sizes in bytes.
     */
    public static void print(final PrintStream out, final int[] sizes) throws IOException
    {
        final FrameEncoder frameEncoder = new FrameEncoder();
        final JsonOutputCodec jsonCodec = new JsonOutputCodec();

        out.printf("%-12s %12s %14s %10s%n", "payload B", "SBE frame B", "JSON+base64 B", "JSON/SBE");
        for (final int size : sizes)
        {
            final byte[] payload = Payloads.terminalOutput(size);
            final UnsafeBuffer frame = new UnsafeBuffer(new byte[FrameDescriptor.outputFrameLength(size)]);
            final int sbeBytes = frameEncoder.encodeOutput(
                frame, 0, Payloads.SESSION_ID, Payloads.FIRST_STREAM_POSITION, Payloads.TIMESTAMP_NS, payload, 0, size);
            final byte[] json = jsonCodec.encode(
                Payloads.SESSION_ID, Payloads.FIRST_STREAM_POSITION, Payloads.TIMESTAMP_NS, payload);
            final byte[] jacksonJson = jsonCodec.encodeBinary(
                Payloads.SESSION_ID, Payloads.FIRST_STREAM_POSITION, Payloads.TIMESTAMP_NS, payload);
            if (!Arrays.equals(json, jacksonJson))
            {
                throw new IllegalStateException("the two JSON baselines differ at " + size + " bytes");
            }

            out.printf("%-12d %12d %14d %10.3f%n", size, sbeBytes, json.length, (double)json.length / sbeBytes);
        }
    }
}
