package io.ptyq.consumer.cli;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What a detach turns off after a session's bytes turned modes on.
 */
class TerminalModesTest
{
    private static final String SGR_RESET = "\033[0m";

    @Test
    void shouldOnlyResetColoursWhenNothingWasTurnedOn()
    {
        final TerminalModes modes = new TerminalModes();
        feed(modes, "plain \033[31mred\033[0m \033[2J\033[H\033[?1049l");

        assertEquals(SGR_RESET, reset(modes));
    }

    @Test
    void shouldTurnOffWhatAFullScreenProgramTurnedOn()
    {
        final TerminalModes modes = new TerminalModes();
        feed(modes, "\033[?1049h\033[?1h\033=\033[?25l\033[?1000;1006h\033[?2004h");

        assertEquals("\033[?1049l\033[?1000l\033[?1006l\033[?2004l\033[?1l\033>\033[?25h" + SGR_RESET, reset(modes));
    }

    @Test
    void shouldForgetModesTheProgramTurnedOffItself()
    {
        final TerminalModes modes = new TerminalModes();
        feed(modes, "\033[?1049h\033[?25l\033=vi\033[?1049l\033[?25h\033>");

        assertEquals(SGR_RESET, reset(modes));
    }

    @Test
    void shouldFollowSequencesSplitAcrossWrites()
    {
        final TerminalModes modes = new TerminalModes();
        final byte[] bytes = "\033[?1049h\033[?2004h".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < bytes.length; i++)
        {
            modes.onBytes(new UnsafeBuffer(bytes), i, 1);
        }

        assertEquals("\033[?1049l\033[?2004l" + SGR_RESET, reset(modes));
    }

    @Test
    void shouldIgnoreOtherSequencesAndHugeParameters()
    {
        final TerminalModes modes = new TerminalModes();
        feed(modes, "\033[1000h\033]0;title\007\033[?99999999h\033\033[?47h\033[?12;h");

        assertEquals("\033[?47l" + SGR_RESET, reset(modes));
    }

    private static void feed(final TerminalModes modes, final String text)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        modes.onBytes(bytes, 0, bytes.length);
    }

    private static String reset(final TerminalModes modes)
    {
        return new String(modes.resetSequence(), StandardCharsets.US_ASCII);
    }
}
