package io.ptyq.bench;

import io.ptyq.consumer.JournalAdapter;
import io.ptyq.consumer.JournalAgent;
import org.agrona.concurrent.IdleStrategy;

/**
 * The idle strategy of the fan-out harnesses' consumers: ptyq's default for an adapter, which parks longer in a
 * flood, or with {@code -Dptyq.bench.flood=off} (passed on to the consumer JVMs) the default without the flood test,
 * as it was before session 5, for an A/B run.
 */
final class BenchIdle
{
    static final String FLOOD_PROPERTY = "ptyq.bench.flood";

    private BenchIdle()
    {
    }

    static IdleStrategy consumerDefault(final JournalAdapter adapter)
    {
        return "off".equals(System.getProperty(FLOOD_PROPERTY)) ?
            JournalAgent.defaultIdleStrategy() : JournalAgent.defaultIdleStrategy(adapter);
    }
}
