package io.ptyq.bridge;

import io.ptyq.codec.control.DaemonProxy;
import io.ptyq.codec.control.SessionCommandException;

import java.nio.file.Path;

/**
 * The bridge's write path: keystrokes and resizes from pages that presented the write token, sent to the daemon
 * over one control connection, made on first use and made again after it is lost. Thread safe.
 */
final class DaemonInput implements AutoCloseable
{
    private final Path journalDir;
    private DaemonProxy proxy;
    private boolean closed;

    DaemonInput(final Path journalDir)
    {
        this.journalDir = journalDir;
    }

    /**
     * @param sessionId the session.
     * @param data      keystrokes.
     * @throws SessionCommandException with a one-line reason when the daemon refuses or cannot be reached.
     */
    synchronized void input(final long sessionId, final byte[] data)
    {
        call(proxy -> proxy.input(Long.toString(sessionId), data));
    }

    /**
     * @param sessionId the session.
     * @param cols      columns.
     * @param rows      rows.
     * @throws SessionCommandException with a one-line reason when the daemon refuses or cannot be reached.
     */
    synchronized void resize(final long sessionId, final int cols, final int rows)
    {
        call(proxy -> proxy.resize(Long.toString(sessionId), cols, rows));
    }

    private void call(final java.util.function.Consumer<DaemonProxy> request)
    {
        if (closed)
        {
            throw new SessionCommandException(SessionCommandException.Reason.FAILED, "the server is stopping");
        }
        // A connection lost since the last call (daemon restarted) fails once; a fresh one is tried before giving up.
        for (int attempt = 0; ; attempt++)
        {
            final boolean fresh = null == proxy;
            if (fresh)
            {
                proxy = DaemonProxy.connect(journalDir);
            }
            try
            {
                request.accept(proxy);
                return;
            }
            catch (final SessionCommandException ex)
            {
                if (ex.reason() != SessionCommandException.Reason.FAILED)
                {
                    throw ex;
                }
                proxy.close();
                proxy = null;
                if (fresh || attempt > 0)
                {
                    throw ex;
                }
            }
        }
    }

    @Override
    public synchronized void close()
    {
        closed = true;
        if (null != proxy)
        {
            proxy.close();
            proxy = null;
        }
    }
}
