package io.ptyq.producer.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a command line the way a POSIX shell splits words (blanks, single quotes, double quotes, backslash), for
 * the {@code command} of an imported asciicast file, which is one string.
 */
final class ShellWords
{
    private ShellWords()
    {
    }

    /**
     * @param line a command line.
     * @return its words, or null when the quoting is unbalanced or it uses more of the shell than words.
     */
    static List<String> split(final String line)
    {
        final List<String> words = new ArrayList<>();
        final StringBuilder word = new StringBuilder();
        boolean inWord = false;
        int i = 0;
        while (i < line.length())
        {
            final char c = line.charAt(i++);
            if (' ' == c || '\t' == c)
            {
                if (inWord)
                {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
                continue;
            }
            inWord = true;
            if ('\'' == c)
            {
                final int close = line.indexOf('\'', i);
                if (close < 0)
                {
                    return null;
                }
                word.append(line, i, close);
                i = close + 1;
            }
            else if ('"' == c)
            {
                boolean closed = false;
                while (i < line.length())
                {
                    final char d = line.charAt(i++);
                    if ('"' == d)
                    {
                        closed = true;
                        break;
                    }
                    if ('\\' == d && i < line.length() && "\"\\$`".indexOf(line.charAt(i)) >= 0)
                    {
                        word.append(line.charAt(i++));
                    }
                    else if ('$' == d || '`' == d)
                    {
                        return null;
                    }
                    else
                    {
                        word.append(d);
                    }
                }
                if (!closed)
                {
                    return null;
                }
            }
            else if ('\\' == c)
            {
                if (i == line.length())
                {
                    return null;
                }
                word.append(line.charAt(i++));
            }
            else if ("|&;<>()$`*?[#~\n".indexOf(c) >= 0)
            {
                return null;
            }
            else
            {
                word.append(c);
            }
        }
        if (inWord)
        {
            words.add(word.toString());
        }

        return words.isEmpty() ? null : words;
    }
}
