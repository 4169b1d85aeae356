package io.ptyq.consumer.asciicast;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Reads an asciicast file, v1 (one JSON document), v2 or v3 (a header line, then one JSON array per event), with
 * bounded memory: a line may hold at most {@link #MAX_LINE_BYTES}, a string at most {@link #MAX_STRING_CHARS}; numbers
 * and nesting are bounded too, and every other value is skipped without being kept.
 * <p>
 * Strict where a mistake would corrupt a session (sizes, times, event shape, exit status, truncation) and tolerant
 * where asciinema's players are (unknown header keys and event codes, blank lines, a v2 time slightly before the
 * previous one, which is read as the previous one; a width or height of 0, which asciinema writes when its terminal
 * had no size, read as 80x24). Every error names the line. Not thread safe; one file per call.
 */
public final class AsciicastParser
{
    /**
     * The longest line accepted, in bytes.
     */
    public static final int MAX_LINE_BYTES = 64 << 20;

    /**
     * The longest string accepted, in chars.
     */
    public static final int MAX_STRING_CHARS = 16 << 20;

    /**
     * The largest event time accepted: about ten years.
     */
    static final long MAX_TIME_SECONDS = 10L * 366 * 24 * 3600;

    private static final int MAX_DIMENSION = 65535;
    private static final int DEFAULT_COLS = 80;
    private static final int DEFAULT_ROWS = 24;

    private static final JsonFactory FACTORY = new JsonFactoryBuilder()
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxStringLength(MAX_STRING_CHARS)
            .maxNumberLength(64)
            .maxNestingDepth(16)
            .maxNameLength(1024)
            .build())
        .build();

    private int version;
    private int cols;
    private int rows;
    private long timestampSec = -1;
    private String command = "";
    private String title = "";
    private long events;
    private long lastTimeNs;
    private Integer exitStatus;

    /**
     * Parse a whole file, telling the listener each event in order.
     *
     * @param in       the file's bytes; not closed here.
     * @param listener told each event.
     * @return the header and what was found.
     * @throws AsciicastException if the file is not valid asciicast or is truncated.
     * @throws IOException        if reading fails.
     */
    public static AsciicastHeader parse(final InputStream in, final AsciicastListener listener)
        throws AsciicastException, IOException
    {
        return new AsciicastParser().parseFile(in, listener);
    }

    /**
     * @param size a resize event's data, {@code COLSxROWS}.
     * @return {@code cols << 32 | rows}, or -1 when it is not a size from 1x1 to 65535x65535.
     */
    public static long parseSize(final String size)
    {
        final int x = size.indexOf('x');
        if (x <= 0 || x > 5 || size.length() - x - 1 < 1 || size.length() - x - 1 > 5)
        {
            return -1;
        }
        final int parsedCols = digits(size, 0, x);
        final int parsedRows = digits(size, x + 1, size.length());
        if (parsedCols < 1 || parsedRows < 1 || parsedCols > MAX_DIMENSION || parsedRows > MAX_DIMENSION)
        {
            return -1;
        }

        return (long)parsedCols << 32 | parsedRows;
    }

    private static int digits(final String text, final int from, final int to)
    {
        int value = 0;
        for (int i = from; i < to; i++)
        {
            final char c = text.charAt(i);
            if (c < '0' || c > '9')
            {
                return -1;
            }
            value = value * 10 + (c - '0');
        }

        return value;
    }

    private AsciicastHeader parseFile(final InputStream in, final AsciicastListener listener)
        throws AsciicastException, IOException
    {
        final JsonParser parser = FACTORY.createParser(new LineLimitedStream(in));
        try (parser)
        {
            final JsonToken first = parser.nextToken();
            if (null == first)
            {
                throw new AsciicastException(0, "the file is empty");
            }
            if (JsonToken.START_OBJECT != first)
            {
                throw error(parser, "the file does not start with an asciicast header (a JSON object)");
            }
            final boolean v1Events = parseHeader(parser, listener);
            checkHeader(parser, v1Events);
            if (1 == version)
            {
                if (null != parser.nextToken())
                {
                    throw error(parser, "unexpected content after the asciicast v1 document");
                }
            }
            else
            {
                JsonToken token;
                while (null != (token = parser.nextToken()))
                {
                    if (JsonToken.START_ARRAY != token)
                    {
                        throw error(parser, "expected an event, a JSON array [time, code, data]");
                    }
                    parseEvent(parser, listener);
                }
            }
        }
        catch (final LineTooLongException ex)
        {
            throw new AsciicastException(ex.line, "line is longer than " + (MAX_LINE_BYTES >> 20) + " MiB");
        }
        catch (final JsonEOFException ex)
        {
            throw new AsciicastException(lineOf(parser, ex), "the file ends in the middle of " +
                (1 == version ? "the document" : "a line") + " (truncated?)");
        }
        catch (final StreamConstraintsException ex)
        {
            throw new AsciicastException(lineOf(parser, ex), "a value is too large: " + firstSentence(ex));
        }
        catch (final JsonProcessingException ex)
        {
            throw new AsciicastException(lineOf(parser, ex), "not valid JSON: " + firstSentence(ex));
        }

        return new AsciicastHeader(version, cols, rows, timestampSec, command, title, events, lastTimeNs, exitStatus);
    }

    /**
     * @return whether v1 events ({@code stdout}) were read.
     */
    private boolean parseHeader(final JsonParser parser, final AsciicastListener listener)
        throws IOException, AsciicastException
    {
        boolean v1Events = false;
        while (JsonToken.FIELD_NAME == parser.nextToken())
        {
            final String key = parser.currentName();
            final JsonToken value = parser.nextToken();
            switch (key)
            {
                case "version":
                    version = intValue(parser, value, "version");
                    if (version < 1 || version > 3)
                    {
                        throw error(parser, "asciicast version " + version + " is not supported (1, 2 or 3)");
                    }
                    break;
                case "width":
                    cols = dimension(parser, value, "width");
                    break;
                case "height":
                    rows = dimension(parser, value, "height");
                    break;
                case "term":
                    parseTerm(parser, value);
                    break;
                case "timestamp":
                    if (JsonToken.VALUE_NULL != value)
                    {
                        timestampSec = number(parser, value, "timestamp").setScale(0, RoundingMode.FLOOR)
                            .longValueExact();
                        if (timestampSec < 0 || timestampSec > 1L << 40)
                        {
                            throw error(parser, "timestamp " + timestampSec + " is out of range");
                        }
                    }
                    break;
                case "command":
                    command = optionalString(parser, value, "command");
                    break;
                case "title":
                    title = optionalString(parser, value, "title");
                    break;
                case "stdout":
                    if (JsonToken.START_ARRAY != value)
                    {
                        throw error(parser, "stdout must be an array of [delay, data] pairs");
                    }
                    v1Events = true;
                    parseV1Events(parser, listener);
                    break;
                default:
                    parser.skipChildren();
                    break;
            }
        }
        if (JsonToken.END_OBJECT != parser.currentToken())
        {
            throw error(parser, "the header is not a JSON object");
        }

        return v1Events;
    }

    private void parseTerm(final JsonParser parser, final JsonToken value) throws IOException, AsciicastException
    {
        if (JsonToken.START_OBJECT != value)
        {
            throw error(parser, "term must be an object with cols and rows");
        }
        while (JsonToken.FIELD_NAME == parser.nextToken())
        {
            final String key = parser.currentName();
            final JsonToken field = parser.nextToken();
            if ("cols".equals(key))
            {
                cols = dimension(parser, field, "term.cols");
            }
            else if ("rows".equals(key))
            {
                rows = dimension(parser, field, "term.rows");
            }
            else
            {
                parser.skipChildren();
            }
        }
    }

    private void checkHeader(final JsonParser parser, final boolean v1Events) throws AsciicastException
    {
        final long line = parser.currentLocation().getLineNr();
        if (0 == version)
        {
            throw new AsciicastException(line, "the header has no version");
        }
        if (0 == cols || 0 == rows)
        {
            throw new AsciicastException(line, "the header has no terminal size (" +
                (3 == version ? "term.cols and term.rows" : "width and height") + ")");
        }
        if (v1Events != (1 == version))
        {
            throw new AsciicastException(line, 1 == version ? "the asciicast v1 document has no stdout" :
                "stdout belongs to asciicast v1, not v" + version);
        }
    }

    private void parseV1Events(final JsonParser parser, final AsciicastListener listener)
        throws IOException, AsciicastException
    {
        JsonToken token;
        while (JsonToken.START_ARRAY == (token = parser.nextToken()))
        {
            final long delayNs = time(parser, parser.nextToken());
            final String data = string(parser, parser.nextToken(), "the data");
            endOfEvent(parser, "[delay, data]");
            lastTimeNs = addTime(parser, lastTimeNs, delayNs);
            events++;
            listener.onEvent(lastTimeNs, 'o', data);
        }
        if (JsonToken.END_ARRAY != token)
        {
            throw error(parser, "expected a [delay, data] pair in stdout");
        }
    }

    private void parseEvent(final JsonParser parser, final AsciicastListener listener)
        throws IOException, AsciicastException
    {
        final long timeNs = time(parser, parser.nextToken());
        final String code = string(parser, parser.nextToken(), "the event code");
        final String data = string(parser, parser.nextToken(), "the event data");
        endOfEvent(parser, "[time, code, data]");
        if (code.length() != 1)
        {
            throw error(parser, "event code '" + code + "' is not one character");
        }
        final char c = code.charAt(0);
        if ('r' == c && parseSize(data) < 0)
        {
            throw error(parser, "resize to '" + data + "' is not COLSxROWS");
        }
        if ('x' == c)
        {
            exitStatus = exitStatus(parser, data);
        }
        lastTimeNs = 3 == version ? addTime(parser, lastTimeNs, timeNs) : Math.max(lastTimeNs, timeNs);
        events++;
        listener.onEvent(lastTimeNs, c, data);
    }

    private static int exitStatus(final JsonParser parser, final String data) throws AsciicastException
    {
        final String trimmed = data.trim();
        if (trimmed.isEmpty() || trimmed.length() > 11 || !trimmed.matches("-?\\d+"))
        {
            throw error(parser, "exit status '" + data + "' is not an integer");
        }
        final long status = Long.parseLong(trimmed);
        if (status < Integer.MIN_VALUE || status > Integer.MAX_VALUE)
        {
            throw error(parser, "exit status '" + data + "' is out of range");
        }

        return (int)status;
    }

    private static void endOfEvent(final JsonParser parser, final String shape) throws IOException, AsciicastException
    {
        if (JsonToken.END_ARRAY != parser.nextToken())
        {
            throw error(parser, "an event must be exactly " + shape);
        }
    }

    private static long addTime(final JsonParser parser, final long timeNs, final long deltaNs)
        throws AsciicastException
    {
        final long sum = timeNs + deltaNs;
        if (sum > MAX_TIME_SECONDS * 1_000_000_000L)
        {
            throw error(parser, "the recording is longer than " + MAX_TIME_SECONDS + " s");
        }

        return sum;
    }

    private static long time(final JsonParser parser, final JsonToken token) throws IOException, AsciicastException
    {
        final BigDecimal seconds = number(parser, token, "the event time");
        if (seconds.signum() < 0)
        {
            throw error(parser, "event time " + seconds.toPlainString() + " is negative");
        }
        if (seconds.compareTo(BigDecimal.valueOf(MAX_TIME_SECONDS)) > 0)
        {
            throw error(parser, "event time " + seconds.toPlainString() + " is out of range");
        }

        return seconds.movePointRight(9).setScale(0, RoundingMode.HALF_UP).longValueExact();
    }

    private static BigDecimal number(final JsonParser parser, final JsonToken token, final String what)
        throws IOException, AsciicastException
    {
        if (JsonToken.VALUE_NUMBER_INT != token && JsonToken.VALUE_NUMBER_FLOAT != token)
        {
            throw error(parser, what + " must be a number");
        }
        final BigDecimal value = parser.getDecimalValue();
        if (value.scale() < -18 || value.precision() - value.scale() > 18)
        {
            throw error(parser, what + " " + parser.getText() + " is out of range");
        }

        return value;
    }

    private static int intValue(final JsonParser parser, final JsonToken token, final String what)
        throws IOException, AsciicastException
    {
        if (JsonToken.VALUE_NUMBER_INT != token)
        {
            throw error(parser, what + " must be an integer");
        }
        final BigDecimal value = number(parser, token, what);
        if (value.compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) > 0 ||
            value.compareTo(BigDecimal.valueOf(Integer.MIN_VALUE)) < 0)
        {
            throw error(parser, what + " " + value + " is out of range");
        }

        return value.intValue();
    }

    private static int dimension(final JsonParser parser, final JsonToken token, final String what)
        throws IOException, AsciicastException
    {
        final int value = intValue(parser, token, what);
        if (value < 0 || value > MAX_DIMENSION)
        {
            throw error(parser, what + " " + value + " is not from 1 to " + MAX_DIMENSION);
        }

        // asciinema writes 0 when its terminal had no size (a headless run): read as the usual default.
        return 0 == value ? ("width".equals(what) || "term.cols".equals(what) ? DEFAULT_COLS : DEFAULT_ROWS) : value;
    }

    private static String string(final JsonParser parser, final JsonToken token, final String what)
        throws IOException, AsciicastException
    {
        if (JsonToken.VALUE_STRING != token)
        {
            throw error(parser, what + " must be a string");
        }

        return parser.getText();
    }

    private static String optionalString(final JsonParser parser, final JsonToken token, final String what)
        throws IOException, AsciicastException
    {
        return JsonToken.VALUE_NULL == token ? "" : string(parser, token, what);
    }

    private static AsciicastException error(final JsonParser parser, final String message)
    {
        return new AsciicastException(parser.currentTokenLocation().getLineNr(), message);
    }

    private static long lineOf(final JsonParser parser, final JsonProcessingException ex)
    {
        final long line = null == ex.getLocation() ? -1 : ex.getLocation().getLineNr();

        return line > 0 ? line : Math.max(0, parser.currentLocation().getLineNr());
    }

    private static String firstSentence(final JsonProcessingException ex)
    {
        final String message = ex.getOriginalMessage();
        if (null == message)
        {
            return ex.getClass().getSimpleName();
        }
        final String line = message.lines().findFirst().orElse("");

        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }

    /**
     * Thrown by {@link LineLimitedStream} through Jackson, which passes I/O exceptions on unchanged.
     */
    private static final class LineTooLongException extends IOException
    {
        private static final long serialVersionUID = 1L;

        private final long line;

        LineTooLongException(final long line)
        {
            super("line " + line + " is too long");
            this.line = line;
        }
    }

    /**
     * Fails a read once a line grows past {@link #MAX_LINE_BYTES}, before the parser buffers it.
     */
    private static final class LineLimitedStream extends FilterInputStream
    {
        private long line = 1;
        private long lineBytes;

        LineLimitedStream(final InputStream in)
        {
            super(in);
        }

        @Override
        public int read() throws IOException
        {
            final int b = super.read();
            if (b >= 0)
            {
                count(new byte[]{(byte)b}, 0, 1);
            }

            return b;
        }

        @Override
        public int read(final byte[] bytes, final int offset, final int length) throws IOException
        {
            final int n = super.read(bytes, offset, length);
            if (n > 0)
            {
                count(bytes, offset, n);
            }

            return n;
        }

        private void count(final byte[] bytes, final int offset, final int length) throws LineTooLongException
        {
            for (int i = offset, end = offset + length; i < end; i++)
            {
                if ('\n' == bytes[i])
                {
                    line++;
                    lineBytes = 0;
                }
                else if (++lineBytes > MAX_LINE_BYTES)
                {
                    throw new LineTooLongException(line);
                }
            }
        }
    }
}
