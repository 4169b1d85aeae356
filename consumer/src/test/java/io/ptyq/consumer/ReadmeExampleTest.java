package io.ptyq.consumer;

import io.ptyq.consumer.example.PrintSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's consumer example is {@link PrintSession}, word for word, and it works: live, against a journal being
 * written, it prints exactly one session's output and returns when the session ends.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReadmeExampleTest
{
    private static final Path README = Path.of("..", "README.md");
    private static final Path EXAMPLE =
        Path.of("src", "test", "java", "io", "ptyq", "consumer", "example", "PrintSession.java");

    @TempDir
    Path journal;

    @Test
    void shouldShowTheExampleSourceInTheReadme() throws Exception
    {
        final String readme = Files.readString(README);
        final int start = readme.indexOf("<!-- consumer-api -->");
        final int end = readme.indexOf("<!-- /consumer-api -->");
        assertTrue(start >= 0 && end > start, "README has the consumer-api section");
        final String section = readme.substring(start, end);
        final int codeStart = section.indexOf("```java\n") + "```java\n".length();
        final String code = section.substring(codeStart, section.indexOf("```\n", codeStart));

        final String source = Files.readString(EXAMPLE);
        final String withoutPackage = source.substring(source.indexOf("\n\n") + 2);
        assertEquals(withoutPackage, code, "README example and " + EXAMPLE + " differ");
    }

    @Test
    void shouldPrintOneSessionLiveUntilItEnds() throws Exception
    {
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        final PrintStream stdout = System.out;
        final AtomicReference<Throwable> error = new AtomicReference<>();
        try (TestJournal writer = TestJournal.open(journal))
        {
            writer.sessionStarted(1, 1, "other");
            writer.output(1, 0, 1, bytes("not this\n"));
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            final Thread example = new Thread(() ->
            {
                try
                {
                    PrintSession.main(new String[]{ journal.toString(), "2" });
                }
                catch (final Throwable ex)
                {
                    error.set(ex);
                }
            }, "readme-example");
            example.start();

            writer.sessionStarted(2, 2, "printed");
            long position = 0;
            final StringBuilder expected = new StringBuilder();
            for (int i = 0; i < 50; i++)
            {
                final String line = "line " + i + "\r\n";
                writer.output(2, position, 3, bytes(line));
                writer.output(1, position, 3, bytes("nor this\n"));
                position += line.length();
                expected.append(line);
                Thread.sleep(1);
            }
            writer.exited(2, 4, position);
            example.join(30_000);
            assertFalse(example.isAlive(), "the example returned at the session's end");
            assertEquals(null, error.get());
            assertEquals(expected.toString(), captured.toString(StandardCharsets.UTF_8));
        }
        finally
        {
            System.setOut(stdout);
        }
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
