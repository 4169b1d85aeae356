package io.ptyq.consumer.asciicast;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class JsonStringEscaperTest
{
    private static final String[] CHARACTERS = {"é", "€", "𝄞", "\u07FF", "\uFFFD", "\uD7FF", "\uE000", "\uDBFF\uDFFF"};

    @Test
    void shouldJoinEveryMultibyteCharacterSplitAtEveryBoundary()
    {
        for (final String character : CHARACTERS)
        {
            final String text = "a" + character + "b" + character + character;
            final byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
            for (int first = 0; first <= utf8.length; first++)
            {
                for (int second = first; second <= utf8.length; second++)
                {
                    final JsonStringEscaper escaper = new JsonStringEscaper();
                    final String escaped = escapeInPieces(escaper, utf8, first, second);
                    assertEquals(text, escaped, "split at " + first + " and " + second + " of " + character);
                    assertEquals(0, escaper.replacements());
                }
            }
        }
    }

    @Test
    void shouldEscapeQuotesBackslashesAndControlCharacters()
    {
        final byte[] utf8 = "q\"b\\n\nr\rt\tz\0e\u001b[1mD\u007f".getBytes(StandardCharsets.UTF_8);
        final byte[] dst = new byte[utf8.length * JsonStringEscaper.MAX_EXPANSION + 4];
        final int end = new JsonStringEscaper().escape(utf8, 0, utf8.length, dst, 0);

        assertEquals("q\\\"b\\\\n\\nr\\rt\\tz\\u0000e\\u001b[1mD\u007f",
            new String(dst, 0, end, StandardCharsets.UTF_8));
    }

    @Test
    void shouldReplaceInvalidBytesAsJavaDoesWhateverTheSplit()
    {
        final Random random = new Random(42);
        for (int round = 0; round < 3000; round++)
        {
            final byte[] bytes = new byte[random.nextInt(24)];
            for (int i = 0; i < bytes.length; i++)
            {
                // Mostly bytes of multibyte sequences, valid or not, so that every path is taken.
                bytes[i] = (byte)(random.nextInt(4) == 0 ? 'a' + random.nextInt(3) : 0x80 + random.nextInt(0x80));
                if ((byte)0xED == bytes[i])
                {
                    // Java replaces an encoded surrogate (ED A0..BF) as one; Unicode's practice, as here, is two.
                    bytes[i] = (byte)0xEC;
                }
            }
            final String expected = new String(bytes, StandardCharsets.UTF_8);
            final int first = random.nextInt(bytes.length + 1);
            final int second = first + random.nextInt(bytes.length - first + 1);
            final JsonStringEscaper escaper = new JsonStringEscaper();

            assertEquals(expected, escapeInPieces(escaper, bytes, first, second), () -> hex(bytes));
            assertEquals(expected.chars().filter(c -> c == 0xFFFD).count(), escaper.replacements());
        }
    }

    @Test
    void shouldReplaceAnEncodedSurrogateByteByByte()
    {
        final byte[] bytes = {'a', (byte)0xED, (byte)0xA0, (byte)0x80, 'b', (byte)0xED, (byte)0x9F, (byte)0xBF};
        final JsonStringEscaper escaper = new JsonStringEscaper();

        assertEquals("a\uFFFD\uFFFD\uFFFDb\uD7FF", escapeInPieces(escaper, bytes, 2, 6));
        assertEquals(3, escaper.replacements());
    }

    @Test
    void shouldReplaceASequenceCutShortByTheEnd()
    {
        final byte[] bytes = {'a', (byte)0xF0, (byte)0x9D, (byte)0x84};
        final JsonStringEscaper escaper = new JsonStringEscaper();

        assertEquals("a\uFFFD", escapeInPieces(escaper, bytes, 2, 3));
        assertEquals(1, escaper.replacements());
    }

    private static String escapeInPieces(
        final JsonStringEscaper escaper, final byte[] utf8, final int first, final int second)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final byte[] dst = new byte[utf8.length * JsonStringEscaper.MAX_EXPANSION + 8];
        int end = escaper.escape(utf8, 0, first, dst, 0);
        out.write(dst, 0, end);
        end = escaper.escape(utf8, first, second - first, dst, 0);
        out.write(dst, 0, end);
        end = escaper.escape(utf8, second, utf8.length - second, dst, 0);
        end = escaper.finish(dst, end);
        out.write(dst, 0, end);

        return out.toString(StandardCharsets.UTF_8);
    }

    private static String hex(final byte[] bytes)
    {
        final StringBuilder hex = new StringBuilder();
        for (final byte b : bytes)
        {
            hex.append(String.format("%02x ", b & 0xFF));
        }
        return hex.toString();
    }
}
