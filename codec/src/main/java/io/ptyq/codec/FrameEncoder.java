package io.ptyq.codec;

import io.ptyq.codec.sbe.ExitReason;
import io.ptyq.codec.sbe.InputEncoder;
import io.ptyq.codec.sbe.MarkerEncoder;
import io.ptyq.codec.sbe.MessageHeaderEncoder;
import io.ptyq.codec.sbe.OutputEncoder;
import io.ptyq.codec.sbe.ResizedEncoder;
import io.ptyq.codec.sbe.SessionExitedEncoder;
import io.ptyq.codec.sbe.SessionStartedEncoder;
import io.ptyq.codec.sbe.VarStringEncodingEncoder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Encodes each event of the schema into a buffer, header included, and enforces the frame limits before writing.
 * <p>
 * Output and Input encoding allocate nothing; the text-carrying events convert their strings to UTF-8 and are meant
 * for the cold path. Reusable; not thread safe.
 */
public final class FrameEncoder
{
    /**
     * Most bytes of UTF-8 one text field carries.
     */
    public static final int MAX_TEXT_LENGTH = VarStringEncodingEncoder.lengthMaxValue();

    /**
     * Largest value of a column or row count.
     */
    public static final int MAX_DIMENSION = 65535;

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final SessionStartedEncoder sessionStartedEncoder = new SessionStartedEncoder();
    private final InputEncoder inputEncoder = new InputEncoder();
    private final ResizedEncoder resizedEncoder = new ResizedEncoder();
    private final MarkerEncoder markerEncoder = new MarkerEncoder();
    private final SessionExitedEncoder sessionExitedEncoder = new SessionExitedEncoder();

    /**
     * Encode an Output frame of {@code length} bytes of {@code src}; needs {@link FrameDescriptor#outputFrameLength(int)}
     * bytes of room.
     *
     * @return the encoded frame length.
     */
    public int encodeOutput(
        final MutableDirectBuffer buffer,
        final int offset,
        final long sessionId,
        final long streamPosition,
        final long timestampNs,
        final DirectBuffer src,
        final int srcOffset,
        final int length)
    {
        putOutputHeader(buffer, offset, sessionId, streamPosition, timestampNs, length);
        buffer.putBytes(offset + FrameDescriptor.OUTPUT_OVERHEAD, src, srcOffset, length);

        return FrameDescriptor.OUTPUT_OVERHEAD + length;
    }

    /**
     * Encode an Output frame of {@code length} bytes of {@code src}, as {@link #encodeOutput(MutableDirectBuffer, int,
     * long, long, long, DirectBuffer, int, int)}.
     *
     * @return the encoded frame length.
     */
    public int encodeOutput(
        final MutableDirectBuffer buffer,
        final int offset,
        final long sessionId,
        final long streamPosition,
        final long timestampNs,
        final byte[] src,
        final int srcOffset,
        final int length)
    {
        putOutputHeader(buffer, offset, sessionId, streamPosition, timestampNs, length);
        buffer.putBytes(offset + FrameDescriptor.OUTPUT_OVERHEAD, src, srcOffset, length);

        return FrameDescriptor.OUTPUT_OVERHEAD + length;
    }

    /**
     * Encode an Input frame; it has the same length as an Output frame with as many bytes.
     *
     * @return the encoded frame length.
     */
    public int encodeInput(
        final MutableDirectBuffer buffer,
        final int offset,
        final long sessionId,
        final long position,
        final long timestampNs,
        final byte[] src,
        final int srcOffset,
        final int length)
    {
        checkDataLength(length);
        inputEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .sessionId(sessionId)
            .position(position)
            .timestampNs(timestampNs)
            .putData(src, srcOffset, length);

        return FrameDescriptor.HEADER_LENGTH + inputEncoder.encodedLength();
    }

    /**
     * Encode a SessionStarted frame.
     *
     * @param command the argv, each argument followed by a NUL byte (see {@link CommandLine}).
     * @return the encoded frame length.
     */
    public int encodeSessionStarted(
        final MutableDirectBuffer buffer,
        final int offset,
        final long sessionId,
        final long timestampNs,
        final int pid,
        final int cols,
        final int rows,
        final String name,
        final String command,
        final String workingDir)
    {
        checkDimension("cols", cols);
        checkDimension("rows", rows);
        final byte[] nameBytes = text("name", name);
        final byte[] commandBytes = text("command", command);
        final byte[] workingDirBytes = text("workingDir", workingDir);
        sessionStartedEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .sessionId(sessionId)
            .timestampNs(timestampNs)
            .pid(pid)
            .cols(cols)
            .rows(rows)
            .putName(nameBytes, 0, nameBytes.length)
            .putCommand(commandBytes, 0, commandBytes.length)
            .putWorkingDir(workingDirBytes, 0, workingDirBytes.length);

        return FrameDescriptor.HEADER_LENGTH + sessionStartedEncoder.encodedLength();
    }

    /**
     * Encode a Resized frame.
     *
     * @return the encoded frame length.
     */
    public int encodeResized(
        final MutableDirectBuffer buffer,
        final int offset,
        final long sessionId,
        final long timestampNs,
        final int cols,
        final int rows)
    {
        checkDimension("cols", cols);
        checkDimension("rows", rows);
        resizedEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .sessionId(sessionId)
            .timestampNs(timestampNs)
            .cols(cols)
            .rows(rows);

        return FrameDescriptor.HEADER_LENGTH + resizedEncoder.encodedLength();
    }

    /**
     * Encode a Marker frame.
     *
     * @return the encoded frame length.
     */
    public int encodeMarker(
        final MutableDirectBuffer buffer,
        final int offset,
        final long sessionId,
        final long timestampNs,
        final String label)
    {
        final byte[] labelBytes = text("label", label);
        markerEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .sessionId(sessionId)
            .timestampNs(timestampNs)
            .putLabel(labelBytes, 0, labelBytes.length);

        return FrameDescriptor.HEADER_LENGTH + markerEncoder.encodedLength();
    }

    /**
     * Encode a SessionExited frame.
     *
     * @return the encoded frame length.
     */
    public int encodeSessionExited(
        final MutableDirectBuffer buffer,
        final int offset,
        final long sessionId,
        final long timestampNs,
        final int exitCode,
        final int signal,
        final ExitReason reason,
        final long totalOutputBytes,
        final String detail)
    {
        if (null == reason || ExitReason.NULL_VAL == reason)
        {
            throw new IllegalArgumentException("an exit needs a reason");
        }
        final byte[] detailBytes = text("detail", detail);
        sessionExitedEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .sessionId(sessionId)
            .timestampNs(timestampNs)
            .exitCode(exitCode)
            .signal(signal)
            .reason(reason)
            .totalOutputBytes(totalOutputBytes)
            .putDetail(detailBytes, 0, detailBytes.length);

        return FrameDescriptor.HEADER_LENGTH + sessionExitedEncoder.encodedLength();
    }

    /**
     * The hot path writes the frame field by field at the generated offsets, the header in one store; the round-trip
     * tests decode it with the generated decoders.
     */
    private static void putOutputHeader(
        final MutableDirectBuffer buffer,
        final int offset,
        final long sessionId,
        final long streamPosition,
        final long timestampNs,
        final int length)
    {
        checkDataLength(length);
        final int blockOffset = offset + FrameDescriptor.HEADER_LENGTH;
        buffer.putLong(offset, FrameDescriptor.OUTPUT_HEADER_WORD, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(blockOffset + OutputEncoder.sessionIdEncodingOffset(), sessionId, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(
            blockOffset + OutputEncoder.streamPositionEncodingOffset(), streamPosition, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(blockOffset + OutputEncoder.timestampNsEncodingOffset(), timestampNs, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(blockOffset + OutputEncoder.BLOCK_LENGTH, length, ByteOrder.LITTLE_ENDIAN);
    }

    private static void checkDataLength(final int length)
    {
        if (length < 0 || length > FrameDescriptor.MAX_OUTPUT_DATA_LENGTH)
        {
            throw new IllegalArgumentException(
                "data length " + length + " outside 0.." + FrameDescriptor.MAX_OUTPUT_DATA_LENGTH);
        }
    }

    private static void checkDimension(final String name, final int value)
    {
        if (value < 0 || value > MAX_DIMENSION)
        {
            throw new IllegalArgumentException(name + " " + value + " outside 0.." + MAX_DIMENSION);
        }
    }

    private static byte[] text(final String name, final String value)
    {
        final byte[] bytes = null == value ? new byte[0] : value.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_TEXT_LENGTH)
        {
            throw new IllegalArgumentException(
                name + " is " + bytes.length + " bytes of UTF-8, more than " + MAX_TEXT_LENGTH);
        }

        return bytes;
    }
}
