package io.ptyq.consumer.asciicast;

import java.util.Locale;

/**
 * What {@code ptyq export} writes.
 */
public enum AsciicastFormat
{
    /**
     * asciicast v2: a JSON header line, then one JSON array per event with its time since the start.
     */
    ASCIICAST_V2("asciicast-v2"),

    /**
     * asciicast v3: a JSON header line, then one JSON array per event with its time since the previous event; the
     * exit status is an {@code x} event.
     */
    ASCIICAST_V3("asciicast-v3"),

    /**
     * The output bytes exactly as the PTY produced them, with no timing.
     */
    RAW("raw");

    private final String label;

    AsciicastFormat(final String label)
    {
        this.label = label;
    }

    /**
     * @return the name on the command line.
     */
    public String label()
    {
        return label;
    }

    /**
     * @param label a name as on the command line, case-insensitive.
     * @return the format, or null if none has that name.
     */
    public static AsciicastFormat fromLabel(final String label)
    {
        final String wanted = label.toLowerCase(Locale.ROOT);
        for (final AsciicastFormat format : values())
        {
            if (format.label.equals(wanted))
            {
                return format;
            }
        }

        return null;
    }
}
