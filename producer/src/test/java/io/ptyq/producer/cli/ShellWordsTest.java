package io.ptyq.producer.cli;

import io.ptyq.codec.CommandLine;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class ShellWordsTest
{
    @Test
    void shouldSplitWhatCommandLineDisplayWrites()
    {
        for (final List<String> argv : List.of(
            List.of("vim"),
            List.of("sh", "-c", "printf 'a b'; exit 3"),
            List.of("echo", "it's", "", "x\"y", "tab\there", "$HOME", "back\\slash")))
        {
            final String display = CommandLine.display(CommandLine.join(argv));
            assertEquals(argv, ShellWords.split(display), display);
        }
    }

    @Test
    void shouldSplitDoubleQuotesAndBackslashes()
    {
        assertEquals(List.of("a b", "c\"d", "e f"), ShellWords.split("\"a b\" \"c\\\"d\" e\\ f"));
    }

    @Test
    void shouldRefuseWhatIsMoreThanWords()
    {
        assertNull(ShellWords.split("ls | wc"));
        assertNull(ShellWords.split("echo $(date)"));
        assertNull(ShellWords.split("echo \"$HOME\""));
        assertNull(ShellWords.split("echo 'unclosed"));
        assertNull(ShellWords.split("   "));
    }
}
