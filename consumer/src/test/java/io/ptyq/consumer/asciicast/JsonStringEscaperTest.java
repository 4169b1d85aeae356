package io.ptyq.consumer.asciicast;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

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
    void shouldFindTheFirstByteToEscapeAtEveryPlaceInAWord()
    {
        for (final String special : new String[]{"\"", "\\", "\u001b", "é"})
        {
            final String expectedSpecial = "é".equals(special) ? special : "\u001b".equals(special) ? "\\u001b" :
                "\\" + special;
            for (int at = 0; at < 24; at++)
            {
                final String text = "a".repeat(at) + special + "b".repeat(24 - at) + special + "c";
                final byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
                final byte[] dst = new byte[utf8.length * JsonStringEscaper.MAX_EXPANSION + 8];
                final int end = new JsonStringEscaper().escape(utf8, 0, utf8.length, dst, 0);

                assertEquals("a".repeat(at) + expectedSpecial + "b".repeat(24 - at) + expectedSpecial + "c",
                    new String(dst, 0, end, StandardCharsets.UTF_8), "at " + at);
            }
        }
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

    @Test
    void shouldEscapeEveryControlCharacterAsJsonDoes()
    {
        for (int b = 0; b < 0x20; b++)
        {
            // Alone, and inside a run long enough for the eight-byte path, at every position of the word.
            for (int at = 0; at < 12; at++)
            {
                final byte[] bytes = "abcdefghijklmnopqrstuvwx".getBytes(StandardCharsets.US_ASCII);
                bytes[at] = (byte)b;
                final String text = new String(bytes, StandardCharsets.US_ASCII);
                assertEquals(reference(bytes), escapeInPieces(new JsonStringEscaper(), bytes, 0, 0), text);
            }
        }
        final String expected = "\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r" +
            "\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b" +
            "\\u001c\\u001d\\u001e\\u001f";
        final byte[] controls = new byte[0x20];
        for (int b = 0; b < controls.length; b++)
        {
            controls[b] = (byte)b;
        }
        assertEquals(expected, escapeInPieces(new JsonStringEscaper(), controls, 5, 17));
    }

    @Test
    void shouldFitTheLargestExpansionInTheBufferItPromises()
    {
        for (int length = 0; length < 40; length++)
        {
            final byte[] bytes = new byte[length];
            Arrays.fill(bytes, (byte)0x1b);
            final byte[] dst = new byte[JsonStringEscaper.MAX_EXPANSION * length + 4];
            final int end = new JsonStringEscaper().escape(bytes, 0, length, dst, 0);

            assertEquals("\\u001b".repeat(length), new String(dst, 0, end, StandardCharsets.US_ASCII));
        }
    }

    @Test
    void shouldReplaceOverlongEncodingsAndOutOfRangeSequences()
    {
        // Overlong forms of '/', of U+07FF and of U+FFFF; a sequence above U+10FFFF; lone continuation bytes; bytes
        // that never start a sequence. Each at the start of an eight-byte word and in the middle of one.
        final byte[][] invalid = {
            {(byte)0xC0, (byte)0xAF}, {(byte)0xC1, (byte)0xBF}, {(byte)0xE0, (byte)0x9F, (byte)0xBF},
            {(byte)0xF0, (byte)0x8F, (byte)0xBF, (byte)0xBF}, {(byte)0xF4, (byte)0x90, (byte)0x80, (byte)0x80},
            {(byte)0x80}, {(byte)0xBF, (byte)0x80}, {(byte)0xF5, (byte)0x80}, {(byte)0xFF}, {(byte)0xFE}};
        for (final byte[] sequence : invalid)
        {
            for (final String prefix : new String[]{"", "abcde", "abcdefgh"})
            {
                final byte[] bytes = concat(prefix.getBytes(StandardCharsets.US_ASCII), sequence,
                    "z0123456789".getBytes(StandardCharsets.US_ASCII));
                final String expected = new String(bytes, StandardCharsets.UTF_8);
                for (int split = 0; split <= bytes.length; split++)
                {
                    final JsonStringEscaper escaper = new JsonStringEscaper();
                    assertEquals(expected, escapeInPieces(escaper, bytes, split, split), () -> hex(bytes));
                    assertEquals(expected.chars().filter(c -> c == 0xFFFD).count(), escaper.replacements());
                }
            }
        }
    }

    @Test
    void shouldReplaceEncodedSurrogatesInsideLongRuns()
    {
        // ED A0 80 (U+D800) and ED BF BF (U+DFFF) encoded: three U+FFFD each, as Unicode's practice says.
        final byte[] bytes = concat("0123456789".getBytes(StandardCharsets.US_ASCII),
            new byte[]{(byte)0xED, (byte)0xA0, (byte)0x80}, "abcdefghij".getBytes(StandardCharsets.US_ASCII),
            new byte[]{(byte)0xED, (byte)0xBF, (byte)0xBF}, "klm".getBytes(StandardCharsets.US_ASCII));
        for (int split = 0; split <= bytes.length; split++)
        {
            final JsonStringEscaper escaper = new JsonStringEscaper();
            assertEquals("0123456789\uFFFD\uFFFD\uFFFDabcdefghij\uFFFD\uFFFD\uFFFDklm",
                escapeInPieces(escaper, bytes, split, bytes.length));
            assertEquals(6, escaper.replacements());
        }
    }

    @Test
    void shouldReplaceEveryTruncatedSequenceAtTheEndOfTheSession()
    {
        final byte[][] truncated = {
            {(byte)0xC3}, {(byte)0xE2}, {(byte)0xE2, (byte)0x9C}, {(byte)0xF0}, {(byte)0xF0, (byte)0x9D},
            {(byte)0xF0, (byte)0x9D, (byte)0x84}};
        for (final byte[] tail : truncated)
        {
            final byte[] bytes = concat("plain text ahead".getBytes(StandardCharsets.US_ASCII), tail);
            for (int split = 0; split <= bytes.length; split++)
            {
                final JsonStringEscaper escaper = new JsonStringEscaper();
                assertEquals("plain text ahead\uFFFD", escapeInPieces(escaper, bytes, split, split), () -> hex(bytes));
                assertEquals(1, escaper.replacements());
                assertFalse(escaper.hasPending());
            }
        }
    }

    @Test
    void shouldMatchAReferenceEscaperOnRandomBytesInRandomPieces()
    {
        final Random random = new Random(7);
        for (int round = 0; round < 5000; round++)
        {
            final byte[] bytes = new byte[random.nextInt(80)];
            for (int i = 0; i < bytes.length; i++)
            {
                final int kind = random.nextInt(10);
                // Mostly printable ASCII (the eight-byte path), with every kind of byte that stops it.
                bytes[i] = (byte)(kind < 6 ? 0x20 + random.nextInt(0x60) : kind < 8 ? random.nextInt(0x20) :
                    kind < 9 ? (random.nextBoolean() ? '"' : '\\') : 0x80 + random.nextInt(0x80));
                if ((byte)0xED == bytes[i])
                {
                    bytes[i] = (byte)0xEC;
                }
            }
            // Valid multi-byte characters too, so that runs continue through them.
            final byte[] withText = concat(bytes, "é✓𝄞".getBytes(StandardCharsets.UTF_8), bytes);
            final int first = random.nextInt(withText.length + 1);
            final int second = first + random.nextInt(withText.length - first + 1);
            final JsonStringEscaper escaper = new JsonStringEscaper();

            assertEquals(reference(withText), escapeInPieces(escaper, withText, first, second), () -> hex(withText));
        }
    }

    /**
     * JSON string contents of the bytes as Java decodes them (U+FFFD for invalid input), escaped as asciicast needs.
     */
    private static String reference(final byte[] bytes)
    {
        final StringBuilder json = new StringBuilder();
        for (final char c : new String(bytes, StandardCharsets.UTF_8).toCharArray())
        {
            switch (c)
            {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                case '\b' -> json.append("\\b");
                case '\f' -> json.append("\\f");
                default -> json.append(c < 0x20 ? String.format("\\u%04x", (int)c) : String.valueOf(c));
            }
        }

        return json.toString();
    }

    private static byte[] concat(final byte[]... parts)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] part : parts)
        {
            out.writeBytes(part);
        }

        return out.toByteArray();
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
