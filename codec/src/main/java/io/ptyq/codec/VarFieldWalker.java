package io.ptyq.codec;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * The var-field walk both frame decoders share: checks each length prefix and length against its limit and the bytes
 * actually there, and records where each field's bytes are.
 */
final class VarFieldWalker
{
    private static final int UINT16_PREFIX = 2;

    private VarFieldWalker()
    {
    }

    /**
     * @param label         names the message in errors, e.g. "Output frame".
     * @param prefixLengths each field's length-prefix size (2 or 4 bytes).
     * @param maxLengths    each field's schema limit.
     * @param sinceVersions each field's first schema version; absent fields get length 0.
     * @param varOffset     receives each field's byte offset.
     * @param varLength     receives each field's byte length.
     * @return the position after the last field this version has.
     * @throws InvalidFrameException if a prefix or a field is cut off or over its limit.
     */
    static int walk(
        final DirectBuffer buffer,
        final String label,
        final int[] prefixLengths,
        final long[] maxLengths,
        final int[] sinceVersions,
        final int version,
        final int varStart,
        final int end,
        final int[] varOffset,
        final int[] varLength)
    {
        int position = varStart;
        for (int i = 0; i < prefixLengths.length; i++)
        {
            if (version < sinceVersions[i])
            {
                varOffset[i] = position;
                varLength[i] = 0;
                continue;
            }

            final int prefixLength = prefixLengths[i];
            if (prefixLength > end - position)
            {
                throw new InvalidFrameException("truncated " + label + ": var field " + i + " length prefix is cut off");
            }
            final long fieldLength = UINT16_PREFIX == prefixLength ?
                buffer.getShort(position, ByteOrder.LITTLE_ENDIAN) & 0xFFFFL :
                buffer.getInt(position, ByteOrder.LITTLE_ENDIAN) & 0xFFFF_FFFFL;
            position += prefixLength;
            if (fieldLength > maxLengths[i])
            {
                throw new InvalidFrameException("corrupt " + label + ": var field " + i + " length " + fieldLength +
                    " exceeds its limit of " + maxLengths[i]);
            }
            if (fieldLength > end - position)
            {
                throw new InvalidFrameException("truncated " + label + ": var field " + i + " claims " + fieldLength +
                    " bytes but " + (end - position) + " remain");
            }
            varOffset[i] = position;
            varLength[i] = (int)fieldLength;
            position += (int)fieldLength;
        }

        return position;
    }
}
