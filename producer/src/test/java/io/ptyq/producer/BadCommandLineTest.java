package io.ptyq.producer;

import io.ptyq.codec.cli.Ptyq;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A table of bad {@code ptyq} command lines, run in-process through {@link Ptyq#execute} with captured streams: each
 * must print exactly one line on stderr, starting {@code ptyq}, with no stack trace, nothing on stdout, and exit 2
 * (usage) or 1 (runtime) as the table says. {@code BadCommandLineSystemTest} runs a handful as real processes.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BadCommandLineTest
{
    static final int USAGE = 2;
    static final int RUNTIME = 1;

    @TempDir
    static Path temp;

    static String journal;
    static String aFile;
    static String missing;

    @BeforeAll
    static void setUp() throws IOException
    {
        final Path dir = temp.resolve("journal");
        Files.createDirectories(dir);
        journal = dir.toString();
        final Path file = temp.resolve("a-file");
        Files.writeString(file, "not a journal");
        aFile = file.toString();
        missing = temp.resolve("no").resolve("such").resolve("dir").toString();
    }

    /**
     * @return every case: expected exit code, a fragment of the expected line, then the arguments.
     */
    static List<Case> cases()
    {
        final String j = "--journal";
        final List<Case> cases = new ArrayList<>();
        // Usage: the command line itself is wrong.
        cases.add(new Case(USAGE, "a command is required"));
        cases.add(new Case(USAGE, "unknown command 'bogus'", "bogus"));
        cases.add(new Case(USAGE, "--bogus", "ls", "--bogus", j, journal));
        cases.add(new Case(USAGE, "ls", "ls", "extra", j, journal));
        cases.add(new Case(USAGE, "CMD", "new", j, journal));
        cases.add(new Case(USAGE, "size", "new", "--size", "80", j, journal, "--", "true"));
        cases.add(new Case(USAGE, "size", "new", "--size", "0x24", j, journal, "--", "true"));
        cases.add(new Case(USAGE, "size", "new", "--size", "axb", j, journal, "--", "true"));
        cases.add(new Case(USAGE, "size", "new", "--size", "70000x24", j, journal, "--", "true"));
        cases.add(new Case(USAGE, "NOEQUALS", "new", "--env", "NOEQUALS", j, journal, "--", "true"));
        cases.add(new Case(USAGE, "size", "resize", "1", "80", j, journal));
        cases.add(new Case(USAGE, "COLSxROWS", "resize", "1", j, journal));
        cases.add(new Case(USAGE, "size", "resize", "1", "-80x24", j, journal));
        cases.add(new Case(USAGE, "SESSION", "send", j, journal));
        cases.add(new Case(USAGE, "TEXT", "send", "1", j, journal));
        cases.add(new Case(USAGE, "\\x", "send", "1", "\\xZZ", j, journal));
        cases.add(new Case(USAGE, "signal", "kill", "1", "--signal", "NOPE", j, journal));
        cases.add(new Case(USAGE, "LABEL", "mark", "1", j, journal));
        cases.add(new Case(USAGE, "SESSION", "cat", j, journal));
        cases.add(new Case(USAGE, "--to", "cat", "1", "--to", "-3", j, journal));
        cases.add(new Case(USAGE, "--from", "cat", "1", "--from", "later", j, journal));
        cases.add(new Case(USAGE, "speed", "replay", "1", "--speed", "-1", j, journal));
        cases.add(new Case(USAGE, "speed", "replay", "1", "--speed", "0", j, journal));
        cases.add(new Case(USAGE, "speed", "replay", "1", "--speed", "fast", j, journal));
        cases.add(new Case(USAGE, "idle", "replay", "1", "--idle-limit", "-5", j, journal));
        cases.add(new Case(USAGE, "--from", "replay", "1", "--from", "10s", "--to", "5s", j, journal));
        cases.add(new Case(USAGE, "exclude", "attach", "1", "--from-start", "--from-now", j, journal));
        cases.add(new Case(USAGE, "retain", "daemon", "--retain", "forever", j, journal));
        cases.add(new Case(USAGE, "retain", "daemon", "--retain", "0s", j, journal));
        cases.add(new Case(USAGE, "grace", "daemon", "--grace", "-1", j, journal));
        cases.add(new Case(USAGE, "--journal", "ls", j));
        // Runtime: well-formed, but the world says no.
        cases.add(new Case(RUNTIME, "no session 'nope'", "cat", "nope", j, journal));
        cases.add(new Case(RUNTIME, "no session '42'", "replay", "42", "--no-wait", j, journal));
        cases.add(new Case(RUNTIME, "no session 'nope'", "attach", "nope", j, journal));
        cases.add(new Case(RUNTIME, "not a directory", "ls", j, aFile));
        cases.add(new Case(RUNTIME, "not a directory", "cat", "1", j, aFile));
        cases.add(new Case(RUNTIME, "not a directory", "daemon", j, aFile));
        cases.add(new Case(RUNTIME, missing, "ls", j, missing));
        cases.add(new Case(RUNTIME, missing, "replay", "1", j, missing));
        cases.add(new Case(RUNTIME, "no ptyq daemon is running", "send", "1", "hi", j, journal));
        cases.add(new Case(RUNTIME, "no ptyq daemon is running", "kill", "1", j, journal));
        cases.add(new Case(RUNTIME, "no ptyq daemon is running", "resize", "1", "80x24", j, journal));
        cases.add(new Case(RUNTIME, "no ptyq daemon is running", "mark", "1", "label", j, journal));
        cases.add(new Case(RUNTIME, "no ptyq daemon is running", "new", j, journal, "--", "true"));
        cases.add(new Case(USAGE, "--cwd", "new", "--cwd", missing, j, journal, "--", "true"));
        return cases;
    }

    @Test
    void shouldGiveOneLineAndTheRightExitCodeForEveryBadCommandLine()
    {
        final List<String> failures = new ArrayList<>();
        final List<Case> cases = cases();
        assertTrue(cases.size() >= 30, "at least 30 cases");
        for (final Case c : cases)
        {
            final Outcome outcome = runInProcess(c.args);
            final String problem = c.check(outcome.exitCode, outcome.stdout, outcome.stderr);
            if (null != problem)
            {
                failures.add(problem);
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " of " + cases.size() + " bad command lines misbehave:\n" +
            String.join("\n", failures));
    }

    private static Outcome runInProcess(final String... args)
    {
        final PrintStream out = System.out;
        final PrintStream err = System.err;
        final ByteArrayOutputStream capturedOut = new ByteArrayOutputStream();
        final ByteArrayOutputStream capturedErr = new ByteArrayOutputStream();
        System.setOut(new PrintStream(capturedOut, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(capturedErr, true, StandardCharsets.UTF_8));
        final int exitCode;
        try
        {
            exitCode = Ptyq.execute(args);
        }
        finally
        {
            System.out.flush();
            System.err.flush();
            System.setOut(out);
            System.setErr(err);
        }
        return new Outcome(exitCode, capturedOut.toString(StandardCharsets.UTF_8),
            capturedErr.toString(StandardCharsets.UTF_8));
    }

    /**
     * One run's result.
     */
    record Outcome(int exitCode, String stdout, String stderr)
    {
    }

    /**
     * One bad command line and what it must give.
     */
    static final class Case
    {
        final int exitCode;
        final String fragment;
        final String[] args;

        Case(final int exitCode, final String fragment, final String... args)
        {
            this.exitCode = exitCode;
            this.fragment = fragment;
            this.args = args;
        }

        /**
         * @return what is wrong with this outcome, or null.
         */
        String check(final int actualExitCode, final String stdout, final String stderr)
        {
            final String what = "ptyq " + String.join(" ", args) + " -> exit " + actualExitCode + ", stderr [" +
                stderr.replace("\n", "\\n") + "], stdout [" + stdout.replace("\n", "\\n") + "]";
            final List<String> lines = stderr.lines().collect(java.util.stream.Collectors.toList());
            if (actualExitCode != exitCode)
            {
                return "expected exit " + exitCode + ": " + what;
            }
            if (lines.size() != 1 || !stderr.endsWith("\n"))
            {
                return "expected one line on stderr: " + what;
            }
            final String line = lines.get(0);
            if (!line.startsWith("ptyq") || line.contains("Exception") || line.contains("\tat ") ||
                line.contains("internal error"))
            {
                return "expected a plain ptyq line: " + what;
            }
            if (!line.contains(fragment))
            {
                return "expected the line to say '" + fragment + "': " + what;
            }
            if (!stdout.isEmpty())
            {
                return "expected nothing on stdout: " + what;
            }
            return null;
        }
    }
}
