package io.ptyq.bench;

import java.io.PrintStream;

/**
 * Runs of consecutive samples above a threshold (stalls), kept in preallocated arrays so that recording allocates
 * nothing: when each started (the first sample's event time), how many samples and the worst one.
 */
final class StallLog
{
    private final long thresholdNs;
    private final long[] startNs;
    private final long[] worstNs;
    private final int[] samples;
    private long firstEventNs = Long.MIN_VALUE;
    private int count;
    private boolean inStall;
    private boolean keeping;
    private long dropped;

    StallLog(final long thresholdNs, final int capacity)
    {
        this.thresholdNs = thresholdNs;
        this.startNs = new long[capacity];
        this.worstNs = new long[capacity];
        this.samples = new int[capacity];
    }

    /**
     * @param eventNs   when the sample's event happened (nanoTime), to place the stall in the run.
     * @param latencyNs the sample.
     */
    void record(final long eventNs, final long latencyNs)
    {
        if (Long.MIN_VALUE == firstEventNs)
        {
            firstEventNs = eventNs;
        }
        if (latencyNs <= thresholdNs)
        {
            inStall = false;
            return;
        }
        if (!inStall)
        {
            inStall = true;
            keeping = count < startNs.length;
            if (keeping)
            {
                startNs[count++] = eventNs;
            }
            else
            {
                dropped++;
            }
        }
        if (!keeping)
        {
            return;
        }
        final int i = count - 1;
        samples[i]++;
        worstNs[i] = Math.max(worstNs[i], latencyNs);
    }

    void print(final PrintStream out)
    {
        long stalledSamples = 0;
        for (int i = 0; i < count; i++)
        {
            stalledSamples += samples[i];
        }
        out.printf("stalls over %.1f ms: %d (%d samples)%s%n", thresholdNs / 1e6, count, stalledSamples,
            dropped > 0 ? ", " + dropped + " more not kept" : "");
        for (int i = 0; i < count; i++)
        {
            out.printf("  at %9.3f s: %6d samples, worst %8.3f ms%n", (startNs[i] - firstEventNs) / 1e9, samples[i],
                worstNs[i] / 1e6);
        }
    }
}
