package io.ptyq.consumer.asciicast;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link Utf8Carry} against the escaper it predicts: over random streams of bytes that UTF-8 finds hard (lead bytes
 * of every length, continuation bytes, the bytes that are never valid, ASCII), cut into random pieces, it must
 * carry exactly the bytes the escaper carries after every piece, and say a piece writes nothing exactly when the
 * escaper writes nothing for it.
 */
class Utf8CarryTest
{
    private static final byte[] ALPHABET = {
        'a', '"', '\n', 0x7F, (byte)0x80, (byte)0x8F, (byte)0x90, (byte)0x9F, (byte)0xA0, (byte)0xBF, (byte)0xC0,
        (byte)0xC1, (byte)0xC2, (byte)0xDF, (byte)0xE0, (byte)0xE1, (byte)0xED, (byte)0xEF, (byte)0xF0, (byte)0xF1,
        (byte)0xF4, (byte)0xF5, (byte)0xFF };

    @Test
    void shouldCarryWhatTheEscaperCarriesAfterEveryPiece()
    {
        final SplittableRandom random = new SplittableRandom(42);
        final byte[] dst = new byte[1024];
        final byte[] carried = new byte[4];
        final byte[] escaperCarried = new byte[4];
        for (int stream = 0; stream < 20_000; stream++)
        {
            final JsonStringEscaper escaper = new JsonStringEscaper();
            final Utf8Carry carry = new Utf8Carry();
            final StringBuilder history = new StringBuilder();
            for (int piece = 0; piece < 12; piece++)
            {
                // Mostly short pieces (the carry's own cases), sometimes long enough for the escaper's word loop.
                final byte[] bytes = new byte[random.nextInt(8) == 0 ? random.nextInt(8, 24) : random.nextInt(0, 7)];
                for (int i = 0; i < bytes.length; i++)
                {
                    bytes[i] = ALPHABET[random.nextInt(ALPHABET.length)];
                }
                history.append(toHex(bytes)).append('|');
                final boolean nothing = carry.append(new UnsafeBuffer(bytes), 0, bytes.length);
                final int written = escaper.escape(bytes, 0, bytes.length, dst, 0);

                assertEquals(0 == written, nothing, history::toString);
                assertEquals(escaper.pendingLength(), carry.pendingLength(), history::toString);
                Arrays.fill(carried, (byte)0);
                Arrays.fill(escaperCarried, (byte)0);
                carry.copyPending(carried);
                escaper.copyPending(escaperCarried);
                assertArrayEquals(escaperCarried, carried, history::toString);
            }
        }
    }

    private static String toHex(final byte[] bytes)
    {
        final StringBuilder hex = new StringBuilder();
        for (final byte b : bytes)
        {
            hex.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16)).append(' ');
        }
        return hex.toString().trim();
    }
}
