package io.ptyq.consumer.asciicast;

/**
 * Escapes an {@link ExportBatch} into its asciicast bytes: each piece of output and input as (part of) an event's
 * JSON string, UTF-8 to UTF-8 with invalid bytes as U+FFFD, with the event times and lines the reader worked out.
 * Its escapers start each batch from what the batch says they carry, so batches can be escaped by different
 * instances on different threads, in any order, and their bytes still join up; it checks that what it carries out
 * of a batch is what the reader worked out. One thread per instance; no allocation.
 */
final class BatchEscaper
{
    private static final byte[] OUTPUT_CODE = AsciicastLines.OUTPUT_CODE;
    private static final byte[] INPUT_CODE = AsciicastLines.INPUT_CODE;
    private static final byte[] EVENT_END = AsciicastLines.bytes("\"]\n");

    private final JsonStringEscaper outputEscaper = new JsonStringEscaper();
    private final JsonStringEscaper inputEscaper = new JsonStringEscaper();

    /**
     * @return invalid UTF-8 sequences this instance wrote as U+FFFD.
     */
    long replacements()
    {
        return outputEscaper.replacements() + inputEscaper.replacements();
    }

    /**
     * Escape the batch into its own buffer.
     */
    void escape(final ExportBatch batch)
    {
        outputEscaper.carry(batch.outputCarry(), batch.outputCarryLength());
        inputEscaper.carry(batch.inputCarry(), batch.inputCarryLength());
        final byte[] dst = batch.escapeBuffer();
        final byte[] data = batch.data();
        int p = 0;
        for (int i = 0, count = batch.eventCount(); i < count; i++)
        {
            switch (batch.kind(i))
            {
                case ExportBatch.OUTPUT:
                    p = piece(batch, i, OUTPUT_CODE, outputEscaper, data, dst, p);
                    break;
                case ExportBatch.INPUT:
                    p = piece(batch, i, INPUT_CODE, inputEscaper, data, dst, p);
                    break;
                case ExportBatch.FLUSH_OUTPUT:
                    outputEscaper.carry(batch.outputCarry(), 0);
                    p = copy(batch.line(i), dst, p);
                    break;
                case ExportBatch.FLUSH_INPUT:
                    inputEscaper.carry(batch.inputCarry(), 0);
                    p = copy(batch.line(i), dst, p);
                    break;
                default:
                    p = copy(batch.line(i), dst, p);
                    break;
            }
        }
        if (outputEscaper.pendingLength() != batch.outputCarryAtEnd() ||
            inputEscaper.pendingLength() != batch.inputCarryAtEnd())
        {
            throw new IllegalStateException("the UTF-8 carried out of a batch is not what the reader worked out");
        }
        batch.escaped(p);
    }

    private static int piece(
        final ExportBatch batch, final int i, final byte[] code, final JsonStringEscaper escaper,
        final byte[] data, final byte[] dst, final int start)
    {
        final int flags = batch.flags(i);
        if (0 != (flags & ExportBatch.CARRIED))
        {
            // A frame whose bytes all wait for the next one: no event.
            if (escaper.escape(data, batch.offset(i), batch.length(i), dst, start) != start)
            {
                throw new IllegalStateException("a frame worked out to write nothing wrote something");
            }
            return start;
        }
        int p = start;
        if (0 != (flags & ExportBatch.FIRST))
        {
            p = AsciicastLines.eventStart(dst, p, batch.timeMicros(i), code);
        }
        p = escaper.escape(data, batch.offset(i), batch.length(i), dst, p);
        if (0 != (flags & ExportBatch.LAST))
        {
            System.arraycopy(EVENT_END, 0, dst, p, EVENT_END.length);
            p += EVENT_END.length;
        }

        return p;
    }

    private static int copy(final byte[] line, final byte[] dst, final int p)
    {
        System.arraycopy(line, 0, dst, p, line.length);
        return p + line.length;
    }
}
