package io.ptyq.consumer.asciicast;

/**
 * Told each event of an asciicast file as {@link AsciicastParser} reads it.
 */
@FunctionalInterface
public interface AsciicastListener
{
    /**
     * @param timeNs time since the start of the recording, never less than the previous event's.
     * @param code   the event's code: {@code o} output, {@code i} input, {@code r} resize ({@code COLSxROWS},
     *               checked), {@code m} marker, {@code x} exit (an integer, checked), or another that the file uses.
     * @param data   the event's data.
     */
    void onEvent(long timeNs, char code, String data);
}
