package io.ptyq.codec;

import io.ptyq.codec.control.sbe.InputRequestDecoder;
import io.ptyq.codec.control.sbe.ListEndDecoder;
import io.ptyq.codec.control.sbe.ListEntryDecoder;
import io.ptyq.codec.control.sbe.ListRequestDecoder;
import io.ptyq.codec.control.sbe.MarkerRequestDecoder;
import io.ptyq.codec.control.sbe.MessageHeaderDecoder;
import io.ptyq.codec.control.sbe.NewSessionRequestDecoder;
import io.ptyq.codec.control.sbe.ResizeRequestDecoder;
import io.ptyq.codec.control.sbe.ResponseDecoder;
import io.ptyq.codec.control.sbe.ResponseStatus;
import io.ptyq.codec.control.sbe.SignalRequestDecoder;
import io.ptyq.codec.control.sbe.StatsEndDecoder;
import io.ptyq.codec.control.sbe.StatsEntryDecoder;
import io.ptyq.codec.control.sbe.StatsRequestDecoder;
import io.ptyq.codec.control.sbe.VarDataEncodingDecoder;
import io.ptyq.codec.control.sbe.VarStringEncodingDecoder;
import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * Checks a control message (schema 7302) before any generated decoder reads it, then wraps the decoder for its
 * template: the control endpoint's counterpart of {@link FrameDecoder}.
 * <p>
 * On the control socket every message travels as a length-prefixed frame:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |       frame length (int32, little-endian, 8..1 MiB)           |  not part of the message
 *  +-------------------------------+-------------------------------+
 *  |          blockLength          |          templateId           |  SBE header
 *  +-------------------------------+-------------------------------+
 *  |      schemaId (7302)          |           version             |
 *  +-------------------------------+-------------------------------+
 *  |                    correlationId (int64)                      |  first field of
 *  |                                                               |  every message
 *  +---------------------------------------------------------------+
 *  |             rest of the fixed block, then var fields         ...
 *  +---------------------------------------------------------------+
 * </pre>
 * {@link #wrap(DirectBuffer, int, int)} walks the header, the fixed block and every var field the message's version
 * has, against the bytes actually given, and checks the Response status, so a generated accessor can never read
 * outside the message or throw. Bad bytes raise {@link InvalidFrameException}; an unknown template is reported by
 * {@link #isKnownTemplate()}, with its {@link #correlationId()} still readable. Reusable flyweight: no allocation on
 * valid input; not thread safe; views are valid only while the wrapped memory is.
 */
public final class ControlFrameDecoder
{
    /**
     * Schema id every control message carries.
     */
    public static final int SCHEMA_ID = MessageHeaderDecoder.SCHEMA_ID;

    /**
     * Schema version this reader was generated from.
     */
    public static final int SCHEMA_VERSION = MessageHeaderDecoder.SCHEMA_VERSION;

    /**
     * Length of the SBE header in front of every message.
     */
    public static final int HEADER_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH;

    /**
     * Length of the little-endian int32 that precedes each message on the socket.
     */
    public static final int LENGTH_PREFIX_LENGTH = 4;

    /**
     * Largest message a peer may announce; a longer length prefix is a protocol violation (1 MiB).
     */
    public static final int MAX_FRAME_LENGTH = 1024 * 1024;

    /**
     * Most bytes one InputRequest carries (64 KiB); larger input is split across requests.
     */
    public static final int MAX_INPUT_LENGTH = (int)VarDataEncodingDecoder.lengthMaxValue();

    /**
     * Most bytes of UTF-8 one text field carries.
     */
    public static final int MAX_TEXT_LENGTH = VarStringEncodingDecoder.lengthMaxValue();

    private static final int MAX_TEMPLATE_ID = StatsEndDecoder.TEMPLATE_ID;
    private static final int MAX_VAR_FIELDS = 4;
    private static final int CORRELATION_ID_LENGTH = 8;
    private static final int MAX_KNOWN_STATUS = ResponseStatus.FAILED.value();

    // Per template: block length of the first schema version, and each var field's prefix size, limit and version.
    private static final int[] MIN_BLOCK_LENGTH = new int[MAX_TEMPLATE_ID + 1];
    private static final int[][] VAR_PREFIX_LENGTH = new int[MAX_TEMPLATE_ID + 1][];
    private static final long[][] VAR_MAX_LENGTH = new long[MAX_TEMPLATE_ID + 1][];
    private static final int[][] VAR_SINCE_VERSION = new int[MAX_TEMPLATE_ID + 1][];
    private static final String[] TEMPLATE_NAME = new String[MAX_TEMPLATE_ID + 1];

    static
    {
        final int text = VarStringEncodingDecoder.lengthEncodingLength();
        final long textMax = VarStringEncodingDecoder.lengthMaxValue();
        final int bytes = VarDataEncodingDecoder.lengthEncodingLength();
        final long bytesMax = VarDataEncodingDecoder.lengthMaxValue();

        template(NewSessionRequestDecoder.TEMPLATE_ID, "NewSessionRequest", NewSessionRequestDecoder.BLOCK_LENGTH,
            new int[]{ text, text, text, text }, new long[]{ textMax, textMax, textMax, textMax },
            new int[]{ NewSessionRequestDecoder.nameSinceVersion(), NewSessionRequestDecoder.commandSinceVersion(),
                NewSessionRequestDecoder.workingDirSinceVersion(), NewSessionRequestDecoder.envSinceVersion() });
        template(InputRequestDecoder.TEMPLATE_ID, "InputRequest", InputRequestDecoder.BLOCK_LENGTH,
            new int[]{ text, bytes }, new long[]{ textMax, bytesMax },
            new int[]{ InputRequestDecoder.sessionSinceVersion(), InputRequestDecoder.dataSinceVersion() });
        template(ResizeRequestDecoder.TEMPLATE_ID, "ResizeRequest", ResizeRequestDecoder.BLOCK_LENGTH,
            new int[]{ text }, new long[]{ textMax }, new int[]{ ResizeRequestDecoder.sessionSinceVersion() });
        template(SignalRequestDecoder.TEMPLATE_ID, "SignalRequest", SignalRequestDecoder.BLOCK_LENGTH,
            new int[]{ text }, new long[]{ textMax }, new int[]{ SignalRequestDecoder.sessionSinceVersion() });
        template(MarkerRequestDecoder.TEMPLATE_ID, "MarkerRequest", MarkerRequestDecoder.BLOCK_LENGTH,
            new int[]{ text, text }, new long[]{ textMax, textMax },
            new int[]{ MarkerRequestDecoder.sessionSinceVersion(), MarkerRequestDecoder.labelSinceVersion() });
        template(ListRequestDecoder.TEMPLATE_ID, "ListRequest", ListRequestDecoder.BLOCK_LENGTH,
            new int[0], new long[0], new int[0]);
        template(ResponseDecoder.TEMPLATE_ID, "Response", ResponseDecoder.BLOCK_LENGTH,
            new int[]{ text }, new long[]{ textMax }, new int[]{ ResponseDecoder.messageSinceVersion() });
        template(ListEntryDecoder.TEMPLATE_ID, "ListEntry", ListEntryDecoder.BLOCK_LENGTH,
            new int[]{ text }, new long[]{ textMax }, new int[]{ ListEntryDecoder.nameSinceVersion() });
        template(ListEndDecoder.TEMPLATE_ID, "ListEnd", ListEndDecoder.BLOCK_LENGTH,
            new int[0], new long[0], new int[0]);
        template(StatsRequestDecoder.TEMPLATE_ID, "StatsRequest", StatsRequestDecoder.BLOCK_LENGTH,
            new int[0], new long[0], new int[0]);
        template(StatsEntryDecoder.TEMPLATE_ID, "StatsEntry", StatsEntryDecoder.BLOCK_LENGTH,
            new int[]{ text }, new long[]{ textMax }, new int[]{ StatsEntryDecoder.nameSinceVersion() });
        template(StatsEndDecoder.TEMPLATE_ID, "StatsEnd", StatsEndDecoder.BLOCK_LENGTH,
            new int[0], new long[0], new int[0]);
    }

    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final NewSessionRequestDecoder newSessionRequestDecoder = new NewSessionRequestDecoder();
    private final InputRequestDecoder inputRequestDecoder = new InputRequestDecoder();
    private final ResizeRequestDecoder resizeRequestDecoder = new ResizeRequestDecoder();
    private final SignalRequestDecoder signalRequestDecoder = new SignalRequestDecoder();
    private final MarkerRequestDecoder markerRequestDecoder = new MarkerRequestDecoder();
    private final ListRequestDecoder listRequestDecoder = new ListRequestDecoder();
    private final ResponseDecoder responseDecoder = new ResponseDecoder();
    private final ListEntryDecoder listEntryDecoder = new ListEntryDecoder();
    private final ListEndDecoder listEndDecoder = new ListEndDecoder();
    private final StatsRequestDecoder statsRequestDecoder = new StatsRequestDecoder();
    private final StatsEntryDecoder statsEntryDecoder = new StatsEntryDecoder();
    private final StatsEndDecoder statsEndDecoder = new StatsEndDecoder();
    private final int[] varOffset = new int[MAX_VAR_FIELDS];
    private final int[] varLength = new int[MAX_VAR_FIELDS];

    private DirectBuffer buffer;
    private int blockOffset;
    private int blockLength;
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
        MIN_BLOCK_LENGTH[templateId] = blockLength;
        VAR_PREFIX_LENGTH[templateId] = prefixLengths;
        VAR_MAX_LENGTH[templateId] = maxLengths;
        VAR_SINCE_VERSION[templateId] = sinceVersions;
    }

    /**
     * Check the message at {@code offset} within {@code length} bytes of {@code buffer} and wrap its decoder.
     *
     * @param buffer holding the message (without its length prefix).
     * @param offset of the message's header.
     * @param length bytes available for the message; a message may be shorter (trailing bytes are ignored).
     * @return the message's template id; unknown templates are returned too, see {@link #isKnownTemplate()}.
     * @throws InvalidFrameException if the bytes are not a valid control message.
     */
    public int wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        if (offset < 0 || length < 0 || (long)offset + length > buffer.capacity())
        {
            throw new InvalidFrameException("control message range [" + offset + ", +" + length +
                ") is outside a buffer of " + buffer.capacity() + " bytes");
        }
        if (length < HEADER_LENGTH)
        {
            throw new InvalidFrameException("truncated control message: " + length + " bytes, shorter than the " +
                HEADER_LENGTH + "-byte header");
        }

        headerDecoder.wrap(buffer, offset);
        final int schemaId = headerDecoder.schemaId();
        if (schemaId != SCHEMA_ID)
        {
            throw new InvalidFrameException(
                "not a ptyq control message: schema id " + schemaId + ", expected " + SCHEMA_ID);
        }
        final int version = headerDecoder.version();
        if (version < 1)
        {
            throw new InvalidFrameException("corrupt control message: schema version " + version);
        }
        final int templateId = headerDecoder.templateId();
        final int blockLength = headerDecoder.blockLength();
        final int end = offset + length;
        final int blockOffset = offset + HEADER_LENGTH;
        if (blockLength > end - blockOffset)
        {
            throw new InvalidFrameException("truncated control message: block length " + blockLength +
                " exceeds the " + (end - blockOffset) + " bytes after the header");
        }

        this.buffer = buffer;
        this.blockOffset = blockOffset;
        this.blockLength = blockLength;
        this.templateId = templateId;
        this.version = version;
        this.knownTemplate = templateId > 0 && templateId <= MAX_TEMPLATE_ID && null != TEMPLATE_NAME[templateId];
        if (!knownTemplate)
        {
            frameLength = HEADER_LENGTH + blockLength;
            return templateId;
        }

        if (blockLength < MIN_BLOCK_LENGTH[templateId])
        {
            throw new InvalidFrameException("corrupt " + TEMPLATE_NAME[templateId] + ": block length " +
                blockLength + ", expected at least " + MIN_BLOCK_LENGTH[templateId]);
        }
        if (ResponseDecoder.TEMPLATE_ID == templateId && version <= SCHEMA_VERSION)
        {
            // A status this version does not define would make the generated status() throw.
            final int status = buffer.getByte(blockOffset + ResponseDecoder.statusEncodingOffset()) & 0xFF;
            if (status > MAX_KNOWN_STATUS)
            {
                throw new InvalidFrameException("corrupt Response: status " + status);
            }
        }

        frameLength = checkVarFields(buffer, templateId, version, blockOffset + blockLength, end) - offset;
        wrapTemplate(buffer, blockOffset, blockLength, version);

        return templateId;
    }

    private int checkVarFields(
        final DirectBuffer buffer, final int templateId, final int version, final int varStart, final int end)
    {
        return VarFieldWalker.walk(buffer, TEMPLATE_NAME[templateId], VAR_PREFIX_LENGTH[templateId], VAR_MAX_LENGTH[templateId],
            VAR_SINCE_VERSION[templateId], version, varStart, end, varOffset, varLength);
    }

    private void wrapTemplate(
        final DirectBuffer buffer, final int blockOffset, final int blockLength, final int version)
    {
        switch (templateId)
        {
            case NewSessionRequestDecoder.TEMPLATE_ID:
                newSessionRequestDecoder.wrap(buffer, blockOffset, blockLength, version);
                break;
            case InputRequestDecoder.TEMPLATE_ID:
                inputRequestDecoder.wrap(buffer, blockOffset, blockLength, version);
                break;
            case ResizeRequestDecoder.TEMPLATE_ID:
                resizeRequestDecoder.wrap(buffer, blockOffset, blockLength, version);
                break;
            case SignalRequestDecoder.TEMPLATE_ID:
                signalRequestDecoder.wrap(buffer, blockOffset, blockLength, version);
                break;
            case MarkerRequestDecoder.TEMPLATE_ID:
                markerRequestDecoder.wrap(buffer, blockOffset, blockLength, version);
                break;
            case ListRequestDecoder.TEMPLATE_ID:
                listRequestDecoder.wrap(buffer, blockOffset, blockLength, version);
                break;
            case ResponseDecoder.TEMPLATE_ID:
                responseDecoder.wrap(buffer, blockOffset, blockLength, version);
                break;
            case ListEntryDecoder.TEMPLATE_ID:
                listEntryDecoder.wrap(buffer, blockOffset, blockLength, version);
                break;
            case ListEndDecoder.TEMPLATE_ID:
                listEndDecoder.wrap(buffer, blockOffset, blockLength, version);
                break;
            case StatsRequestDecoder.TEMPLATE_ID:
                statsRequestDecoder.wrap(buffer, blockOffset, blockLength, version);
                break;
            case StatsEntryDecoder.TEMPLATE_ID:
                statsEntryDecoder.wrap(buffer, blockOffset, blockLength, version);
                break;
            case StatsEndDecoder.TEMPLATE_ID:
                statsEndDecoder.wrap(buffer, blockOffset, blockLength, version);
                break;
            default:
                throw new IllegalStateException("unhandled template " + templateId);
        }
    }

    /**
     * @return template id of the last wrapped message.
     */
    public int templateId()
    {
        return templateId;
    }

    /**
     * @return true if this reader knows the last wrapped message's template.
     */
    public boolean isKnownTemplate()
    {
        return knownTemplate;
    }

    /**
     * @return schema version the last wrapped message was written with.
     */
    public int version()
    {
        return version;
    }

    /**
     * @return bytes the last wrapped message occupies, as far as this reader's schema version knows its fields.
     */
    public int frameLength()
    {
        return frameLength;
    }

    /**
     * @return the buffer of the last wrapped message.
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * The correlation id every control message starts with, readable for unknown templates too.
     *
     * @return correlation id of the last wrapped message, or 0 if its block is too short to hold one.
     */
    public long correlationId()
    {
        return blockLength >= CORRELATION_ID_LENGTH ? buffer.getLong(blockOffset, ByteOrder.LITTLE_ENDIAN) : 0;
    }

    /**
     * @return offset in {@link #buffer()} of an InputRequest's bytes (its {@code data} field).
     */
    public int inputDataOffset()
    {
        return varOffset[1];
    }

    /**
     * @return number of bytes of an InputRequest (its {@code data} field).
     */
    public int inputDataLength()
    {
        return varLength[1];
    }

    /**
     * @return a Response's status, or {@link ResponseStatus#NULL_VAL} for one a newer schema version added.
     */
    public ResponseStatus responseStatus()
    {
        final short raw = responseDecoder.statusRaw();
        return raw <= MAX_KNOWN_STATUS ? ResponseStatus.get(raw) : ResponseStatus.NULL_VAL;
    }

    /**
     * @return the checked NewSessionRequest decoder; valid only after wrapping such a message.
     */
    public NewSessionRequestDecoder newSessionRequest()
    {
        return newSessionRequestDecoder;
    }

    /**
     * @return the checked InputRequest decoder; valid only after wrapping such a message.
     */
    public InputRequestDecoder inputRequest()
    {
        return inputRequestDecoder;
    }

    /**
     * @return the checked ResizeRequest decoder; valid only after wrapping such a message.
     */
    public ResizeRequestDecoder resizeRequest()
    {
        return resizeRequestDecoder;
    }

    /**
     * @return the checked SignalRequest decoder; valid only after wrapping such a message.
     */
    public SignalRequestDecoder signalRequest()
    {
        return signalRequestDecoder;
    }

    /**
     * @return the checked MarkerRequest decoder; valid only after wrapping such a message.
     */
    public MarkerRequestDecoder markerRequest()
    {
        return markerRequestDecoder;
    }

    /**
     * @return the checked ListRequest decoder; valid only after wrapping such a message.
     */
    public ListRequestDecoder listRequest()
    {
        return listRequestDecoder;
    }

    /**
     * @return the checked Response decoder; valid only after wrapping such a message. Read its status with
     * {@link #responseStatus()}, which never throws.
     */
    public ResponseDecoder response()
    {
        return responseDecoder;
    }

    /**
     * @return the checked ListEntry decoder; valid only after wrapping such a message.
     */
    public ListEntryDecoder listEntry()
    {
        return listEntryDecoder;
    }

    /**
     * @return the checked ListEnd decoder; valid only after wrapping such a message.
     */
    public ListEndDecoder listEnd()
    {
        return listEndDecoder;
    }

    /**
     * @return the checked StatsRequest decoder; valid only after wrapping such a message.
     */
    public StatsRequestDecoder statsRequest()
    {
        return statsRequestDecoder;
    }

    /**
     * @return the checked StatsEntry decoder; valid only after wrapping such a message.
     */
    public StatsEntryDecoder statsEntry()
    {
        return statsEntryDecoder;
    }

    /**
     * @return the checked StatsEnd decoder; valid only after wrapping such a message.
     */
    public StatsEndDecoder statsEnd()
    {
        return statsEndDecoder;
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
