package io.ptyq.producer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How the repairs read Chronicle's document headers: the torn-document walk and the cycle-header check.
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

    @Test
    void shouldTellACycleHeaderFromGarbage(@TempDir final Path dir) throws Exception
    {
        final Path real = dir.resolve("real.cq4");
        final byte[] header = new byte[64];
        final ByteBuffer start = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        start.putInt(0, META_DATA | 193);
        System.arraycopy("\u00b9\u0006header\u00b6\bSCQStore".getBytes(StandardCharsets.ISO_8859_1), 0, header, 4, 18);
        Files.write(real, header);
        assertTrue(JournalSalvage.hasCycleHeader(real));

        final Path never = dir.resolve("never.cq4");
        Files.write(never, new byte[4096]);
        assertTrue(JournalSalvage.hasCycleHeader(never), "zeros: a header never written, left to Chronicle");

        final Path garbage = dir.resolve("garbage.cq4");
        final byte[] random = new byte[4096];
        new Random(7).nextBytes(random);
        random[3] = 0x00; // not a metadata header
        Files.write(garbage, random);
        assertFalse(JournalSalvage.hasCycleHeader(garbage));

        final Path unfinished = dir.resolve("unfinished.cq4");
        start.putInt(0, NOT_COMPLETE | META_DATA | 193);
        Files.write(unfinished, header);
        assertFalse(JournalSalvage.hasCycleHeader(unfinished));

        final Path otherMeta = dir.resolve("other.cq4");
        start.putInt(0, META_DATA | 20);
        Arrays.fill(header, 4, 64, (byte)'x');
        Files.write(otherMeta, header);
        assertFalse(JournalSalvage.hasCycleHeader(otherMeta), "a metadata document that is not the store header");
    }

    private static ByteBuffer file(final int length)
    {
        return ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    }
}
