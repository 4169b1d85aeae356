package io.ptyq.codec.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The run that {@code bin/ptyq} records its class-data sharing (AppCDS) archive from: the everyday one-shot commands
 * on a throwaway journal in one JVM, so that their classes are loaded, and then archived at exit
 * ({@code -XX:ArchiveClassesAtExit}). Not a user command: it goes through {@link Ptyq#execute} exactly as a user's
 * command line does, and only the modules on the classpath take part.
 */
public final class LauncherTraining
{
    private static final String CAST = String.join("\n",
        "{\"version\": 2, \"width\": 80, \"height\": 24, \"timestamp\": 1760000000, \"title\": \"training\"}",
        "[0.010000, \"o\", \"$ ls\\r\\n\"]",
        "[0.020000, \"o\", \"\\u001b[1;32mcaf\u00e9 \u2713\\u001b[0m \\\"q\\\" \\\\\\r\\n\"]",
        "[0.030000, \"r\", \"100x30\"]",
        "[0.040000, \"m\", \"mark\"]",
        "[0.050000, \"o\", \"done\\r\\n\"]",
        "");

    private LauncherTraining()
    {
    }

    /**
     * @param args one argument: an empty directory to work in (the launcher deletes it afterwards).
     */
    public static void main(final String[] args) throws IOException
    {
        if (1 != args.length)
        {
            System.err.println("usage: LauncherTraining EMPTY_DIR");
            System.exit(CliException.USAGE);
        }
        final Path dir = Path.of(args[0]);
        final Path journal = dir.resolve("journal");
        final Path cast = dir.resolve("training.cast");
        Files.writeString(cast, CAST, StandardCharsets.UTF_8);
        final String j = journal.toString();

        // What the commands print is of no interest: stdout goes to the launcher's log.
        final PrintStream out = System.out;
        int failures = 0;
        failures += run("--help");
        failures += run("--version");
        failures += run("export", "--help");
        failures += run("import", "--journal", j, "--name", "training", cast.toString());
        failures += run("ls", "--journal", j);
        failures += run("export", "--journal", j, "training", "-o", dir.resolve("v2.cast").toString());
        failures += run("export", "--journal", j, "training", "--format", "asciicast-v3", "-o",
            dir.resolve("v3.cast").toString());
        failures += run("export", "--journal", j, "training", "--format", "raw");
        failures += run("cat", "--journal", j, "training");
        out.flush();
        System.exit(0 == failures ? 0 : CliException.RUNTIME);
    }

    private static int run(final String... args)
    {
        final int exitCode = Ptyq.execute(args);
        if (0 != exitCode)
        {
            System.err.println("training: ptyq " + String.join(" ", args) + " exited with " + exitCode);
        }

        return 0 == exitCode ? 0 : 1;
    }
}
