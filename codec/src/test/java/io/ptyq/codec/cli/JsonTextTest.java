package io.ptyq.codec.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class JsonTextTest
{
    @Test
    void shouldEscapeWhatJsonAndUtf8Need()
    {
        assertEquals("\"a\\\"b\\\\c\\n\\r\\t\\u0001\\u001b caf\u00e9 \uD83D\uDE00 <&>\"",
            JsonText.quote("a\"b\\c\n\r\t\u0001\u001b caf\u00e9 \uD83D\uDE00 <&>"));
        // Unpaired surrogates, which UTF-8 cannot carry, at either end and alone.
        assertEquals("\"\\ud83d x \\ude00\"", JsonText.quote("\uD83D x \uDE00"));
        assertEquals("\"\"", JsonText.quote(""));
    }

    @Test
    void shouldAlsoEscapeWhatCouldEndAScriptWhenAskedTo()
    {
        final StringBuilder json = new StringBuilder("[");
        JsonText.append(json, "</script>&\u2028\u2029", true);
        assertEquals("[\"\\u003c/script\\u003e\\u0026\\u2028\\u2029\"", json.toString());
    }
}
