package io.ptyq.consumer.cli;

import io.ptyq.codec.CommandLine;
import io.ptyq.codec.cli.CliException;
import io.ptyq.codec.cli.JournalOption;
import io.ptyq.codec.cli.JsonText;
import io.ptyq.consumer.DaemonStatus;
import io.ptyq.consumer.SessionCatalog;
import io.ptyq.consumer.SessionRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * {@code ptyq ls}: the journal's sessions, with or without a running daemon.
 */
@Command(name = "ls", mixinStandardHelpOptions = true,
    description = "List the journal's sessions: id, name, state (running|exited|abandoned), exit code, start, " +
        "end, output bytes, command.")
final class LsCommand implements Runnable
{
    private static final DateTimeFormatter LOCAL_TIME =
        DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    @Mixin
    private JournalOption journal;

    @Option(names = "--json", description = "Print one JSON array of objects with keys id, name, state, exitCode, " +
        "startedAt, endedAt, outputBytes, command (ISO-8601 times; exitCode and endedAt null while running).")
    private boolean json;

    @Override
    public void run()
    {
        final Path dir = journal.existing();
        final SessionCatalog catalog = SessionCatalog.load(dir);
        final List<SessionRecord> sessions = catalog.sessions(DaemonStatus.isDaemonAlive(dir));
        if (catalog.invalidFrames() > 0 && null == catalog.damage())
        {
            System.err.println("ptyq: skipped " + catalog.invalidFrames() + " invalid frame(s) in " + dir +
                ", first at " + catalog.firstInvalid());
        }
        if (json)
        {
            printJson(System.out, sessions);
        }
        else
        {
            printTable(System.out, sessions);
        }
        if (null != catalog.damage())
        {
            System.out.flush();
            throw CliException.runtime(catalog.damage() + " (listed what was readable)");
        }
    }

    private static void printTable(final PrintStream out, final List<SessionRecord> sessions)
    {
        out.printf("%-5s %-16s %-9s %-5s %-19s %-19s %12s  %s%n",
            "ID", "NAME", "STATE", "EXIT", "STARTED", "ENDED", "BYTES", "COMMAND");
        for (final SessionRecord s : sessions)
        {
            out.printf("%-5d %-16s %-9s %-5s %-19s %-19s %12d  %s%n",
                s.sessionId(), s.name().isEmpty() ? "-" : s.name(), s.state().label(),
                null == s.exitCode() ? "-" : s.exitCode().toString(),
                LOCAL_TIME.format(s.startedAt()), null == s.endedAt() ? "-" : LOCAL_TIME.format(s.endedAt()),
                s.outputBytes(), CommandLine.display(CommandLine.join(s.argv())));
        }
    }

    static void printJson(final PrintStream out, final List<SessionRecord> sessions)
    {
        final StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < sessions.size(); i++)
        {
            final SessionRecord s = sessions.get(i);
            json.append(i == 0 ? "\n  {" : ",\n  {")
                .append("\"id\": ").append(s.sessionId())
                .append(", \"name\": ").append(JsonText.quote(s.name()))
                .append(", \"state\": ").append(JsonText.quote(s.state().label()))
                .append(", \"exitCode\": ").append(null == s.exitCode() ? "null" : s.exitCode().toString())
                .append(", \"startedAt\": ").append(time(s.startedAt()))
                .append(", \"endedAt\": ").append(time(s.endedAt()))
                .append(", \"outputBytes\": ").append(s.outputBytes())
                .append(", \"command\": ").append(JsonText.quote(CommandLine.display(CommandLine.join(s.argv()))))
                .append('}');
        }
        json.append(sessions.isEmpty() ? "]" : "\n]");
        out.println(json);
    }

    private static String time(final Instant instant)
    {
        return null == instant ? "null" : JsonText.quote(DateTimeFormatter.ISO_INSTANT.format(instant));
    }
}
