package io.ptyq.codec.cli;

/**
 * A terminal size written as {@code COLSxROWS}, e.g. {@code 120x40}.
 *
 * @param cols columns, 1..65535.
 * @param rows rows, 1..65535.
 */
public record TerminalSize(int cols, int rows)
{
    /**
     * @param text the size, e.g. {@code 120x40}.
     * @return the parsed size.
     * @throws CliException (usage) if the text is not a size.
     */
    public static TerminalSize parse(final String text)
    {
        final String[] parts = text.trim().toLowerCase().split("x", -1);
        if (parts.length != 2 || !parts[0].matches("\\d{1,5}") || !parts[1].matches("\\d{1,5}"))
        {
            throw CliException.usage("bad size '" + text + "' (use COLSxROWS, e.g. 120x40)");
        }
        final int cols = Integer.parseInt(parts[0]);
        final int rows = Integer.parseInt(parts[1]);
        if (cols < 1 || cols > 65535 || rows < 1 || rows > 65535)
        {
            throw CliException.usage("bad size '" + text + "' (columns and rows must be 1..65535)");
        }

        return new TerminalSize(cols, rows);
    }

    @Override
    public String toString()
    {
        return cols + "x" + rows;
    }
}
