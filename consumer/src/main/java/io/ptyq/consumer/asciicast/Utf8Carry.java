package io.ptyq.consumer.asciicast;

import org.agrona.DirectBuffer;

/**
 * Works out, without escaping, what a {@link JsonStringEscaper} carries from frame to frame: the incomplete UTF-8
 * sequence at the end of a stream, if any. It depends only on the stream's last three bytes, because the escaper
 * starts a sequence at every lead byte (0xC0 and above; no sequence contains one) and a carried sequence is at most
 * three bytes: the last lead byte among them with only continuation bytes after it is carried exactly when the bytes
 * from it are a valid but incomplete sequence. So the thread that reads the journal can tell the escaping of each
 * batch what to start from, and whether a frame writes nothing at all (all of it carried), before the escaping
 * is done on another thread. One stream per instance; no allocation.
 */
final class Utf8Carry
{
    private static final int TAIL = 3;

    private final byte[] tail = new byte[TAIL + 4];
    private int tailLength;
    private int pendingLength;

    /**
     * Take the next piece of the stream.
     *
     * @return whether the piece, with what was carried into it, writes nothing: all of it is carried on.
     */
    boolean append(final DirectBuffer src, final int offset, final int length)
    {
        if (0 == length)
        {
            return true;
        }
        final int before = pendingLength;
        if (length >= TAIL)
        {
            src.getBytes(offset + length - TAIL, tail, 0, TAIL);
            tailLength = TAIL;
        }
        else
        {
            // Keep the last three bytes of the tail and the piece together.
            final int keep = Math.min(tailLength, TAIL - length);
            System.arraycopy(tail, tailLength - keep, tail, 0, keep);
            src.getBytes(offset, tail, keep, length);
            tailLength = keep + length;
        }
        pendingLength = pendingOfTail();

        return pendingLength == before + length;
    }

    /**
     * The stream ended or was flushed: nothing is carried any more.
     */
    void reset()
    {
        pendingLength = 0;
        tailLength = 0;
    }

    /**
     * @return how many bytes are carried: the last ones of the stream.
     */
    int pendingLength()
    {
        return pendingLength;
    }

    /**
     * Copy the carried bytes.
     *
     * @return how many.
     */
    int copyPending(final byte[] dst)
    {
        System.arraycopy(tail, tailLength - pendingLength, dst, 0, pendingLength);
        return pendingLength;
    }

    private int pendingOfTail()
    {
        int k = tailLength - 1;
        while (k >= 0 && (tail[k] & 0xC0) == 0x80)
        {
            k--;
        }
        if (k < 0 || (tail[k] & 0xFF) < 0xC0)
        {
            return 0;
        }

        return 0 == JsonStringEscaper.decodeOne(tail, k, tailLength) ? tailLength - k : 0;
    }
}
