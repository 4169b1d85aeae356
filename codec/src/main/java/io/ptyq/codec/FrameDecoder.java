package io.ptyq.codec;

import io.ptyq.codec.sbe.ExitReason;
import io.ptyq.codec.sbe.InputDecoder;
import io.ptyq.codec.sbe.MarkerDecoder;
import io.ptyq.codec.sbe.MessageHeaderDecoder;
import io.ptyq.codec.sbe.OutputDecoder;
import io.ptyq.codec.sbe.ResizedDecoder;
import io.ptyq.codec.sbe.SessionExitedDecoder;
import io.ptyq.codec.sbe.SessionStartedDecoder;
import io.ptyq.codec.sbe.VarDataEncodingDecoder;
import io.ptyq.codec.sbe.VarStringEncodingDecoder;
import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * Checks a frame before any generated decoder reads it, then wraps the decoder for its template.
 * <p>
 * {@link #wrap(DirectBuffer, int, int)} walks the header, the fixed block and every var field the frame's version
 * has, against the bytes actually given, so a generated accessor can never read outside the frame. Bytes that are
 * not a valid frame raise {@link InvalidFrameException}; a template this reader does not know is reported by
 * {@link #isKnownTemplate()} so the caller can skip it. Reusable flyweight: no allocation on valid input; not
 * thread safe; views are valid only while the wrapped memory is.
 */
public final class FrameDecoder
{
    /**
     * Schema id every ptyq frame carries.
     */
    public static final int SCHEMA_ID = MessageHeaderDecoder.SCHEMA_ID;

    /**
     * Schema version this reader was generated from.
     */
    public static final int SCHEMA_VERSION = MessageHeaderDecoder.SCHEMA_VERSION;

    private static final int MAX_TEMPLATE_ID = SessionExitedDecoder.TEMPLATE_ID;
    private static final int MAX_VAR_FIELDS = 3;
    private static final int MAX_EXIT_REASON = ExitReason.ABANDONED.value();

    // Per template: block length of the first schema version, and each var field's prefix size, limit and version.
    private static final int[] MIN_BLOCK_LENGTH = new int[MAX_TEMPLATE_ID + 1];
    private static final int[][] VAR_PREFIX_LENGTH = new int[MAX_TEMPLATE_ID + 1][];
    private static final long[][] VAR_MAX_LENGTH = new long[MAX_TEMPLATE_ID + 1][];
    private static final int[][] VAR_SINCE_VERSION = new int[MAX_TEMPLATE_ID + 1][];
    private static final String[] TEMPLATE_NAME = new String[MAX_TEMPLATE_ID + 1];
    private static final String[] TEMPLATE_LABEL = new String[MAX_TEMPLATE_ID + 1];

    static
    {
        final int text = VarStringEncodingDecoder.lengthEncodingLength();
        final long textMax = VarStringEncodingDecoder.lengthMaxValue();
        final int bytes = VarDataEncodingDecoder.lengthEncodingLength();
        final long bytesMax = VarDataEncodingDecoder.lengthMaxValue();

        template(SessionStartedDecoder.TEMPLATE_ID, "SessionStarted", SessionStartedDecoder.BLOCK_LENGTH,
            new int[]{ text, text, text }, new long[]{ textMax, textMax, textMax },
            new int[]{ SessionStartedDecoder.nameSinceVersion(), SessionStartedDecoder.commandSinceVersion(),
                SessionStartedDecoder.workingDirSinceVersion() });
        template(OutputDecoder.TEMPLATE_ID, "Output", OutputDecoder.BLOCK_LENGTH,
            new int[]{ bytes }, new long[]{ bytesMax }, new int[]{ OutputDecoder.dataSinceVersion() });
        template(InputDecoder.TEMPLATE_ID, "Input", InputDecoder.BLOCK_LENGTH,
            new int[]{ bytes }, new long[]{ bytesMax }, new int[]{ InputDecoder.dataSinceVersion() });
        template(ResizedDecoder.TEMPLATE_ID, "Resized", ResizedDecoder.BLOCK_LENGTH,
            new int[0], new long[0], new int[0]);
        template(MarkerDecoder.TEMPLATE_ID, "Marker", MarkerDecoder.BLOCK_LENGTH,
            new int[]{ text }, new long[]{ textMax }, new int[]{ MarkerDecoder.labelSinceVersion() });
        template(SessionExitedDecoder.TEMPLATE_ID, "SessionExited", SessionExitedDecoder.BLOCK_LENGTH,
            new int[]{ text }, new long[]{ textMax }, new int[]{ SessionExitedDecoder.detailSinceVersion() });
    }

    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final SessionStartedDecoder sessionStartedDecoder = new SessionStartedDecoder();
    private final OutputDecoder outputDecoder = new OutputDecoder();
    private final InputDecoder inputDecoder = new InputDecoder();
    private final ResizedDecoder resizedDecoder = new ResizedDecoder();
    private final MarkerDecoder markerDecoder = new MarkerDecoder();
    private final SessionExitedDecoder sessionExitedDecoder = new SessionExitedDecoder();
    private final int[] varOffset = new int[MAX_VAR_FIELDS];
    private final int[] varLength = new int[MAX_VAR_FIELDS];

    private DirectBuffer buffer;
    private int templateId;
    private int version;
    private int frameLength;
    private boolean knownTemplate;

    private static void template(
        final int templateId,
        final String name,
        final int blockLength,
        final int[] prefixLengths,
        final long[] maxLengths,
        final int[] sinceVersions)
    {
        TEMPLATE_NAME[templateId] = name;
        TEMPLATE_LABEL[templateId] = name + " frame";
        MIN_BLOCK_LENGTH[templateId] = blockLength;
        VAR_PREFIX_LENGTH[templateId] = prefixLengths;
        VAR_MAX_LENGTH[templateId] = maxLengths;
        VAR_SINCE_VERSION[templateId] = sinceVersions;
    }

    /**
     * Check the frame at {@code offset} within {@code length} bytes of {@code buffer} and wrap its decoder.
     *
     * @param buffer holding the frame.
     * @param offset of the frame's header.
     * @param length bytes available for the frame; a frame may be shorter (trailing bytes are ignored).
     * @return the frame's template id; unknown templates are returned too, see {@link #isKnownTemplate()}.
     * @throws InvalidFrameException if the bytes are not a valid ptyq frame.
     */
    public int wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        if (offset < 0 || length < 0 || (long)offset + length > buffer.capacity())
        {
            throw new InvalidFrameException(
                "frame range [" + offset + ", +" + length + ") is outside a buffer of " + buffer.capacity() + " bytes");
        }
        if (length < FrameDescriptor.HEADER_LENGTH)
        {
            throw new InvalidFrameException("truncated frame: " + length + " bytes, shorter than the " +
                FrameDescriptor.HEADER_LENGTH + "-byte header");
        }

        if (FrameDescriptor.OUTPUT_HEADER_WORD == buffer.getLong(offset, ByteOrder.LITTLE_ENDIAN))
        {
            return wrapOutput(buffer, offset, offset + length, offset + FrameDescriptor.HEADER_LENGTH);
        }

        headerDecoder.wrap(buffer, offset);
        final int schemaId = headerDecoder.schemaId();
        if (schemaId != SCHEMA_ID)
        {
            throw new InvalidFrameException("not a ptyq frame: schema id " + schemaId + ", expected " + SCHEMA_ID);
        }
        final int version = headerDecoder.version();
        if (version < FrameDescriptor.MIN_SCHEMA_VERSION)
        {
            throw new InvalidFrameException("corrupt frame: schema version " + version);
        }
        final int templateId = headerDecoder.templateId();
        final int blockLength = headerDecoder.blockLength();
        final int end = offset + length;
        final int blockOffset = offset + FrameDescriptor.HEADER_LENGTH;
        if (blockLength > end - blockOffset)
        {
            throw new InvalidFrameException("truncated frame: block length " + blockLength + " exceeds the " +
                (end - blockOffset) + " bytes after the header");
        }

        final boolean known = templateId > 0 && templateId <= MAX_TEMPLATE_ID && null != TEMPLATE_NAME[templateId];
        int checkedLength = FrameDescriptor.HEADER_LENGTH + blockLength;
        if (known)
        {
            if (blockLength < MIN_BLOCK_LENGTH[templateId])
            {
                throw new InvalidFrameException("corrupt " + TEMPLATE_NAME[templateId] + " frame: block length " +
                    blockLength + ", expected at least " + MIN_BLOCK_LENGTH[templateId]);
            }
            checkedLength = checkVarFields(buffer, templateId, version, blockOffset + blockLength, end) - offset;
            if (checkedLength > FrameDescriptor.MAX_FRAME_LENGTH)
            {
                throw new InvalidFrameException("corrupt " + TEMPLATE_NAME[templateId] + " frame: " + checkedLength +
                    " bytes, more than the " + FrameDescriptor.MAX_FRAME_LENGTH + "-byte limit");
            }
            checkEnums(buffer, templateId, version, blockOffset);
        }

        // State changes only once the frame has passed every check.
        this.buffer = buffer;
        this.templateId = templateId;
        this.version = version;
        this.knownTemplate = known;
        this.frameLength = checkedLength;
        if (known)
        {
            wrapTemplate(buffer, blockOffset, blockLength, version);
        }

        return templateId;
    }

    /**
     * The hot path: an Output frame of this reader's own version needs one length check, not the general walk.
     */
    private int wrapOutput(final DirectBuffer buffer, final int offset, final int end, final int blockOffset)
    {
        final int prefixOffset = blockOffset + OutputDecoder.BLOCK_LENGTH;
        if (prefixOffset > end || OutputDecoder.dataHeaderLength() > end - prefixOffset)
        {
            throw new InvalidFrameException("truncated Output frame: var field 0 length prefix is cut off");
        }
        final long dataLength = buffer.getInt(prefixOffset, ByteOrder.LITTLE_ENDIAN) & 0xFFFF_FFFFL;
        final int dataOffset = prefixOffset + OutputDecoder.dataHeaderLength();
        if (dataLength > FrameDescriptor.MAX_OUTPUT_DATA_LENGTH || dataLength > end - dataOffset)
        {
            throw new InvalidFrameException("corrupt Output frame: data length " + dataLength + " with " +
                (end - dataOffset) + " bytes left and a limit of " + FrameDescriptor.MAX_OUTPUT_DATA_LENGTH);
        }

        this.buffer = buffer;
        this.templateId = OutputDecoder.TEMPLATE_ID;
        this.version = SCHEMA_VERSION;
        this.knownTemplate = true;
        this.frameLength = dataOffset + (int)dataLength - offset;
        varOffset[0] = dataOffset;
        varLength[0] = (int)dataLength;
        outputDecoder.wrap(buffer, blockOffset, OutputDecoder.BLOCK_LENGTH, SCHEMA_VERSION);

        return OutputDecoder.TEMPLATE_ID;
    }

    private int checkVarFields(
        final DirectBuffer buffer, final int templateId, final int version, final int varStart, final int end)
    {
        return VarFieldWalker.walk(buffer, TEMPLATE_LABEL[templateId], VAR_PREFIX_LENGTH[templateId], VAR_MAX_LENGTH[templateId],
            VAR_SINCE_VERSION[templateId], version, varStart, end, varOffset, varLength);
    }

    private static void checkEnums(
        final DirectBuffer buffer, final int templateId, final int version, final int blockOffset)
    {
        // A frame of a newer version may carry enum values this reader does not know; readers use reasonRaw() then.
        if (SessionExitedDecoder.TEMPLATE_ID == templateId && version <= SCHEMA_VERSION)
        {
            final short reason = (short)(buffer.getByte(blockOffset + SessionExitedDecoder.reasonEncodingOffset()) & 0xFF);
            if (reason > MAX_EXIT_REASON)
            {
                throw new InvalidFrameException("corrupt SessionExited frame: unknown exit reason " + reason);
            }
        }
    }

    private void wrapTemplate(final DirectBuffer buffer, final int blockOffset, final int blockLength, final int version)
    {
        switch (templateId)
        {
            case SessionStartedDecoder.TEMPLATE_ID:
                sessionStartedDecoder.wrap(buffer, blockOffset, blockLength, version);
                break;
            case OutputDecoder.TEMPLATE_ID:
                outputDecoder.wrap(buffer, blockOffset, blockLength, version);
                break;
            case InputDecoder.TEMPLATE_ID:
                inputDecoder.wrap(buffer, blockOffset, blockLength, version);
                break;
            case ResizedDecoder.TEMPLATE_ID:
                resizedDecoder.wrap(buffer, blockOffset, blockLength, version);
                break;
            case MarkerDecoder.TEMPLATE_ID:
                markerDecoder.wrap(buffer, blockOffset, blockLength, version);
                break;
            case SessionExitedDecoder.TEMPLATE_ID:
                sessionExitedDecoder.wrap(buffer, blockOffset, blockLength, version);
                break;
            default:
                throw new IllegalStateException("unhandled template " + templateId);
        }
    }

    /**
     * @return template id of the last wrapped frame.
     */
    public int templateId()
    {
        return templateId;
    }

    /**
     * @return true if this reader knows the last wrapped frame's template; false means skip it.
     */
    public boolean isKnownTemplate()
    {
        return knownTemplate;
    }

    /**
     * @return schema version the last wrapped frame was written with.
     */
    public int version()
    {
        return version;
    }

    /**
     * @return bytes the last wrapped frame occupies, as far as this reader's schema version knows its fields.
     */
    public int frameLength()
    {
        return frameLength;
    }

    /**
     * @return the buffer of the last wrapped frame.
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return offset in {@link #buffer()} of the raw bytes of an Output or Input frame (its {@code data} field).
     */
    public int dataOffset()
    {
        return varOffset[0];
    }

    /**
     * @return number of raw bytes of an Output or Input frame (its {@code data} field).
     */
    public int dataLength()
    {
        return varLength[0];
    }

    /**
     * @return the checked SessionStarted decoder; valid only after wrapping such a frame.
     */
    public SessionStartedDecoder sessionStarted()
    {
        return sessionStartedDecoder;
    }

    /**
     * @return the checked Output decoder; valid only after wrapping such a frame.
     */
    public OutputDecoder output()
    {
        return outputDecoder;
    }

    /**
     * @return the checked Input decoder; valid only after wrapping such a frame.
     */
    public InputDecoder input()
    {
        return inputDecoder;
    }

    /**
     * @return the checked Resized decoder; valid only after wrapping such a frame.
     */
    public ResizedDecoder resized()
    {
        return resizedDecoder;
    }

    /**
     * @return the checked Marker decoder; valid only after wrapping such a frame.
     */
    public MarkerDecoder marker()
    {
        return markerDecoder;
    }

    /**
     * @return the checked SessionExited decoder; valid only after wrapping such a frame.
     */
    public SessionExitedDecoder sessionExited()
    {
        return sessionExitedDecoder;
    }

    /**
     * @param templateId a template id.
     * @return the message name of a known template, or "template N".
     */
    public static String templateName(final int templateId)
    {
        return templateId > 0 && templateId <= MAX_TEMPLATE_ID && null != TEMPLATE_NAME[templateId] ?
            TEMPLATE_NAME[templateId] : "template " + templateId;
    }
}
