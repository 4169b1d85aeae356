package io.ptyq.codec;

import io.ptyq.codec.sbe.MessageHeaderDecoder;
import io.ptyq.codec.sbe.MessageHeaderEncoder;
import io.ptyq.codec.sbe.OutputDecoder;
import io.ptyq.codec.sbe.VarDataEncodingDecoder;

/**
 * Layout of a journal frame: the SBE message header, the message's fixed block, then its var fields.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+-------------------------------+
 *  |          blockLength          |          templateId           |  SBE header,
 *  +-------------------------------+-------------------------------+  little-endian
 *  |      schemaId (7301)          |           version             |
 *  +-------------------------------+-------------------------------+
 *  |                  fixed block (blockLength bytes)             ...
 *  +---------------------------------------------------------------+
 *  |  var field length (uint32 for bytes, uint16 for text)         |  zero or more
 *  +---------------------------------------------------------------+  var fields
 *  |                  var field bytes (length bytes)              ...
 *  +---------------------------------------------------------------+
 *
 *  Output frame (templateId 2), 36 bytes + data:
 *  +----------+-----------+----------------+-------------+------------+------------+
 *  |  header  | sessionId | streamPosition | timestampNs | dataLength |    data    |
 *  |  8 bytes |  int64    |     int64      |    int64    |   uint32   | dataLength |
 *  +----------+-----------+----------------+-------------+------------+------------+
 * </pre>
 * A frame never exceeds {@link #MAX_FRAME_LENGTH}, which keeps it inside the journal's contiguous (zero-copy) region.
 */
public final class FrameDescriptor
{
    /**
     * Length of the SBE message header in front of every frame.
     */
    public static final int HEADER_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH;

    /**
     * Largest frame ptyq writes: 1 MiB, far below Chronicle's contiguous overlap of blockSize/4 (16 MiB by default).
     */
    public static final int MAX_FRAME_LENGTH = (int)VarDataEncodingDecoder.lengthMaxValue();

    /**
     * Fixed part of an Output frame: header, block and the data length prefix.
     */
    public static final int OUTPUT_OVERHEAD = HEADER_LENGTH + OutputDecoder.BLOCK_LENGTH + OutputDecoder.dataHeaderLength();

    /**
     * The header of every Output frame of this schema version, read as one little-endian long: blockLength,
     * templateId, schemaId and version. One compare recognises the hot-path frame.
     */
    public static final long OUTPUT_HEADER_WORD = headerWord(
        OutputDecoder.BLOCK_LENGTH, OutputDecoder.TEMPLATE_ID, OutputDecoder.SCHEMA_ID, OutputDecoder.SCHEMA_VERSION);

    /**
     * Most output bytes one Output frame carries.
     */
    public static final int MAX_OUTPUT_DATA_LENGTH = MAX_FRAME_LENGTH - OUTPUT_OVERHEAD;

    /**
     * First schema version ptyq wrote; frames claiming an earlier one are corrupt.
     */
    public static final int MIN_SCHEMA_VERSION = 1;

    private FrameDescriptor()
    {
    }

    private static long headerWord(final int blockLength, final int templateId, final int schemaId, final int version)
    {
        // The schema is little-endian, so each field's bytes sit at its offset within the long.
        return ((long)blockLength << (8 * MessageHeaderEncoder.blockLengthEncodingOffset())) |
            ((long)templateId << (8 * MessageHeaderEncoder.templateIdEncodingOffset())) |
            ((long)schemaId << (8 * MessageHeaderEncoder.schemaIdEncodingOffset())) |
            ((long)version << (8 * MessageHeaderEncoder.versionEncodingOffset()));
    }

    /**
     * @param dataLength output bytes in the frame.
     * @return the encoded length of an Output frame carrying them.
     */
    public static int outputFrameLength(final int dataLength)
    {
        return OUTPUT_OVERHEAD + dataLength;
    }
}
