package io.ptyq.producer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs shell command lines in a real terminal through util-linux {@code script}, with a {@code ptyq} launcher script
 * (the test classpath's ptyq) for them to call: for {@code ptyq record} and for {@code asciinema}, which both want a
 * terminal.
 */
final class PtyqScript
{
    private final Path dir;
    private final Path launcher;

    PtyqScript(final Path dir) throws IOException
    {
        this.dir = dir;
        Files.createDirectories(dir);
        launcher = dir.resolve("ptyq.sh");
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(DaemonProcess.jvmFlags().split(" ")));
        command.add("-Dpty4j.tmpdir=" + System.getProperty("java.io.tmpdir"));
        command.add("-Djna.tmpdir=" + System.getProperty("java.io.tmpdir"));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("io.ptyq.codec.cli.Ptyq");
        final StringBuilder script = new StringBuilder("exec");
        for (final String word : command)
        {
            script.append(' ').append(quote(word));
        }
        Files.writeString(launcher, script.append(" \"$@\"\n").toString());
    }

    /**
     * @return a shell word that runs ptyq.
     */
    String ptyq()
    {
        return "sh " + quote(launcher.toString());
    }

    /**
     * Run a shell command line in a new terminal and wait for it.
     *
     * @return its exit code and what the terminal showed.
     */
    Result run(final String commandLine, final Map<String, String> env) throws Exception
    {
        final Path typescript = Files.createTempFile(dir, "typescript-", ".txt");
        final ProcessBuilder builder = new ProcessBuilder(
            "script", "-q", "-e", "-f", "-c", "stty cols 100 rows 30; " + commandLine, typescript.toString())
            .redirectInput(ProcessBuilder.Redirect.PIPE)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("script.out").toFile());
        builder.environment().put("TERM", "xterm");
        builder.environment().putAll(env);
        final Process process = builder.start();
        if (!process.waitFor(120, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new AssertionError("'" + commandLine + "' did not finish in a terminal within 120 s: " +
                Files.readString(typescript, StandardCharsets.ISO_8859_1));
        }

        return new Result(process.exitValue(), Files.readString(typescript, StandardCharsets.UTF_8));
    }

    static void assumeCommands(final String... commands) throws Exception
    {
        for (final String command : commands)
        {
            final Process process = new ProcessBuilder("sh", "-c", "command -v " + command).start();
            assumeTrue(process.waitFor(10, TimeUnit.SECONDS) && 0 == process.exitValue(),
                command + " is not installed (.ci/run installs it)");
        }
    }

    static String quote(final Object word)
    {
        return "'" + word.toString().replace("'", "'\\''") + "'";
    }

    /**
     * A finished command line: its exit code and the terminal's bytes.
     */
    record Result(int exitCode, String screen)
    {
    }
}
