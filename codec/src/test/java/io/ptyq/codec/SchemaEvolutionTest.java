package io.ptyq.codec;

import io.ptyq.codec.sbe.v2.MarkerDecoder;
import io.ptyq.codec.sbe.v2.MarkerEncoder;
import io.ptyq.codec.sbe.v2.MessageHeaderDecoder;
import io.ptyq.codec.sbe.v2.MessageHeaderEncoder;
import io.ptyq.codec.sbe.v2.OutputDecoder;
import io.ptyq.codec.sbe.v2.OutputEncoder;
import io.ptyq.codec.sbe.v2.ResizedEncoder;
import io.ptyq.codec.sbe.v2.SessionStartedDecoder;
import io.ptyq.codec.sbe.v2.SnapshotEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;

import static io.ptyq.codec.FrameDescriptor.HEADER_LENGTH;
import static io.ptyq.codec.TestFrames.NON_ASCII;
import static io.ptyq.codec.TestFrames.bytesAt;
import static io.ptyq.codec.TestFrames.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Readers and writers one schema version apart: our version 1 {@link FrameDecoder} against frames of the test-only
 * version 2 schema ({@code io.ptyq.codec.sbe.v2}), and version 2 decoders against frames of {@link FrameEncoder}.
 */
class SchemaEvolutionTest
{
    private static final int OFFSET = 7;
    private static final int V2 = MessageHeaderEncoder.SCHEMA_VERSION;

    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
    private final MessageHeaderEncoder v2HeaderEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder v2HeaderDecoder = new MessageHeaderDecoder();
    private final FrameDecoder decoder = new FrameDecoder();
    private final FrameEncoder encoder = new FrameEncoder();

    @Test
    void shouldBeOneVersionApart()
    {
        assertEquals(FrameDecoder.SCHEMA_ID, MessageHeaderEncoder.SCHEMA_ID);
        assertEquals(FrameDecoder.SCHEMA_VERSION + 1, V2);
        assertEquals(io.ptyq.codec.sbe.OutputDecoder.BLOCK_LENGTH + 1, OutputDecoder.BLOCK_LENGTH);
    }

    @Test
    void shouldReadNewerOutputWithFlags()
    {
        final byte[] data = utf8("\u001b[?2004h" + NON_ASCII + "\r\n");
        final OutputEncoder v2Output = new OutputEncoder().wrapAndApplyHeader(buffer, OFFSET, v2HeaderEncoder)
            .sessionId(3)
            .streamPosition(Long.MAX_VALUE)
            .timestampNs(Long.MIN_VALUE)
            .flags((short)0x81)
            .putData(data, 0, data.length);
        final int length = HEADER_LENGTH + v2Output.encodedLength();

        assertEquals(io.ptyq.codec.sbe.OutputDecoder.TEMPLATE_ID, decoder.wrap(buffer, OFFSET, length));
        assertTrue(decoder.isKnownTemplate());
        assertEquals(V2, decoder.version());
        // flags lives in the fixed block, so a version 1 reader still covers the whole frame.
        assertEquals(length, decoder.frameLength());
        assertEquals(3, decoder.output().sessionId());
        assertEquals(Long.MAX_VALUE, decoder.output().streamPosition());
        assertEquals(Long.MIN_VALUE, decoder.output().timestampNs());
        assertEquals(OFFSET + HEADER_LENGTH + OutputDecoder.BLOCK_LENGTH + OutputDecoder.dataHeaderLength(),
            decoder.dataOffset());
        assertArrayEquals(data, bytesAt(buffer, decoder.dataOffset(), decoder.dataLength()));
        final byte[] copied = new byte[decoder.output().dataLength()];
        decoder.output().getData(copied, 0, copied.length);
        assertArrayEquals(data, copied);
        assertEquals(OFFSET + length, decoder.output().limit());
    }

    @Test
    void shouldReadNewerMarkerWithNote()
    {
        final MarkerEncoder v2Marker = new MarkerEncoder().wrapAndApplyHeader(buffer, OFFSET, v2HeaderEncoder)
            .sessionId(4)
            .timestampNs(5)
            .label(NON_ASCII)
            .note("a note only version 2 knows");
        final int length = HEADER_LENGTH + v2Marker.encodedLength();

        assertEquals(io.ptyq.codec.sbe.MarkerDecoder.TEMPLATE_ID, decoder.wrap(buffer, OFFSET, length));
        assertTrue(decoder.isKnownTemplate());
        assertEquals(V2, decoder.version());
        final int v1Length = HEADER_LENGTH + MarkerDecoder.BLOCK_LENGTH + MarkerDecoder.labelHeaderLength() +
            utf8(NON_ASCII).length;
        assertEquals(v1Length, decoder.frameLength());
        assertTrue(decoder.frameLength() < length);
        assertEquals(4, decoder.marker().sessionId());
        assertEquals(5, decoder.marker().timestampNs());
        assertEquals(NON_ASCII, decoder.marker().label());
        assertEquals(OFFSET + v1Length, decoder.marker().limit());
    }

    @Test
    void shouldReadNewerFramesOfUnchangedMessages()
    {
        final int resizedLength = HEADER_LENGTH + new ResizedEncoder()
            .wrapAndApplyHeader(buffer, OFFSET, v2HeaderEncoder)
            .sessionId(6)
            .timestampNs(7)
            .cols(65535)
            .rows(0)
            .encodedLength();

        assertEquals(io.ptyq.codec.sbe.ResizedDecoder.TEMPLATE_ID, decoder.wrap(buffer, OFFSET, resizedLength));
        assertEquals(V2, decoder.version());
        assertEquals(resizedLength, decoder.frameLength());
        assertEquals(6, decoder.resized().sessionId());
        assertEquals(65535, decoder.resized().cols());
        assertEquals(0, decoder.resized().rows());
    }

    @Test
    void shouldReportSnapshotAsUnknownTemplateAndGoOn()
    {
        final byte[] screen = utf8("\u001b[H\u001b[2J$ ");
        final int snapshotLength = HEADER_LENGTH + new SnapshotEncoder()
            .wrapAndApplyHeader(buffer, OFFSET, v2HeaderEncoder)
            .sessionId(8)
            .putScreen(screen, 0, screen.length)
            .encodedLength();
        final int markerOffset = OFFSET + snapshotLength;
        final int markerLength = encoder.encodeMarker(buffer, markerOffset, 8, 9, "after the snapshot");

        assertEquals(SnapshotEncoder.TEMPLATE_ID, decoder.wrap(buffer, OFFSET, snapshotLength));
        assertFalse(decoder.isKnownTemplate());
        assertEquals(V2, decoder.version());
        // An unknown template's var fields are unknown too: only the header and block are counted.
        assertEquals(HEADER_LENGTH + SnapshotEncoder.BLOCK_LENGTH, decoder.frameLength());
        assertEquals("template 7", FrameDecoder.templateName(SnapshotEncoder.TEMPLATE_ID));

        assertEquals(io.ptyq.codec.sbe.MarkerDecoder.TEMPLATE_ID, decoder.wrap(buffer, markerOffset, markerLength));
        assertTrue(decoder.isKnownTemplate());
        assertEquals("after the snapshot", decoder.marker().label());
    }

    @Test
    void shouldReadOlderOutputWithFlagsNull()
    {
        final byte[] data = utf8("older writer " + NON_ASCII);
        final int length = encoder.encodeOutput(buffer, OFFSET, 10, 11, 12, data, 0, data.length);
        final OutputDecoder v2Output = new OutputDecoder();

        wrapV2Header(OutputDecoder.TEMPLATE_ID);
        assertEquals(io.ptyq.codec.sbe.OutputDecoder.BLOCK_LENGTH, v2HeaderDecoder.blockLength());
        v2Output.wrap(buffer, OFFSET + HEADER_LENGTH, v2HeaderDecoder.blockLength(), v2HeaderDecoder.version());

        assertEquals(10, v2Output.sessionId());
        assertEquals(11, v2Output.streamPosition());
        assertEquals(12, v2Output.timestampNs());
        assertEquals(OutputDecoder.flagsNullValue(), v2Output.flags());
        final byte[] copied = new byte[v2Output.dataLength()];
        v2Output.getData(copied, 0, copied.length);
        assertArrayEquals(data, copied);
        assertEquals(OFFSET + length, v2Output.limit());
    }

    @Test
    void shouldReadOlderMarkerWithEmptyNote()
    {
        final int length = encoder.encodeMarker(buffer, OFFSET, 13, 14, NON_ASCII);
        final MarkerDecoder v2Marker = new MarkerDecoder();

        wrapV2Header(MarkerDecoder.TEMPLATE_ID);
        v2Marker.wrap(buffer, OFFSET + HEADER_LENGTH, v2HeaderDecoder.blockLength(), v2HeaderDecoder.version());

        assertEquals(13, v2Marker.sessionId());
        assertEquals(14, v2Marker.timestampNs());
        assertEquals(NON_ASCII, v2Marker.label());
        assertEquals(0, v2Marker.noteLength());
        assertEquals("", v2Marker.note());
        // The absent note takes no bytes: the reader stops at the end of the version 1 frame.
        assertEquals(OFFSET + length, v2Marker.limit());
    }

    @Test
    void shouldReadOlderSessionStarted()
    {
        final String command = CommandLine.join(List.of("top", "-d", "1"));
        final int length = encoder.encodeSessionStarted(buffer, OFFSET, 15, 16, 17, 80, 24, NON_ASCII, command, "/");
        final SessionStartedDecoder v2Started = new SessionStartedDecoder();

        wrapV2Header(SessionStartedDecoder.TEMPLATE_ID);
        v2Started.wrap(buffer, OFFSET + HEADER_LENGTH, v2HeaderDecoder.blockLength(), v2HeaderDecoder.version());

        assertEquals(15, v2Started.sessionId());
        assertEquals(17, v2Started.pid());
        assertEquals(NON_ASCII, v2Started.name());
        assertEquals(command, v2Started.command());
        assertEquals("/", v2Started.workingDir());
        assertEquals(OFFSET + length, v2Started.limit());
    }

    private void wrapV2Header(final int expectedTemplateId)
    {
        v2HeaderDecoder.wrap(buffer, OFFSET);
        assertEquals(MessageHeaderDecoder.SCHEMA_ID, v2HeaderDecoder.schemaId());
        assertEquals(expectedTemplateId, v2HeaderDecoder.templateId());
        assertEquals(FrameDecoder.SCHEMA_VERSION, v2HeaderDecoder.version());
    }
}
