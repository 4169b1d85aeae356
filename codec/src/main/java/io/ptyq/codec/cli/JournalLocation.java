package io.ptyq.codec.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the journal lives: {@code --journal DIR}, else {@code $PTYQ_HOME}, else {@code $XDG_STATE_HOME/ptyq},
 * else {@code ~/.local/state/ptyq}.
 */
public final class JournalLocation
{
    private JournalLocation()
    {
    }

    /**
     * @param explicit the {@code --journal} option, or null.
     * @return the journal directory to use (not checked).
     */
    public static Path resolve(final Path explicit)
    {
        return resolve(explicit, System.getenv(), System.getProperty("user.home"));
    }

    static Path resolve(final Path explicit, final Map<String, String> env, final String home)
    {
        if (null != explicit)
        {
            return explicit.toAbsolutePath();
        }
        final String ptyqHome = env.get("PTYQ_HOME");
        if (null != ptyqHome && !ptyqHome.isEmpty())
        {
            return Path.of(ptyqHome).toAbsolutePath();
        }
        final String stateHome = env.get("XDG_STATE_HOME");
        if (null != stateHome && !stateHome.isEmpty())
        {
            return Path.of(stateHome, "ptyq").toAbsolutePath();
        }

        return Path.of(home, ".local", "state", "ptyq");
    }

    /**
     * Resolve and check a journal directory that must already exist and be readable, as readers need.
     *
     * @param explicit the {@code --journal} option, or null.
     * @return the journal directory.
     * @throws CliException if it is missing, not a directory or unreadable.
     */
    public static Path existing(final Path explicit)
    {
        final Path dir = resolve(explicit);
        if (!Files.exists(dir))
        {
            throw CliException.runtime("no journal at " + dir + " (start one with 'ptyq daemon')");
        }
        if (!Files.isDirectory(dir))
        {
            throw CliException.runtime("journal path " + dir + " is not a directory");
        }
        if (!Files.isReadable(dir) || !Files.isExecutable(dir))
        {
            throw CliException.runtime("journal directory " + dir + " is not readable");
        }

        return dir;
    }
}
