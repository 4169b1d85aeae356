package io.ptyq.codec;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CommandLineTest
{
    @Test
    void shouldFollowEachArgumentWithNul()
    {
        assertEquals("ls\0-l\0my dir\0", CommandLine.join(List.of("ls", "-l", "my dir")));
        assertEquals("", CommandLine.join(List.of()));
        assertEquals("\0", CommandLine.join(List.of("")));
    }

    @Test
    void shouldSplitWhatJoinMade()
    {
        final List<List<String>> argvs = List.of(
            List.of(),
            List.of(""),
            List.of("", ""),
            List.of("vim"),
            List.of("bash", "-c", "echo 'a b' \"$HOME\"; exit 3"),
            List.of("printf", "", "x", "", ""),
            List.of("echo", TestFrames.NON_ASCII, "tab\there", "new\nline"));

        for (final List<String> argv : argvs)
        {
            assertEquals(argv, CommandLine.split(CommandLine.join(argv)), () -> "argv " + argv);
        }
    }

    @Test
    void shouldSplitLastArgumentWithoutTrailingNul()
    {
        assertEquals(List.of("a", "b"), CommandLine.split("a\0b"));
        assertEquals(List.of("a"), CommandLine.split("a"));
        assertEquals(List.of(), CommandLine.split(""));
    }

    @Test
    void shouldRefuseArgumentContainingNul()
    {
        assertThrows(IllegalArgumentException.class, () -> CommandLine.join(List.of("ok", "not\0ok")));
        assertThrows(IllegalArgumentException.class, () -> CommandLine.join(List.of("\0")));
    }

    @Test
    void shouldDisplayPlainWordsBareAndQuoteTheRest()
    {
        assertEquals("ls -la /tmp/x.txt user@host:a,b=c+d%e_f",
            CommandLine.display(CommandLine.join(List.of("ls", "-la", "/tmp/x.txt", "user@host:a,b=c+d%e_f"))));
        assertEquals("echo 'my file' '' '$HOME' 'a*'",
            CommandLine.display(CommandLine.join(List.of("echo", "my file", "", "$HOME", "a*"))));
        assertEquals("echo 'it'\\''s'", CommandLine.display(CommandLine.join(List.of("echo", "it's"))));
        assertEquals("echo '" + TestFrames.NON_ASCII + "'",
            CommandLine.display(CommandLine.join(List.of("echo", TestFrames.NON_ASCII))));
        assertEquals("", CommandLine.display(""));
    }
}
