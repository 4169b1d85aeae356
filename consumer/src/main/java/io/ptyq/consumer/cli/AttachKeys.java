package io.ptyq.consumer.cli;

import io.ptyq.codec.control.SessionCommandException;
import io.ptyq.codec.control.SessionCommands;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads keystrokes from the raw terminal on its own thread ({@code attach-keys}): watches for the detach key and,
 * when attached with {@code --write}, forwards everything before it to the session, one request per read so that
 * whatever arrived together goes together.
 */
final class AttachKeys implements Runnable
{
    /**
     * Ctrl-] detaches, as in telnet: rarely needed by programs, unlike Ctrl-\ (SIGQUIT) or Ctrl-C.
     */
    static final byte DETACH_KEY = 0x1d;

    /**
     * Ctrl-C also detaches a read-only attach, where it could not reach the session anyway.
     */
    static final byte INTERRUPT_KEY = 0x03;

    private static final byte ESC = 0x1b;

    private final InputStream in;
    private final SessionCommands proxy;
    private final String session;
    private final boolean detachKeys;
    private final Thread thread;
    private volatile boolean caughtUp;
    private volatile long forwardFromNs;
    private volatile boolean detached;
    private volatile String failure;

    /**
     * @param in      the terminal's input (stdin, in raw mode).
     * @param proxy      the daemon to send keys to, or null for a read-only attach.
     * @param session    the session id to send keys to.
     * @param detachKeys whether Ctrl-] (and Ctrl-C when read-only) detach; without them every key is forwarded.
     */
    AttachKeys(final InputStream in, final SessionCommands proxy, final String session, final boolean detachKeys)
    {
        this.in = in;
        this.proxy = proxy;
        this.session = session;
        this.detachKeys = detachKeys;
        thread = new Thread(this, "attach-keys");
        // A read of stdin cannot be interrupted; the thread must not keep the JVM alive after a detach.
        thread.setDaemon(true);
    }

    void start()
    {
        thread.start();
    }

    /**
     * Forward escape sequences only once the history is written, after a grace period: the terminal answers queries
     * in the history (cursor position, device attributes, colours) on stdin, and those answers are not for the live
     * session. Until then a read that starts with ESC is dropped; plain keys always go through.
     *
     * @param graceNs how long after now escape sequences are still dropped.
     */
    void forwardAfter(final long graceNs)
    {
        if (!caughtUp)
        {
            forwardFromNs = System.nanoTime() + graceNs;
            caughtUp = true;
        }
    }

    /**
     * @return whether the detach key was pressed.
     */
    boolean detached()
    {
        return detached;
    }

    /**
     * @return why forwarding keys failed (a lost daemon), or null.
     */
    String failure()
    {
        return failure;
    }

    /**
     * @param bytes    keys as read.
     * @param length   how many.
     * @param readOnly whether Ctrl-C detaches too.
     * @return the index of the first key that detaches, or -1.
     */
    static int detachIndex(final byte[] bytes, final int length, final boolean readOnly)
    {
        for (int i = 0; i < length; i++)
        {
            if (DETACH_KEY == bytes[i] || (readOnly && INTERRUPT_KEY == bytes[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private boolean isStaleAnswer(final byte[] keys)
    {
        return ESC == keys[0] && !(caughtUp && System.nanoTime() - forwardFromNs >= 0);
    }

    @Override
    public void run()
    {
        final byte[] buffer = new byte[4096];
        try
        {
            while (true)
            {
                final int length = in.read(buffer);
                if (length < 0)
                {
                    return;
                }
                final int detachAt = detachKeys ? detachIndex(buffer, length, null == proxy) : -1;
                final int forward = detachAt < 0 ? length : detachAt;
                if (null != proxy && forward > 0 && !isStaleAnswer(buffer))
                {
                    proxy.input(session, Arrays.copyOf(buffer, forward));
                }
                if (detachAt >= 0)
                {
                    detached = true;
                    return;
                }
            }
        }
        catch (final IOException ex)
        {
            failure = "cannot read the terminal: " + ex.getMessage();
        }
        catch (final SessionCommandException ex)
        {
            // NOT_FOUND: the session just ended; its exit frame is on its way and ends the attach.
            if (SessionCommandException.Reason.NOT_FOUND != ex.reason())
            {
                failure = ex.getMessage();
            }
        }
    }
}
