package io.ptyq.bench;

/**
 * The Output event with a {@code byte[]} field, which Jackson itself writes and reads as a base64 string: the same
 * JSON text as {@link OutputEvent} without the intermediate {@code String}.
 */
final class BinaryOutputEvent
{
    public String type;
    public long sessionId;
    public long streamPosition;
    public long timestampNs;
    public byte[] data;
}
