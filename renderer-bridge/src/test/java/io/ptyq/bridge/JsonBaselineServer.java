package io.ptyq.bridge;

import io.javalin.Javalin;
import io.ptyq.codec.sbe.SessionExitedDecoder;
import io.ptyq.consumer.JournalAdapter;
import io.ptyq.consumer.JournalListener;
import io.ptyq.consumer.JournalReader;
import io.ptyq.consumer.SessionFilter;
import io.ptyq.consumer.StartPosition;
import org.agrona.DirectBuffer;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The format ptyq replaces, as a WebSocket server over the same journal: one text message per output frame,
 * {@code {"type":"output","sessionId":…,"streamPosition":…,"data":"<base64>"}}, each sent when the last one was
 * written (TCP's flow control, as typical servers have). Serves a blank page at {@code /} for the browser to run in.
 */
final class JsonBaselineServer implements AutoCloseable
{
    private final Path journal;
    private final Javalin app;

    JsonBaselineServer(final Path journal)
    {
        this.journal = journal;
        app = Javalin.create(config ->
        {
            config.startup.showJavalinBanner = false;
            config.jetty.host = "127.0.0.1";
            config.jetty.port = 0;
            config.jetty.modifyWebSocketServletFactory(factory ->
            {
                // The same as the bridge: no compression on a local socket.
                factory.getAvailableExtensionNames().remove("permessage-deflate");
                factory.setIdleTimeout(java.time.Duration.ofMinutes(5));
            });
            config.routes.get("/", http -> http.contentType("text/html").result("<!doctype html><title>json</title>"));
            config.routes.ws("/ws/json/{id}", ws -> ws.onConnect(socket ->
            {
                final long sessionId = Long.parseLong(socket.pathParam("id"));
                final Thread sender = new Thread(() -> stream(socket.session, sessionId), "json-baseline-sender");
                sender.setDaemon(true);
                sender.start();
            }));
        });
        app.start();
    }

    int port()
    {
        return app.port();
    }

    private void stream(final Session session, final long sessionId)
    {
        final Sender sender = new Sender(session, sessionId);
        try (JournalReader reader = JournalReader.open(journal);
            JournalAdapter adapter = reader.adapter(sender, StartPosition.beginning(), SessionFilter.only(sessionId)))
        {
            while (!sender.exited && session.isOpen())
            {
                if (0 == adapter.poll(256))
                {
                    Thread.onSpinWait();
                }
            }
        }
    }

    @Override
    public void close()
    {
        app.stop();
    }

    /**
     * Encodes each output frame as JSON with base64 data and sends it.
     */
    private static final class Sender implements JournalListener
    {
        private final Session session;
        private final long sessionId;
        private final Base64.Encoder base64 = Base64.getEncoder();
        private byte[] copy = new byte[64 * 1024];
        private boolean exited;

        Sender(final Session session, final long sessionId)
        {
            this.session = session;
            this.sessionId = sessionId;
        }

        @Override
        public void onOutput(
            final long index, final long sessionId, final long streamPosition, final long timestampNs,
            final DirectBuffer buffer, final int offset, final int length)
        {
            if (copy.length < length)
            {
                copy = new byte[length];
            }
            buffer.getBytes(offset, copy, 0, length);
            final String data = base64.encodeToString(length == copy.length ? copy :
                java.util.Arrays.copyOf(copy, length));
            send("{\"type\":\"output\",\"sessionId\":" + sessionId + ",\"streamPosition\":" + streamPosition +
                ",\"data\":\"" + data + "\"}");
        }

        @Override
        public void onSessionExited(final long index, final SessionExitedDecoder decoder)
        {
            if (decoder.sessionId() == sessionId)
            {
                send("{\"type\":\"exit\",\"sessionId\":" + sessionId + ",\"exitCode\":" + decoder.exitCode() + "}");
                exited = true;
            }
        }

        private void send(final String json)
        {
            final Callback.Completable sent = new Callback.Completable();
            session.sendText(json, sent);
            try
            {
                sent.get(60, TimeUnit.SECONDS);
            }
            catch (final InterruptedException | ExecutionException | TimeoutException ex)
            {
                throw new IllegalStateException("baseline send failed: " + ex, ex);
            }
        }
    }
}
