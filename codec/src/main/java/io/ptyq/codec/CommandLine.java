package io.ptyq.codec;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code command} field of SessionStarted: an argv stored as arguments each followed by a NUL byte, which no
 * Unix argument can contain.
 */
public final class CommandLine
{
    private CommandLine()
    {
    }

    /**
     * @param argv the arguments, the program first.
     * @return the arguments joined, each followed by NUL.
     */
    public static String join(final List<String> argv)
    {
        final StringBuilder builder = new StringBuilder();
        for (final String arg : argv)
        {
            if (arg.indexOf('\0') >= 0)
            {
                throw new IllegalArgumentException("an argument contains a NUL byte");
            }
            builder.append(arg).append('\0');
        }

        return builder.toString();
    }

    /**
     * @param command a joined command field.
     * @return the arguments it holds.
     */
    public static List<String> split(final String command)
    {
        final List<String> argv = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < command.length(); i++)
        {
            if (command.charAt(i) == '\0')
            {
                argv.add(command.substring(start, i));
                start = i + 1;
            }
        }
        if (start < command.length())
        {
            argv.add(command.substring(start));
        }

        return argv;
    }

    /**
     * @param command a joined command field.
     * @return the arguments as a shell would show them: plain words bare, others single-quoted.
     */
    public static String display(final String command)
    {
        final StringBuilder builder = new StringBuilder();
        for (final String arg : split(command))
        {
            if (builder.length() > 0)
            {
                builder.append(' ');
            }
            if (!arg.isEmpty() && arg.matches("[A-Za-z0-9_@%+=:,./-]+"))
            {
                builder.append(arg);
            }
            else
            {
                builder.append('\'').append(arg.replace("'", "'\\''")).append('\'');
            }
        }

        return builder.toString();
    }
}
