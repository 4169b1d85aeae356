package io.ptyq.consumer.asciicast;

import io.ptyq.codec.CommandLine;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Formats the parts of asciicast lines: an event's start ({@code [TIME, "CODE", "}) and whole lines of the rare
 * events (header, resize, marker, exit, the U+FFFD of a stream's end), which the reader formats itself.
 */
final class AsciicastLines
{
    /**
     * Room for an event's start and end around its text.
     */
    static final int EVENT_OVERHEAD = 64;
    static final byte[] RESIZE_CODE = bytes("\"r\", \"");
    static final byte[] MARKER_CODE = bytes("\"m\", \"");
    static final byte[] EXIT_CODE = bytes("\"x\", \"");
    static final byte[] OUTPUT_CODE = bytes("\"o\", \"");
    static final byte[] INPUT_CODE = bytes("\"i\", \"");
    private static final byte[] EVENT_END = bytes("\"]\n");
    private static final byte[] REPLACEMENT = bytes("\uFFFD");

    private AsciicastLines()
    {
    }

    /**
     * Write {@code [TIME, CODE "}: the time in seconds with six decimals.
     *
     * @return the position after it.
     */
    static int eventStart(final byte[] dst, final int position, final long timeMicros, final byte[] code)
    {
        int p = position;
        dst[p++] = '[';
        p = putDecimal(dst, p, timeMicros / 1_000_000);
        dst[p++] = '.';
        long fraction = timeMicros % 1_000_000;
        for (int divisor = 100_000; divisor > 0; divisor /= 10)
        {
            dst[p++] = (byte)('0' + fraction / divisor);
            fraction %= divisor;
        }
        dst[p++] = ',';
        dst[p++] = ' ';
        System.arraycopy(code, 0, dst, p, code.length);

        return p + code.length;
    }

    /**
     * @return a whole event line whose text is {@code utf8}, escaped.
     */
    static byte[] textEvent(final long timeMicros, final byte[] code, final byte[] utf8)
    {
        final byte[] line = new byte[EVENT_OVERHEAD + utf8.length * JsonStringEscaper.MAX_EXPANSION];
        int p = JsonStringEscaper.escapeWhole(utf8, line, eventStart(line, 0, timeMicros, code));
        System.arraycopy(EVENT_END, 0, line, p, EVENT_END.length);
        p += EVENT_END.length;

        return Arrays.copyOf(line, p);
    }

    /**
     * @return the event of a stream that ended in the middle of a character: U+FFFD.
     */
    static byte[] replacementEvent(final long timeMicros, final byte[] code)
    {
        return textEvent(timeMicros, code, REPLACEMENT);
    }

    /**
     * @return a resize event.
     */
    static byte[] resizeEvent(final long timeMicros, final int cols, final int rows)
    {
        return textEvent(timeMicros, RESIZE_CODE, bytes(cols + "x" + rows));
    }

    /**
     * @return the header line.
     */
    static byte[] header(
        final AsciicastFormat format, final long timestampNs, final int cols, final int rows, final String name,
        final String command)
    {
        final StringBuilder header = new StringBuilder(128);
        final boolean v3 = AsciicastFormat.ASCIICAST_V3 == format;
        header.append("{\"version\": ").append(v3 ? 3 : 2);
        if (v3)
        {
            header.append(", \"term\": {\"cols\": ").append(cols).append(", \"rows\": ").append(rows).append('}');
        }
        else
        {
            header.append(", \"width\": ").append(cols).append(", \"height\": ").append(rows);
        }
        header.append(", \"timestamp\": ").append(Math.floorDiv(timestampNs, 1_000_000_000L));
        final String display = CommandLine.display(command);
        final byte[] displayBytes = bytes(display);
        final byte[] nameBytes = bytes(name);
        final byte[] line = new byte[EVENT_OVERHEAD + header.length() +
            (displayBytes.length + nameBytes.length) * JsonStringEscaper.MAX_EXPANSION];
        int p = put(line, 0, bytes(header.toString()));
        if (!display.isEmpty())
        {
            p = put(line, p, bytes(", \"command\": \""));
            p = JsonStringEscaper.escapeWhole(displayBytes, line, p);
            line[p++] = '"';
        }
        if (!name.isEmpty())
        {
            p = put(line, p, bytes(", \"title\": \""));
            p = JsonStringEscaper.escapeWhole(nameBytes, line, p);
            line[p++] = '"';
        }
        p = put(line, p, bytes("}\n"));

        return Arrays.copyOf(line, p);
    }

    private static int putDecimal(final byte[] dst, final int p, final long value)
    {
        if (value < 10)
        {
            dst[p] = (byte)('0' + value);
            return p + 1;
        }
        int digits = 0;
        for (long v = value; v > 0; v /= 10)
        {
            digits++;
        }
        long v = value;
        for (int i = p + digits - 1; i >= p; i--)
        {
            dst[i] = (byte)('0' + v % 10);
            v /= 10;
        }

        return p + digits;
    }

    static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static int put(final byte[] dst, final int p, final byte[] bytes)
    {
        System.arraycopy(bytes, 0, dst, p, bytes.length);
        return p + bytes.length;
    }
}
