package io.ptyq.codec.cli;

/**
 * Parses durations written as {@code 90}, {@code 90s}, {@code 1m30s}, {@code 2h}, {@code 7d} or {@code 250ms}.
 */
public final class DurationParser
{
    private DurationParser()
    {
    }

    /**
     * @param text the duration; a bare number is seconds.
     * @return the duration in milliseconds.
     * @throws CliException (usage) if the text is not a duration.
     */
    public static long parseMs(final String text)
    {
        final String value = text.trim();
        if (value.isEmpty())
        {
            throw CliException.usage("empty duration");
        }
        if (value.matches("\\d+(\\.\\d+)?"))
        {
            return Math.round(Double.parseDouble(value) * 1000);
        }
        if (!value.matches("(\\d+(\\.\\d+)?(ms|d|h|m|s))+"))
        {
            throw CliException.usage("bad duration '" + text + "' (use forms like 90, 90s, 1m30s, 2h, 7d, 250ms)");
        }

        long totalMs = 0;
        int i = 0;
        while (i < value.length())
        {
            int j = i;
            while (Character.isDigit(value.charAt(j)) || value.charAt(j) == '.')
            {
                j++;
            }
            final double amount = Double.parseDouble(value.substring(i, j));
            final long unitMs;
            if (value.startsWith("ms", j))
            {
                unitMs = 1;
                j += 2;
            }
            else
            {
                unitMs = switch (value.charAt(j))
                {
                    case 'd' -> 86_400_000L;
                    case 'h' -> 3_600_000L;
                    case 'm' -> 60_000L;
                    default -> 1000L;
                };
                j++;
            }
            totalMs += Math.round(amount * unitMs);
            i = j;
        }

        return totalMs;
    }
}
