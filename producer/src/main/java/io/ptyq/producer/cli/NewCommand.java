package io.ptyq.producer.cli;

import io.ptyq.codec.cli.CliException;
import io.ptyq.codec.cli.TerminalSize;
import io.ptyq.codec.control.DaemonProxy;
import io.ptyq.codec.control.SessionSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code ptyq new}: starts a session in the daemon and prints its id.
 */
@Command(name = "new", mixinStandardHelpOptions = true,
    description = "Start a session in the daemon and print its id.")
final class NewCommand extends ControlCommand
{
    @Option(names = "--name", paramLabel = "N", description = "Name the session (unique among running sessions).")
    private String name = "";

    @Option(names = "--size", paramLabel = "COLSxROWS", defaultValue = "80x24",
        description = "Initial terminal size (default: ${DEFAULT-VALUE}).")
    private String size;

    @Option(names = "--cwd", paramLabel = "DIR", description = "Working directory (default: this one).")
    private Path cwd;

    @Option(names = "--env", paramLabel = "K=V", description = "Set an environment variable; repeatable.")
    private List<String> env = List.of();

    @Parameters(paramLabel = "CMD", arity = "1..*", description = "The command and its arguments, after --.")
    private List<String> command;

    @Override
    Consumer<DaemonProxy> prepare()
    {
        final TerminalSize terminalSize = TerminalSize.parse(size);
        final Path dir = (null == cwd ? Path.of("") : cwd).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir))
        {
            throw CliException.usage("--cwd " + dir + " is not a directory");
        }
        final Map<String, String> overrides = new LinkedHashMap<>();
        for (final String pair : env)
        {
            final int eq = pair.indexOf('=');
            if (eq <= 0)
            {
                throw CliException.usage("bad --env '" + pair + "' (use K=V)");
            }
            overrides.put(pair.substring(0, eq), pair.substring(eq + 1));
        }

        final SessionSpec spec = new SessionSpec(
            name, command, dir.toString(), overrides, terminalSize.cols(), terminalSize.rows());
        return daemon -> System.out.println(daemon.newSession(spec));
    }
}
