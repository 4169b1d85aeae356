package io.ptyq.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;

import java.io.IOException;
import java.util.Base64;

/**
 * The baseline ptyq replaces: an Output event as UTF-8 JSON text with its bytes base64-encoded, as it would cross a
 * WebSocket or IPC channel, via Jackson databind with a reused reader and writer. Not thread safe.
 */
final class JsonOutputCodec
{
    static final String OUTPUT_TYPE = "output";

    private final ObjectWriter writer;
    private final ObjectReader reader;
    private final ObjectWriter binaryWriter;
    private final ObjectReader binaryReader;
    private final Base64.Encoder base64Encoder = Base64.getEncoder();
    private final Base64.Decoder base64Decoder = Base64.getDecoder();
    private final OutputEvent event = new OutputEvent();
    private final BinaryOutputEvent binaryEvent = new BinaryOutputEvent();

    JsonOutputCodec()
    {
        final ObjectMapper mapper = new ObjectMapper();
        writer = mapper.writerFor(OutputEvent.class);
        reader = mapper.readerFor(OutputEvent.class);
        binaryWriter = mapper.writerFor(BinaryOutputEvent.class);
        binaryReader = mapper.readerFor(BinaryOutputEvent.class);
    }

    /**
     * Encode with {@link java.util.Base64} into a string field, then serialise to UTF-8 JSON.
     *
     * @return the bytes on the wire.
     */
    byte[] encode(
        final long sessionId, final long streamPosition, final long timestampNs, final byte[] src)
        throws IOException
    {
        event.type = OUTPUT_TYPE;
        event.sessionId = sessionId;
        event.streamPosition = streamPosition;
        event.timestampNs = timestampNs;
        event.data = base64Encoder.encodeToString(src);

        return writer.writeValueAsBytes(event);
    }

    /**
     * Parse the UTF-8 JSON into an event; {@link #data(OutputEvent)} then base64-decodes its bytes.
     *
     * @return the event, its {@code data} field still base64 text.
     */
    OutputEvent decode(final byte[] wire) throws IOException
    {
        final OutputEvent decoded = reader.readValue(wire);
        if (!OUTPUT_TYPE.equals(decoded.type))
        {
            throw new IOException("not an output event: " + decoded.type);
        }

        return decoded;
    }

    /**
     * @return the raw output bytes of a decoded event, base64-decoded with {@link java.util.Base64}.
     */
    byte[] data(final OutputEvent decoded)
    {
        return base64Decoder.decode(decoded.data);
    }

    /**
     * Serialise with Jackson's own base64 for a {@code byte[]} field; the same JSON text as {@link #encode}.
     *
     * @return the bytes on the wire.
     */
    byte[] encodeBinary(
        final long sessionId, final long streamPosition, final long timestampNs, final byte[] src)
        throws IOException
    {
        binaryEvent.type = OUTPUT_TYPE;
        binaryEvent.sessionId = sessionId;
        binaryEvent.streamPosition = streamPosition;
        binaryEvent.timestampNs = timestampNs;
        binaryEvent.data = src;

        return binaryWriter.writeValueAsBytes(binaryEvent);
    }

    /**
     * Parse the UTF-8 JSON; Jackson base64-decodes the {@code data} field into a {@code byte[]}.
     *
     * @return the decoded event.
     */
    BinaryOutputEvent decodeBinary(final byte[] wire) throws IOException
    {
        final BinaryOutputEvent decoded = binaryReader.readValue(wire);
        if (!OUTPUT_TYPE.equals(decoded.type))
        {
            throw new IOException("not an output event: " + decoded.type);
        }

        return decoded;
    }
}
