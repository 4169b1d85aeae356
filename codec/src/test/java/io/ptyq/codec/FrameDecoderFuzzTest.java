package io.ptyq.codec;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Whatever the bytes, {@link FrameDecoder} either refuses them with {@link InvalidFrameException} or accepts a frame
 * whose every field the generated decoders then read inside it.
 * <p>
 * A plain {@code mvn verify} runs this once per input in {@code FrameDecoderFuzzTestInputs/fuzzFrameDecoder} beside
 * this class in the test resources (regression mode); {@code JAZZER_FUZZ=1} fuzzes, starting from those inputs.
 */
class FrameDecoderFuzzTest
{
    private static final int ALIGNMENTS = 8;

    private final FrameDecoder decoder = new FrameDecoder();

    @FuzzTest(maxDuration = "5m")
    void fuzzFrameDecoder(final byte[] data)
    {
        // Vary the alignment, and end the buffer where the data ends, so a read past the frame is out of bounds.
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

        TestFrames.readEveryField(decoder, offset, data.length);
    }
}
