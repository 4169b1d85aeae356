package io.ptyq.codec.cli;

/**
 * JSON string literals, for the commands that print JSON ({@code ls --json}, {@code stats --json}) and for the web
 * bridge's session list.
 */
public final class JsonText
{
    private JsonText()
    {
    }

    /**
     * @param text any text.
     * @return it as a JSON string literal: quoted, with quote, backslash, control characters and unpaired surrogates
     * escaped.
     */
    public static String quote(final String text)
    {
        final StringBuilder quoted = new StringBuilder(text.length() + 2);
        append(quoted, text, false);

        return quoted.toString();
    }

    /**
     * Append a JSON string literal: quote, backslash, control characters and unpaired surrogates (which UTF-8 cannot
     * carry) escaped, and, when {@code scriptSafe}, also what could end an HTML script block or a JavaScript line
     * ({@code < > &}, U+2028, U+2029).
     *
     * @param json       where to append it.
     * @param text       any text.
     * @param scriptSafe whether to escape for a page as well.
     */
    public static void append(final StringBuilder json, final String text, final boolean scriptSafe)
    {
        json.append('"');
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            switch (c)
            {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default ->
                {
                    if (c < 0x20 || Character.isSurrogate(c) && !pairedSurrogate(text, i) ||
                        scriptSafe && (c == '<' || c == '>' || c == '&' || c == 0x2028 || c == 0x2029))
                    {
                        json.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }

    private static boolean pairedSurrogate(final String text, final int i)
    {
        final char c = text.charAt(i);
        if (Character.isHighSurrogate(c))
        {
            return i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1));
        }

        return i > 0 && Character.isHighSurrogate(text.charAt(i - 1));
    }
}
