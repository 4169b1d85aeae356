package io.ptyq.producer.cli;

import io.ptyq.codec.cli.CliException;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Turns the escapes {@code ptyq send} accepts into bytes: {@code \r \n \t \e \0 \\} and {@code \xHH}.
 */
final class Escapes
{
    static final String HELP = "Escapes: \\r carriage return (Enter), \\n newline, \\t tab, \\e escape, \\0 NUL, " +
        "\\\\ backslash, \\xHH any byte (\\x03 is Ctrl-C, \\x04 Ctrl-D).";

    private Escapes()
    {
    }

    static byte[] decode(final String text)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final StringBuilder plain = new StringBuilder();
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c != '\\')
            {
                plain.append(c);
                continue;
            }
            out.writeBytes(plain.toString().getBytes(StandardCharsets.UTF_8));
            plain.setLength(0);
            if (i + 1 >= text.length())
            {
                throw CliException.usage("a backslash ends the text; write \\\\ for a backslash");
            }
            final char e = text.charAt(++i);
            switch (e)
            {
                case 'r' -> out.write('\r');
                case 'n' -> out.write('\n');
                case 't' -> out.write('\t');
                case 'e' -> out.write(0x1b);
                case '0' -> out.write(0);
                case '\\' -> out.write('\\');
                case 'x' ->
                {
                    final String hex = text.substring(i + 1, Math.min(text.length(), i + 3));
                    if (!hex.matches("[0-9A-Fa-f]{2}"))
                    {
                        throw CliException.usage("\\x needs two hex digits, got '" + hex + "'");
                    }
                    out.write(Integer.parseInt(hex, 16));
                    i += 2;
                }
                default -> throw CliException.usage("unknown escape \\" + e + " (" + HELP + ")");
            }
        }
        out.writeBytes(plain.toString().getBytes(StandardCharsets.UTF_8));

        return out.toByteArray();
    }
}
