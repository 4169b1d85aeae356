package io.ptyq.producer.cli;

import io.ptyq.codec.cli.JsonText;
import io.ptyq.codec.control.DaemonProxy;
import io.ptyq.codec.control.StatsCounter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code ptyq stats}: the running daemon's counters, one per line, or as one JSON object.
 */
@Command(name = "stats", mixinStandardHelpOptions = true,
    description = {
        "Show the running daemon's counters: its control endpoint's connections and requests; sessions running, " +
            "started, failed to start and exited, output and input bytes and markers since it started; the " +
            "journal's size, the disk's usable bytes, the free-space floor and whether output is paused for lack " +
            "of space.",
        "A name ending in _bytes or _ms gives the unit."})
final class StatsCommand extends ControlCommand
{
    @Option(names = "--json", description = "Print one JSON object, a key per counter, in the same order.")
    private boolean json;

    @Override
    Consumer<DaemonProxy> prepare()
    {
        return daemon -> print(daemon.stats(), json, System.out);
    }

    static void print(final List<StatsCounter> counters, final boolean json, final PrintStream out)
    {
        final StringBuilder text = new StringBuilder();
        if (json)
        {
            text.append('{');
            for (int i = 0; i < counters.size(); i++)
            {
                final StatsCounter counter = counters.get(i);
                text.append(0 == i ? "" : ", ").append(JsonText.quote(counter.name())).append(": ")
                    .append(counter.value());
            }
            out.println(text.append('}'));
            return;
        }

        int width = 0;
        for (final StatsCounter counter : counters)
        {
            width = Math.max(width, counter.name().length());
        }
        for (final StatsCounter counter : counters)
        {
            text.append(counter.name()).append(" ".repeat(width + 2 - counter.name().length()))
                .append(counter.value()).append('\n');
        }
        out.print(text);
    }
}
