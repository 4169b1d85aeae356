package io.ptyq.codec.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * The {@code --journal DIR} option every command shares (a picocli mixin).
 */
public final class JournalOption
{
    @Option(names = "--journal", paramLabel = "DIR",
        description = "Journal directory (default: $PTYQ_HOME, else $XDG_STATE_HOME/ptyq, else ~/.local/state/ptyq).")
    private Path journal;

    /**
     * @return the journal directory, resolved but not checked.
     */
    public Path resolve()
    {
        return JournalLocation.resolve(journal);
    }

    /**
     * @return the journal directory, which must exist and be readable.
     */
    public Path existing()
    {
        return JournalLocation.existing(journal);
    }
}
