package io.ptyq.consumer.cli;

import org.jline.terminal.Attributes;
import org.jline.terminal.Attributes.ControlChar;
import org.jline.terminal.Attributes.InputFlag;
import org.jline.terminal.Attributes.LocalFlag;
import org.jline.terminal.Attributes.OutputFlag;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

import java.io.Console;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * This process's terminal, put in raw mode for {@code ptyq attach} (JLine): no echo, no line editing, no signals
 * from keys, output passed through untouched. {@link #close()} always puts it back, turning off the modes the
 * session turned on; a JVM shutdown (SIGTERM, SIGHUP) does the same. Open it on one thread, close it once.
 */
final class AttachTerminal implements AutoCloseable
{
    private final Terminal terminal;
    private final Attributes saved;
    private final OutputStream out;
    private final TerminalModes modes;
    private final AtomicBoolean resized = new AtomicBoolean();
    private final Thread shutdownHook = new Thread(this::restore, "attach-terminal-restore");
    private boolean restored;

    private AttachTerminal(
        final Terminal terminal, final Attributes saved, final OutputStream out, final TerminalModes modes)
    {
        this.terminal = terminal;
        this.saved = saved;
        this.out = out;
        this.modes = modes;
    }

    /**
     * Put the terminal in raw mode, if stdin and stdout are a terminal.
     *
     * @param out   where the session's bytes go (stdout); the restore sequence is written there too.
     * @param modes tracks what the written bytes turned on.
     * @return the terminal, or null when this process has no terminal (input or output redirected).
     */
    static AttachTerminal open(final OutputStream out, final TerminalModes modes)
    {
        if (!hasTerminal())
        {
            return null;
        }

        final Terminal terminal;
        try
        {
            terminal = TerminalBuilder.builder().system(true).dumb(false).build();
        }
        catch (final IOException | IllegalStateException ex)
        {
            // No usable system terminal after all: attach still works, as a plain reader.
            return null;
        }

        final Attributes saved = terminal.getAttributes();
        final AttachTerminal attachTerminal = new AttachTerminal(terminal, saved, out, modes);
        Runtime.getRuntime().addShutdownHook(attachTerminal.shutdownHook);
        terminal.setAttributes(raw(saved));
        terminal.handle(Terminal.Signal.WINCH, signal -> attachTerminal.resized.set(true));

        return attachTerminal;
    }

    private static boolean hasTerminal()
    {
        final Console console = System.console();
        if (null == console)
        {
            return false;
        }
        try
        {
            // From Java 22 there is a Console even when the streams are redirected; isTerminal() tells them apart.
            return (Boolean)Console.class.getMethod("isTerminal").invoke(console);
        }
        catch (final ReflectiveOperationException ex)
        {
            // Java 17 to 21: a console means stdin and stdout are a terminal.
            return true;
        }
    }

    /**
     * cfmakeraw(3), but keeping the character size and parity the terminal has.
     */
    private static Attributes raw(final Attributes saved)
    {
        final Attributes raw = new Attributes(saved);
        raw.setInputFlags(EnumSet.of(InputFlag.IGNBRK, InputFlag.BRKINT, InputFlag.PARMRK, InputFlag.ISTRIP,
            InputFlag.INLCR, InputFlag.IGNCR, InputFlag.ICRNL, InputFlag.IXON), false);
        raw.setOutputFlag(OutputFlag.OPOST, false);
        raw.setLocalFlags(EnumSet.of(LocalFlag.ECHO, LocalFlag.ECHONL, LocalFlag.ICANON, LocalFlag.ISIG,
            LocalFlag.IEXTEN), false);
        // Blocking reads that return as soon as one byte is there, with whatever else has arrived.
        raw.setControlChar(ControlChar.VMIN, 1);
        raw.setControlChar(ControlChar.VTIME, 0);

        return raw;
    }

    /**
     * @return the terminal's size now.
     */
    Size size()
    {
        return terminal.getSize();
    }

    /**
     * @return true once after each SIGWINCH.
     */
    boolean takeResized()
    {
        return resized.getAndSet(false);
    }

    /**
     * Turn off what the session turned on and give the terminal back its saved mode. Idempotent.
     */
    @Override
    public void close()
    {
        restore();
        try
        {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        }
        catch (final IllegalStateException ex)
        {
            // The JVM is already shutting down; the hook is running or has run restore().
        }
    }

    private synchronized void restore()
    {
        if (restored)
        {
            return;
        }
        restored = true;
        try
        {
            out.write(modes.resetSequence());
            out.flush();
        }
        catch (final IOException ex)
        {
            // The terminal may be gone (SIGHUP); the mode below is still worth restoring if it is not.
        }
        try
        {
            terminal.setAttributes(saved);
            // Closing also unregisters the signal handlers; JLine points stdout at /dev/null after it.
            terminal.close();
        }
        catch (final IOException | UncheckedIOException ex)
        {
            // Nothing more can be done for a terminal that cannot be reached.
        }
    }
}
