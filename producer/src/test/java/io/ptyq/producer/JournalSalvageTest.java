package io.ptyq.producer;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * How the torn-document check walks Chronicle's document headers.
 */
class JournalSalvageTest
{
    private static final int META_DATA = 0x4000_0000;
    private static final int NOT_COMPLETE = 0x8000_0000;

    @Test
    void shouldFindNothingInWholeDocumentsFollowedByZeros()
    {
        final ByteBuffer file = file(64);
        file.putInt(0, META_DATA | 8);   // 0..12, next at 12
        file.putInt(12, 5);              // 12..21, next at 24
        file.putInt(24, 4);              // 24..32
        assertEquals(-1, JournalSalvage.tornDocumentPosition(file));
    }

    @Test
    void shouldFindTheDocumentThatRunsPastTheEnd()
    {
        final ByteBuffer file = file(30);
        file.putInt(0, META_DATA | 8);
        file.putInt(12, 5);
        file.putInt(24, 40);
        assertEquals(24, JournalSalvage.tornDocumentPosition(file));
    }

    @Test
    void shouldFindAHeaderCutInTwo()
    {
        final ByteBuffer file = file(26);
        file.putInt(0, META_DATA | 8);
        file.putInt(12, 5);
        file.put(24, (byte)7);
        assertEquals(24, JournalSalvage.tornDocumentPosition(file));
    }

    @Test
    void shouldLeaveAnUnfinishedDocumentToTheWriterRecovery()
    {
        final ByteBuffer file = file(20);
        file.putInt(0, META_DATA | 8);
        file.putInt(12, NOT_COMPLETE | 400);
        assertEquals(-1, JournalSalvage.tornDocumentPosition(file));
    }

    @Test
    void shouldAcceptADocumentEndingExactlyAtTheEnd()
    {
        final ByteBuffer file = file(24);
        file.putInt(0, META_DATA | 8);
        file.putInt(12, 8);
        assertEquals(-1, JournalSalvage.tornDocumentPosition(file));
    }

    private static ByteBuffer file(final int length)
    {
        return ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    }
}
