package io.ptyq.bench;

/**
 * The Output event as the JSON baseline carries it: the PTY bytes base64-encoded into a string field, which is what
 * ptyq's binary frame replaces.
 */
final class OutputEvent
{
    public String type;
    public long sessionId;
    public long streamPosition;
    public long timestampNs;
    public String data;
}
