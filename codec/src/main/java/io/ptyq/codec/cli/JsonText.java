package io.ptyq.codec.cli;

/**
 * JSON string literals for the commands that print JSON ({@code ls --json}, {@code stats --json}).
 */
public final class JsonText
{
    private JsonText()
    {
    }

    /**
     * @param text any text.
     * @return it as a JSON string literal: quoted, with quote, backslash and control characters escaped.
     */
    public static String quote(final String text)
    {
        final StringBuilder quoted = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            switch (c)
            {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                case '\r' -> quoted.append("\\r");
                case '\t' -> quoted.append("\\t");
                default ->
                {
                    if (c < 0x20)
                    {
                        quoted.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        quoted.append(c);
                    }
                }
            }
        }

        return quoted.append('"').toString();
    }
}
