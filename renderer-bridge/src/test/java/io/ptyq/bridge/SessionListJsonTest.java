package io.ptyq.bridge;

import io.ptyq.consumer.SessionRecord;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SessionListJsonTest
{
    @Test
    void shouldWriteEveryFieldAndEscapeText()
    {
        final SessionRecord running = new SessionRecord(3, "we\"ird\n<name>", SessionRecord.State.RUNNING, null, 0,
            Instant.ofEpochMilli(1_000), null, 42, List.of("sh", "-c", "echo 'a b'"), 120, 40, "");
        final SessionRecord exited = new SessionRecord(4, "", SessionRecord.State.EXITED, 137, 9,
            Instant.ofEpochMilli(2_000), Instant.ofEpochMilli(5_500), 0, List.of("yes"), 80, 24, "killed\u0001");

        assertEquals("[{\"id\":3,\"name\":\"we\\\"ird\\n\\u003cname\\u003e\",\"state\":\"running\",\"exitCode\":null," +
            "\"signal\":0,\"startedAt\":1000,\"endedAt\":null,\"outputBytes\":42,\"command\":\"sh -c 'echo '\\\\''a b" +
            "'\\\\'''\",\"cols\":120,\"rows\":40,\"detail\":\"\"}," +
            "{\"id\":4,\"name\":\"\",\"state\":\"exited\",\"exitCode\":137,\"signal\":9,\"startedAt\":2000," +
            "\"endedAt\":5500,\"outputBytes\":0,\"command\":\"yes\",\"cols\":80,\"rows\":24," +
            "\"detail\":\"killed\\u0001\"}]",
            SessionListJson.write(List.of(running, exited)));
        assertEquals("[]", SessionListJson.write(List.of()));
    }
}
