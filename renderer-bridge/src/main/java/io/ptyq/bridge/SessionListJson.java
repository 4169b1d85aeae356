package io.ptyq.bridge;

import io.ptyq.codec.CommandLine;
import io.ptyq.codec.cli.JsonText;
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
            JsonText.append(json, session.name(), true);
            json.append(",\"state\":\"").append(session.state().label()).append('"')
                .append(",\"exitCode\":").append(session.exitCode())
                .append(",\"signal\":").append(session.signal())
                .append(",\"startedAt\":").append(epochMs(session.startedAt()))
                .append(",\"endedAt\":").append(epochMs(session.endedAt()))
                .append(",\"outputBytes\":").append(session.outputBytes())
                .append(",\"command\":");
            JsonText.append(json, CommandLine.display(CommandLine.join(session.argv())), true);
            json.append(",\"cols\":").append(session.cols())
                .append(",\"rows\":").append(session.rows())
                .append(",\"detail\":");
            JsonText.append(json, session.detail(), true);
            json.append('}');
        }

        return json.append(']').toString();
    }

    private static String epochMs(final Instant instant)
    {
        return null == instant ? "null" : Long.toString(instant.toEpochMilli());
    }
}
