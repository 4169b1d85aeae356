package io.ptyq.consumer.asciicast;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AsciicastParserTest
{
    @Test
    void shouldReadVersion2WithAbsoluteTimes() throws Exception
    {
        final List<String> events = new ArrayList<>();
        final AsciicastHeader header = parse(
            "{\"version\": 2, \"width\": 100, \"height\": 30, \"timestamp\": 1700000000.7, \"command\": \"vim\", " +
            "\"title\": \"edit\", \"env\": {\"TERM\": \"xterm\"}, \"theme\": {\"fg\": \"#fff\"}}\n" +
            "\n" +
            "[0.000001, \"o\", \"h\\u00e9\\r\\n\"]\n" +
            "[1.5, \"r\", \"120x40\"]\n" +
            "[1.25, \"m\", \"late\"]\n" +
            "[2, \"i\", \"q\"]\n" +
            "[2.5, \"z\", \"unknown code\"]\n", events);

        assertEquals(new AsciicastHeader(2, 100, 30, 1700000000, "vim", "edit", 5, 2_500_000_000L, null), header);
        assertEquals(List.of("1000 o hé\r\n", "1500000000 r 120x40", "1500000000 m late", "2000000000 i q",
            "2500000000 z unknown code"), events);
    }

    @Test
    void shouldReadVersion3WithIntervalsAndExit() throws Exception
    {
        final List<String> events = new ArrayList<>();
        final AsciicastHeader header = parse(
            "{\"version\": 3, \"term\": {\"cols\": 80, \"rows\": 24, \"type\": \"xterm\"}, \"timestamp\": 5}\n" +
            "[0.5, \"o\", \"a\"]\n[0.25, \"o\", \"b\"]\n[0.125, \"x\", \"130\"]\n", events);

        assertEquals(new AsciicastHeader(3, 80, 24, 5, "", "", 3, 875_000_000L, 130), header);
        assertEquals(List.of("500000000 o a", "750000000 o b", "875000000 x 130"), events);
    }

    @Test
    void shouldReadVersion1Document() throws Exception
    {
        final List<String> events = new ArrayList<>();
        final AsciicastHeader header = parse(
            "{\n \"stdout\": [[0.5, \"$ \"], [1.0, \"exit\\r\\n\"]],\n \"version\": 1, \"width\": 80, " +
            "\"height\": 24, \"duration\": 1.5, \"command\": null, \"title\": null, \"env\": {}\n}\n", events);

        assertEquals(new AsciicastHeader(1, 80, 24, -1, "", "", 2, 1_500_000_000L, null), header);
        assertEquals(List.of("500000000 o $ ", "1500000000 o exit\r\n"), events);
    }

    @Test
    void shouldReadAZeroSizeAsTheDefault() throws Exception
    {
        final AsciicastHeader header = parse("{\"version\": 2, \"width\": 0, \"height\": 0}\n", new ArrayList<>());

        assertEquals(80, header.cols());
        assertEquals(24, header.rows());
    }

    @Test
    void shouldNameTheLineOfEachMistake()
    {
        final String header = "{\"version\": 2, \"width\": 80, \"height\": 24}\n";
        assertError("line 3: the file ends in the middle of a line (truncated?)",
            header + "[0.1, \"o\", \"a\"]\n[0.2, \"o\", \"b");
        assertError("line 2: resize to '80by24' is not COLSxROWS", header + "[0.1, \"r\", \"80by24\"]\n");
        assertError("line 2: an event must be exactly [time, code, data]", header + "[0.1, \"o\", \"a\", 4]\n");
        assertError("line 2: event time -1 is negative", header + "[-1, \"o\", \"a\"]\n");
        assertError("line 2: the event data must be a string", header + "[1, \"o\", 7]\n");
        assertError("line 4: expected an event, a JSON array [time, code, data]", header + "\n\n{}\n");
        assertError("line 1: the header has no terminal size (width and height)", "{\"version\": 2}\n");
        assertError("line 1: asciicast version 4 is not supported (1, 2 or 3)", "{\"version\": 4}\n");
        assertError("line 1: the file does not start with an asciicast header (a JSON object)", "[1]\n");
        assertError("the file is empty", "  \n");
        assertError("line 2: exit status 'zero' is not an integer",
            "{\"version\": 3, \"term\": {\"cols\": 8, \"rows\": 2}}\n[0, \"x\", \"zero\"]\n");
    }

    @Test
    void shouldRefuseAGiantLineWithoutHoldingIt()
    {
        // 1 GiB of one line, produced on the fly: refused at the cap, long before memory runs out.
        final InputStream giant = new InputStream()
        {
            private long produced;

            @Override
            public int read()
            {
                return produced++ < 1L << 30 ? (0 == produced - 1 ? '[' : ' ') : -1;
            }

            @Override
            public int read(final byte[] bytes, final int offset, final int length)
            {
                if (produced >= 1L << 30)
                {
                    return -1;
                }
                for (int i = 0; i < length; i++)
                {
                    bytes[offset + i] = (byte)(0 == produced + i ? '{' : ' ');
                }
                produced += length;
                return length;
            }
        };

        final AsciicastException ex = assertThrows(AsciicastException.class,
            () -> AsciicastParser.parse(giant, (timeNs, code, data) -> { }));
        assertEquals("line 1: line is longer than 64 MiB", ex.getMessage());
    }

    @Test
    void shouldRefuseAGiantString()
    {
        final String big = "x".repeat(AsciicastParser.MAX_STRING_CHARS + 1);
        final AsciicastException ex = assertThrows(AsciicastException.class, () -> parse(
            "{\"version\": 2, \"width\": 80, \"height\": 24}\n[1, \"o\", \"" + big + "\"]\n", new ArrayList<>()));
        assertEquals(2, ex.line());
    }

    @Test
    void shouldParseSizes()
    {
        assertEquals(80L << 32 | 24, AsciicastParser.parseSize("80x24"));
        assertEquals(65535L << 32 | 1, AsciicastParser.parseSize("65535x1"));
        assertEquals(-1, AsciicastParser.parseSize("0x24"));
        assertEquals(-1, AsciicastParser.parseSize("65536x24"));
        assertEquals(-1, AsciicastParser.parseSize("80x"));
        assertEquals(-1, AsciicastParser.parseSize("x24"));
        assertEquals(-1, AsciicastParser.parseSize("8 x24"));
    }

    private static void assertError(final String message, final String file)
    {
        final AsciicastException ex = assertThrows(AsciicastException.class, () -> parse(file, new ArrayList<>()),
            message);
        assertEquals(message, ex.getMessage());
    }

    private static AsciicastHeader parse(final String file, final List<String> events)
        throws AsciicastException, IOException
    {
        final AsciicastHeader header = AsciicastParser.parse(
            new ByteArrayInputStream(file.getBytes(StandardCharsets.UTF_8)),
            (timeNs, code, data) -> events.add(timeNs + " " + code + " " + data));
        assertNull(null == header ? "no header" : null);

        return header;
    }
}
