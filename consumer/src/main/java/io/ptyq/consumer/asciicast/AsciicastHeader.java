package io.ptyq.consumer.asciicast;

/**
 * What an asciicast file says about its recording, and what parsing it found.
 *
 * @param version      1, 2 or 3.
 * @param cols         the terminal's initial width.
 * @param rows         the terminal's initial height.
 * @param timestampSec when the recording started, seconds since the epoch, or -1 if the file does not say.
 * @param command      the recorded command, may be empty.
 * @param title        the title, may be empty.
 * @param events       events read (of every code).
 * @param durationNs   time of the last event since the start.
 * @param exitStatus   the v3 {@code x} event's status, or null when there is none.
 */
public record AsciicastHeader(
    int version,
    int cols,
    int rows,
    long timestampSec,
    String command,
    String title,
    long events,
    long durationNs,
    Integer exitStatus)
{
}
