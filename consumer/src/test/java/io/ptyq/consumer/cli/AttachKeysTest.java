package io.ptyq.consumer.cli;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Which keystroke detaches.
 */
class AttachKeysTest
{
    @Test
    void shouldFindTheDetachKey()
    {
        final byte[] keys = "ab\003c\035d".getBytes(StandardCharsets.US_ASCII);

        assertEquals(4, AttachKeys.detachIndex(keys, keys.length, false), "Ctrl-] detaches");
        assertEquals(2, AttachKeys.detachIndex(keys, keys.length, true), "read-only: Ctrl-C detaches too");
        assertEquals(-1, AttachKeys.detachIndex(keys, 4, false), "only the bytes read count");
    }
}
