package io.ptyq.bench;

import java.nio.charset.StandardCharsets;

/**
 * Deterministic terminal-like output for the benchmarks: text lines with SGR colour escapes and some multi-byte UTF-8.
 */
final class Payloads
{
    static final long SESSION_ID = 42L;
    static final long FIRST_STREAM_POSITION = 1L << 30;
    static final long TIMESTAMP_NS = 1_760_000_000_123_456_789L;

    private static final byte[] PATTERN = (
        "\u001b[1;32muser@host\u001b[0m:\u001b[1;34m~/src/ptyq\u001b[0m$ ls -l --color=auto\r\n" +
        "-rw-r--r-- 1 user user  4096 Jan  1 12:00 \u001b[01;32mpom.xml\u001b[0m  caf\u00e9 \u2713\r\n")
        .getBytes(StandardCharsets.UTF_8);

    private Payloads()
    {
    }

    /**
     * @param length bytes wanted.
     * @return {@code length} bytes of repeated terminal output.
     */
    static byte[] terminalOutput(final int length)
    {
        final byte[] payload = new byte[length];
        for (int i = 0; i < length; i++)
        {
            payload[i] = PATTERN[i % PATTERN.length];
        }

        return payload;
    }
}
