package io.ptyq.consumer.asciicast;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whatever the bytes, {@link AsciicastParser} either refuses them with one {@link AsciicastException} or reads a
 * header and events that the importer can journal as they are: a size from 1x1 to 65535x65535, times that never go
 * backwards or negative, resize events that parse, and the event count and duration it reports.
 * <p>
 * A plain {@code mvn verify} runs this once per input in {@code AsciicastParserFuzzTestInputs/fuzzAsciicastParser}
 * beside this class in the test resources (regression mode); {@code JAZZER_FUZZ=1} fuzzes, starting from those.
 */
class AsciicastParserFuzzTest
{
    @FuzzTest(maxDuration = "5m")
    void fuzzAsciicastParser(final byte[] data)
    {
        final long[] last = {0, 0};
        final AsciicastHeader header;
        try
        {
            header = AsciicastParser.parse(new ByteArrayInputStream(data), (timeNs, code, text) ->
            {
                assertTrue(timeNs >= last[0], "time went backwards");
                if ('r' == code)
                {
                    assertTrue(AsciicastParser.parseSize(text) > 0, "resize accepted but not a size: " + text);
                }
                last[0] = timeNs;
                last[1]++;
            });
        }
        catch (final AsciicastException ex)
        {
            assertTrue(null != ex.getMessage() && !ex.getMessage().isEmpty());
            return;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("a byte array cannot fail to read", ex);
        }

        assertTrue(header.version() >= 1 && header.version() <= 3);
        assertTrue(header.cols() >= 1 && header.cols() <= 65535 && header.rows() >= 1 && header.rows() <= 65535);
        assertEquals(last[1], header.events());
        assertEquals(last[0], header.durationNs());
    }
}
