package io.ptyq.bridge;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SendRingTest
{
    @Test
    void shouldHandOutMessagesInPlaceAndFreeThemInOrder()
    {
        final SendRing ring = new SendRing(1024, 4);
        final int first = ring.open(100);
        ring.buffer().putByte(first, (byte)7);
        final ByteBuffer message = ring.close(60);
        assertEquals(60, message.remaining());
        assertEquals(7, message.get(message.position()));
        assertEquals(1024 - 60, ring.freeBytes());
        assertEquals(3, ring.freeSlots());
        assertFalse(ring.isIdle());

        ring.succeed();
        assertEquals(1024, ring.freeBytes());
        assertTrue(ring.isIdle());
    }

    @Test
    void shouldWrapRatherThanSplitAMessage()
    {
        final SendRing ring = new SendRing(1000, 8);
        ring.open(600);
        ring.close(600);
        ring.succeed();
        // 400 bytes left before the end: a 500-byte message starts at 0 and the 400 are skipped.
        final int offset = ring.open(500);
        assertEquals(0, offset);
        ring.close(500);
        assertEquals(1000 - 400 - 500, ring.freeBytes());
        ring.succeed();
        assertEquals(1000, ring.freeBytes());
    }

    @Test
    void shouldRefuseWhenFullOfUnfinishedMessages()
    {
        final SendRing ring = new SendRing(1000, 2);
        ring.open(400);
        ring.close(400);
        ring.open(400);
        ring.close(400);
        assertEquals(-1, ring.open(10), "no slot");
        ring.succeed();
        assertEquals(-1, ring.open(700), "no room: 600 would be free only with the second done");
        assertTrue(ring.open(100) >= 0);
        assertThrows(IllegalStateException.class, () -> ring.open(10), "one open message at a time");
        assertThrows(IllegalStateException.class, () -> ring.close(101), "longer than reserved");
    }

    @Test
    void shouldRecordAFailedSendAndStillFreeIt()
    {
        final SendRing ring = new SendRing(100, 2);
        ring.open(50);
        ring.close(50);
        ring.fail(new java.io.IOException("closed"));
        assertEquals("closed", ring.failure().getMessage());
        assertEquals(100, ring.freeBytes());
    }
}
