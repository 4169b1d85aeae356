package io.ptyq.producer.cli;

import io.ptyq.codec.cli.Ptyq;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Ptyq#execute} registers only the subcommand asked for: what a user sees must be what the full command line
 * (every module's subcommands) gives.
 */
class CommandRegistrationTest
{
    @Test
    void shouldPrintTheSameHelpAndErrorsAsTheFullCommandLine()
    {
        final CommandLine full = Ptyq.commandLine();
        final List<String> names = new ArrayList<>(full.getSubcommands().keySet());
        assertTrue(names.containsAll(List.of("daemon", "import", "record", "ls", "cat", "export")), names::toString);
        for (final String name : names)
        {
            for (final String[] args : new String[][]{{name, "--help"}, {name, "--no-such-option"}})
            {
                final StringWriter out = new StringWriter();
                final StringWriter err = new StringWriter();
                final CommandLine expected = Ptyq.commandLine();
                expected.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
                final int expectedCode = expected.execute(args);

                final Output actual = captured(() -> Ptyq.execute(args));
                assertEquals(expectedCode, actual.code, String.join(" ", args));
                assertEquals(out.toString(), actual.out, String.join(" ", args));
                assertEquals(err.toString(), actual.err, String.join(" ", args));
            }
        }
    }

    @Test
    void shouldListEveryCommandForAMistypedOne()
    {
        final Output output = captured(() -> Ptyq.execute("exprot", "1"));

        assertEquals(2, output.code);
        assertTrue(output.err.contains("unknown command 'exprot'"), output.err);
        final Output help = captured(() -> Ptyq.execute("--help"));
        for (final String name : Ptyq.commandLine().getSubcommands().keySet())
        {
            assertTrue(help.out.contains("  " + name + " "), name + " in " + help.out);
        }
    }

    private static Output captured(final Supplier<Integer> command)
    {
        final PrintStream out = System.out;
        final PrintStream err = System.err;
        final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        try
        {
            System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
            final int code = command.get();
            System.out.flush();
            System.err.flush();
            return new Output(code, stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8));
        }
        finally
        {
            System.setOut(out);
            System.setErr(err);
        }
    }

    private record Output(int code, String out, String err)
    {
    }
}
