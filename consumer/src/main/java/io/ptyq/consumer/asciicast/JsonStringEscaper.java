package io.ptyq.consumer.asciicast;

import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;

import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Turns a stream of UTF-8 bytes, arriving in pieces, into the contents of JSON strings, UTF-8 to UTF-8 with no
 * {@code char} in between: quote, backslash and control characters are escaped, valid sequences are copied as they
 * are (eight bytes at a time where they are plain ASCII), and each maximal invalid subpart (as the Unicode standard
 * defines it) becomes U+FFFD.
 * <p>
 * A sequence that a piece ends in the middle of is carried to the next piece ({@link #escape}), so a character split
 * between two frames comes out whole, in the later one. No allocation. One stream per instance, one thread.
 */
final class JsonStringEscaper
{
    /**
     * The most bytes one input byte can become: a control character as backslash-u-00XX.
     */
    static final int MAX_EXPANSION = 6;

    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte REPLACEMENT_0 = (byte)0xEF;
    private static final byte REPLACEMENT_1 = (byte)0xBF;
    private static final byte REPLACEMENT_2 = (byte)0xBD;

    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;
    /**
     * Byte j of this word is 7 - j: multiplied by 1 << 8k, its top byte is k.
     */
    private static final long BYTE_INDEXES = 0x0001020304050607L;
    private static final long SPACES = 0x20 * ONES;
    private static final long QUOTES = '"' * ONES;
    private static final long BACKSLASHES = '\\' * ONES;

    private static final long[] ESCAPE_WORDS = new long['\\' + 1];
    private static final byte[] ESCAPE_LENGTHS = new byte['\\' + 1];

    static
    {
        final byte[] escape = new byte[Long.BYTES];
        for (int b = 0; b < ESCAPE_WORDS.length; b++)
        {
            ESCAPE_LENGTHS[b] = (byte)writeEscape(b, escape, 0);
            ESCAPE_WORDS[b] = UnsafeApi.getLong(escape, BufferUtil.ARRAY_BASE_OFFSET);
        }
    }

    private final byte[] pending = new byte[8];
    private int pendingLength;
    private long replacements;

    /**
     * @return how many U+FFFD were written for invalid input since this escaper was made.
     */
    long replacements()
    {
        return replacements;
    }

    /**
     * @return whether an incomplete sequence waits for the next piece.
     */
    boolean hasPending()
    {
        return pendingLength > 0;
    }

    /**
     * @return how many bytes of an incomplete sequence wait for the next piece.
     */
    int pendingLength()
    {
        return pendingLength;
    }

    /**
     * Copy the bytes of the incomplete sequence that waits for the next piece.
     *
     * @return how many.
     */
    int copyPending(final byte[] dst)
    {
        System.arraycopy(pending, 0, dst, 0, pendingLength);
        return pendingLength;
    }

    /**
     * Go on from another escaper's place in the stream: what it carried is carried here (the replacements counted
     * stay with this escaper).
     *
     * @param carried the incomplete sequence carried, as {@link Utf8Carry} worked it out.
     * @param length  its length, 0 to 3.
     */
    void carry(final byte[] carried, final int length)
    {
        System.arraycopy(carried, 0, pending, 0, length);
        pendingLength = length;
    }

    /**
     * Escape a piece of the stream. {@code dst} needs room for {@code MAX_EXPANSION * length + 4} bytes.
     *
     * @param src       the bytes.
     * @param srcOffset where they start.
     * @param length    how many.
     * @param dst       where the escaped bytes go.
     * @param dstOffset where they start.
     * @return the offset in {@code dst} after the escaped bytes.
     */
    int escape(final byte[] src, final int srcOffset, final int length, final byte[] dst, final int dstOffset)
    {
        // The word reads and writes below are unchecked: both ranges are checked once here.
        Objects.checkFromIndexSize(srcOffset, length, src.length);
        Objects.checkFromIndexSize(dstOffset, MAX_EXPANSION * length + 4, dst.length);
        int i = srcOffset;
        final int end = srcOffset + length;
        int d = dstOffset;
        if (pendingLength > 0)
        {
            // Complete the carried sequence with the first bytes of this piece.
            final int taken = Math.min(length, 4 - pendingLength);
            System.arraycopy(src, i, pending, pendingLength, taken);
            final int joined = pendingLength + taken;
            final int result = decodeOne(pending, 0, joined);
            if (0 == result)
            {
                // Still incomplete: the piece was shorter than what is missing.
                pendingLength = joined;
                return d;
            }
            final int consumed = Math.abs(result);
            if (result > 0)
            {
                System.arraycopy(pending, 0, dst, d, consumed);
                d += consumed;
            }
            else
            {
                d = replacement(dst, d);
            }
            i += consumed - pendingLength;
            pendingLength = 0;
        }

        while (i < end)
        {
            // Plain bytes (printable ASCII, DEL) eight at a time: each word is written before it is looked at, so a
            // run needs no copy of its own; what follows a byte that needs more is written again after it.
            while (end - i >= Long.BYTES)
            {
                final long word = UnsafeApi.getLong(src, BufferUtil.ARRAY_BASE_OFFSET + i);
                UnsafeApi.putLong(dst, BufferUtil.ARRAY_BASE_OFFSET + d, word);
                // SWAR test, the first byte in the lowest: the high bit set in each byte that is a control
                // character, quote, backslash or a byte of a multi-byte sequence; exact for the lowest flagged byte
                // (borrows only run upwards), which is all that is used. Written out here, not called: C1, which
                // one-shot commands run with, inlines no method of more than 35 bytes of bytecode.
                final long w = LITTLE_ENDIAN ? word : Long.reverseBytes(word);
                final long quote = w ^ QUOTES;
                final long backslash = w ^ BACKSLASHES;
                final long mask = (w | ((w - SPACES) & ~w) | ((quote - ONES) & ~quote) |
                    ((backslash - ONES) & ~backslash)) & HIGH_BITS;
                if (0 != mask)
                {
                    // The index of the lowest flagged byte, k: its high bit alone is 1 << (8k + 7), and times
                    // BYTE_INDEXES its top byte is k. Not Long.numberOfTrailingZeros: C1 has no intrinsic for it
                    // and calls Integer.numberOfTrailingZeros, 5% of an export's samples.
                    final int plain = (int)((((mask & -mask) >>> 7) * BYTE_INDEXES) >>> 56);
                    i += plain;
                    d += plain;
                    break;
                }
                i += Long.BYTES;
                d += Long.BYTES;
            }
            byte b = 0;
            while (i < end && (b = src[i]) >= 0x20 && '"' != b && '\\' != b)
            {
                dst[d++] = b;
                i++;
            }
            if (i == end)
            {
                break;
            }

            if (b >= 0)
            {
                if (dst.length - d >= Long.BYTES)
                {
                    // The escape as one word; the bytes after it are overwritten by what comes next.
                    UnsafeApi.putLong(dst, BufferUtil.ARRAY_BASE_OFFSET + d, ESCAPE_WORDS[b]);
                    d += ESCAPE_LENGTHS[b];
                }
                else
                {
                    d = writeEscape(b, dst, d);
                }
                i++;
                continue;
            }
            final int result = decodeOne(src, i, end);
            if (result > 0)
            {
                for (int k = 0; k < result; k++)
                {
                    dst[d++] = src[i++];
                }
            }
            else if (result < 0)
            {
                d = replacement(dst, d);
                i -= result;
            }
            else
            {
                pendingLength = end - i;
                System.arraycopy(src, i, pending, 0, pendingLength);
                i = end;
            }
        }

        return d;
    }

    /**
     * The stream ended: an incomplete sequence still carried becomes U+FFFD.
     *
     * @return the offset in {@code dst} after what was written.
     */
    int finish(final byte[] dst, final int dstOffset)
    {
        if (0 == pendingLength)
        {
            return dstOffset;
        }
        pendingLength = 0;

        return replacement(dst, dstOffset);
    }

    /**
     * Escape a whole string (a header field) with no carried state.
     *
     * @return the offset in {@code dst} after it.
     */
    static int escapeWhole(final byte[] utf8, final byte[] dst, final int dstOffset)
    {
        final JsonStringEscaper escaper = new JsonStringEscaper();
        final int d = escaper.escape(utf8, 0, utf8.length, dst, dstOffset);

        return escaper.finish(dst, d);
    }

    /**
     * Decode the sequence starting with a byte at or above 0x80.
     *
     * @return its length when valid and complete; minus the bytes of its maximal invalid subpart (one U+FFFD) when
     * invalid; 0 when the bytes end before it does and it is valid so far.
     */
    static int decodeOne(final byte[] src, final int i, final int end)
    {
        final int b = src[i] & 0xFF;
        final int need;
        int low = 0x80;
        int high = 0xBF;
        if (b < 0x80)
        {
            return 1;
        }
        else if (b >= 0xC2 && b <= 0xDF)
        {
            need = 1;
        }
        else if (b >= 0xE0 && b <= 0xEF)
        {
            need = 2;
            if (0xE0 == b)
            {
                low = 0xA0;
            }
            else if (0xED == b)
            {
                high = 0x9F;
            }
        }
        else if (b >= 0xF0 && b <= 0xF4)
        {
            need = 3;
            if (0xF0 == b)
            {
                low = 0x90;
            }
            else if (0xF4 == b)
            {
                high = 0x8F;
            }
        }
        else
        {
            return -1;
        }

        for (int j = 1; j <= need; j++)
        {
            if (i + j >= end)
            {
                return 0;
            }
            final int c = src[i + j] & 0xFF;
            if (c < low || c > high)
            {
                return -j;
            }
            low = 0x80;
            high = 0xBF;
        }

        return need + 1;
    }

    private int replacement(final byte[] dst, final int d)
    {
        replacements++;
        dst[d] = REPLACEMENT_0;
        dst[d + 1] = REPLACEMENT_1;
        dst[d + 2] = REPLACEMENT_2;

        return d + 3;
    }

    private static int writeEscape(final int b, final byte[] dst, final int d)
    {
        dst[d] = '\\';
        switch (b)
        {
            case '"':
                dst[d + 1] = '"';
                return d + 2;
            case '\\':
                dst[d + 1] = '\\';
                return d + 2;
            case '\n':
                dst[d + 1] = 'n';
                return d + 2;
            case '\r':
                dst[d + 1] = 'r';
                return d + 2;
            case '\t':
                dst[d + 1] = 't';
                return d + 2;
            case '\b':
                dst[d + 1] = 'b';
                return d + 2;
            case '\f':
                dst[d + 1] = 'f';
                return d + 2;
            default:
                dst[d + 1] = 'u';
                dst[d + 2] = '0';
                dst[d + 3] = '0';
                dst[d + 4] = HEX[b >>> 4];
                dst[d + 5] = HEX[b & 0xF];
                return d + 6;
        }
    }
}
