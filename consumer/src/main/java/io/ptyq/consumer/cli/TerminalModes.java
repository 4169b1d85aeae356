package io.ptyq.consumer.cli;

import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * Watches the bytes written to the local terminal for the modes a full-screen program turns on (alternate screen,
 * mouse reporting, bracketed paste, application keys, hidden cursor) so that a detach can turn them off again.
 * <p>
 * Recognises {@code ESC [ ? Pm h|l} and {@code ESC =|>}, split across writes or not. Not thread safe.
 */
final class TerminalModes
{
    // Private modes worth undoing, in the order they are turned off: alternate screens first, so the rest
    // applies to the screen the user returns to.
    private static final int[] RESET_MODES = { 1049, 1047, 47, 9, 1000, 1001, 1002, 1003, 1004, 1005, 1006, 1015,
        2004, 1 };
    private static final int CURSOR_VISIBLE = 25;
    private static final int MAX_MODE = 2048;
    private static final int MAX_PARAM = 99_999;

    private static final byte ESC = 0x1b;

    private enum State
    {
        GROUND, ESCAPE, CSI, PRIVATE
    }

    private final boolean[] set = new boolean[MAX_MODE];
    private State state = State.GROUND;
    private int param;
    private int paramCount;
    private final int[] params = new int[16];
    private boolean cursorHidden;
    private boolean keypadApplication;

    /**
     * @param buffer holds the bytes.
     * @param offset of the first byte.
     * @param length of the bytes.
     */
    void onBytes(final DirectBuffer buffer, final int offset, final int length)
    {
        for (int i = offset, end = offset + length; i < end; i++)
        {
            onByte(buffer.getByte(i));
        }
    }

    /**
     * @param bytes holds the bytes.
     * @param offset of the first byte.
     * @param length of the bytes.
     */
    void onBytes(final byte[] bytes, final int offset, final int length)
    {
        for (int i = offset, end = offset + length; i < end; i++)
        {
            onByte(bytes[i]);
        }
    }

    private void onByte(final byte b)
    {
        switch (state)
        {
            case GROUND:
                if (ESC == b)
                {
                    state = State.ESCAPE;
                }
                break;

            case ESCAPE:
                if ('[' == b)
                {
                    state = State.CSI;
                }
                else
                {
                    if ('=' == b)
                    {
                        keypadApplication = true;
                    }
                    else if ('>' == b)
                    {
                        keypadApplication = false;
                    }
                    state = ESC == b ? State.ESCAPE : State.GROUND;
                }
                break;

            case CSI:
                if ('?' == b)
                {
                    state = State.PRIVATE;
                    param = 0;
                    paramCount = 0;
                }
                else
                {
                    state = ESC == b ? State.ESCAPE : State.GROUND;
                }
                break;

            case PRIVATE:
                onPrivateByte(b);
                break;

            default:
                state = State.GROUND;
                break;
        }
    }

    private void onPrivateByte(final byte b)
    {
        if (b >= '0' && b <= '9')
        {
            param = Math.min(MAX_PARAM, param * 10 + (b - '0'));
        }
        else if (';' == b)
        {
            pushParam();
        }
        else if ('h' == b || 'l' == b)
        {
            pushParam();
            for (int i = 0; i < paramCount; i++)
            {
                apply(params[i], 'h' == b);
            }
            state = State.GROUND;
        }
        else
        {
            // Any other final or intermediate byte is a sequence this class does not track.
            state = ESC == b ? State.ESCAPE : State.GROUND;
        }
    }

    private void pushParam()
    {
        if (paramCount < params.length)
        {
            params[paramCount++] = param;
        }
        param = 0;
    }

    private void apply(final int mode, final boolean on)
    {
        if (CURSOR_VISIBLE == mode)
        {
            cursorHidden = !on;
        }
        else if (mode < MAX_MODE)
        {
            set[mode] = on;
        }
    }

    /**
     * @return the bytes that turn off every tracked mode now on and reset colours; never empty.
     */
    byte[] resetSequence()
    {
        final StringBuilder reset = new StringBuilder();
        for (final int mode : RESET_MODES)
        {
            if (set[mode])
            {
                reset.append("\033[?").append(mode).append('l');
            }
        }
        if (keypadApplication)
        {
            reset.append("\033>");
        }
        if (cursorHidden)
        {
            reset.append("\033[?25h");
        }
        reset.append("\033[0m");

        return reset.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
