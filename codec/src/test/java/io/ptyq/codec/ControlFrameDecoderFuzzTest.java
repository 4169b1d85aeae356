package io.ptyq.codec;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Whatever the bytes, {@link ControlFrameDecoder} either refuses them with {@link InvalidFrameException} or accepts a
 * control message whose every field the generated decoders then read inside it.
 * <p>
 * A plain {@code mvn verify} runs this once per input in
 * {@code ControlFrameDecoderFuzzTestInputs/fuzzControlFrameDecoder} beside this class in the test resources
 * (regression mode); {@code JAZZER_FUZZ=1} fuzzes, starting from those inputs.
 */
class ControlFrameDecoderFuzzTest
{
    private static final int ALIGNMENTS = 8;

    private final ControlFrameDecoder decoder = new ControlFrameDecoder();

    @FuzzTest(maxDuration = "5m")
    void fuzzControlFrameDecoder(final byte[] data)
    {
        // Vary the alignment, and end the buffer where the data ends, so a read past the message is out of bounds.
        final int offset = data.length % ALIGNMENTS;
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[offset + data.length]);
        buffer.putBytes(offset, data);
        try
        {
            decoder.wrap(buffer, offset, data.length);
        }
        catch (final InvalidFrameException ignore)
        {
            return;
        }

        ControlFrameDecoderTest.readEveryField(decoder);
    }
}
