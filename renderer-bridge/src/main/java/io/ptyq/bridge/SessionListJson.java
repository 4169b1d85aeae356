package io.ptyq.bridge;

import io.ptyq.codec.CommandLine;
import io.ptyq.consumer.SessionRecord;

import java.time.Instant;
import java.util.List;

/**
 * Writes the session list as the JSON array the page reads from {@code /api/sessions}.
 */
final class SessionListJson
{
    private SessionListJson()
    {
    }

    /**
     * @param sessions the sessions.
     * @return one JSON array of objects with keys {@code id, name, state, exitCode, signal, startedAt, endedAt,
     * outputBytes, command, cols, rows, detail}; times are epoch milliseconds, null while running.
     */
    static String write(final List<SessionRecord> sessions)
    {
        final StringBuilder json = new StringBuilder(64 + sessions.size() * 256).append('[');
        for (int i = 0; i < sessions.size(); i++)
        {
            final SessionRecord session = sessions.get(i);
            if (i > 0)
            {
                json.append(',');
            }
            json.append("{\"id\":").append(session.sessionId())
                .append(",\"name\":");
            string(json, session.name());
            json.append(",\"state\":\"").append(session.state().label()).append('"')
                .append(",\"exitCode\":").append(session.exitCode())
                .append(",\"signal\":").append(session.signal())
                .append(",\"startedAt\":").append(epochMs(session.startedAt()))
                .append(",\"endedAt\":").append(epochMs(session.endedAt()))
                .append(",\"outputBytes\":").append(session.outputBytes())
                .append(",\"command\":");
            string(json, CommandLine.display(CommandLine.join(session.argv())));
            json.append(",\"cols\":").append(session.cols())
                .append(",\"rows\":").append(session.rows())
                .append(",\"detail\":");
            string(json, session.detail());
            json.append('}');
        }

        return json.append(']').toString();
    }

    private static String epochMs(final Instant instant)
    {
        return null == instant ? "null" : Long.toString(instant.toEpochMilli());
    }

    /**
     * Append a JSON string literal; every control character and anything that could end a script block is escaped.
     */
    static void string(final StringBuilder json, final String value)
    {
        json.append('"');
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            switch (c)
            {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default ->
                {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x2028 || c == 0x2029 ||
                        Character.isSurrogate(c) && !validSurrogate(value, i))
                    {
                        json.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }

    private static boolean validSurrogate(final String value, final int i)
    {
        final char c = value.charAt(i);
        if (Character.isHighSurrogate(c))
        {
            return i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1));
        }

        return i > 0 && Character.isHighSurrogate(value.charAt(i - 1));
    }
}
