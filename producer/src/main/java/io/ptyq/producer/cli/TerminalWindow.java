package io.ptyq.producer.cli;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/**
 * The size of the terminal on stdin or stdout, read with {@code ioctl(TIOCGWINSZ)}: {@code ptyq record} needs it
 * before the session starts, and opening (then closing) a JLine system terminal just for it would detach the
 * process's standard streams.
 */
final class TerminalWindow
{
    private static final long TIOCGWINSZ = 0x5413;

    private TerminalWindow()
    {
    }

    /**
     * @return {@code cols << 32 | rows}, or -1 when neither stdin nor stdout is a terminal with a size.
     */
    static long size()
    {
        for (int fd = 0; fd <= 1; fd++)
        {
            final long size = size(fd);
            if (size > 0)
            {
                return size;
            }
        }

        return -1;
    }

    private static long size(final int fd)
    {
        try (Memory winsize = new Memory(8))
        {
            winsize.clear();
            LibC.INSTANCE.ioctl(fd, new NativeLong(TIOCGWINSZ), winsize);
            final int rows = winsize.getShort(0) & 0xFFFF;
            final int cols = winsize.getShort(2) & 0xFFFF;

            return rows > 0 && cols > 0 ? (long)cols << 32 | rows : -1;
        }
        catch (final LastErrorException | UnsatisfiedLinkError ex)
        {
            return -1;
        }
    }

    private interface LibC extends Library
    {
        LibC INSTANCE = Native.load("c", LibC.class);

        int ioctl(int fd, NativeLong request, Pointer argument) throws LastErrorException;
    }
}
