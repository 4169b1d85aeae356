package io.ptyq.bridge;

import io.javalin.Javalin;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.NotFoundResponse;
import io.javalin.websocket.WsBinaryMessageContext;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsContext;
import io.ptyq.codec.control.SessionCommandException;
import io.ptyq.consumer.JournalReader;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code ptyq serve}: an HTTP server with the session list page, the xterm.js files, {@code /api/sessions} and one
 * WebSocket per session view at {@code /ws/sessions/ID}, speaking {@link BridgeProtocol}. Reads the journal
 * read-only; writes to sessions only for pages that present the write token, through the daemon's control socket.
 */
public final class BridgeServer implements AutoCloseable
{
    private static final int WS_CLOSE_PROTOCOL = 1008;
    private static final int WS_CLOSE_UNSUPPORTED = 1003;
    private static final long UNKNOWN_SESSION_WAIT_NS = 1_000_000_000L;

    private final Context ctx;
    private final JournalReader reader;
    private final DaemonInput daemonInput;
    private final SessionDirectory directory;
    private final BridgeAgent agent;
    private final AgentRunner agentRunner;
    private final OriginPolicy originPolicy;
    private final Map<String, Viewer> viewers = new ConcurrentHashMap<>();
    private final byte[] writeToken;
    private Javalin app;
    private boolean closed;

    private BridgeServer(final Context ctx)
    {
        this.ctx = ctx;
        this.writeToken = null == ctx.writeToken() ? null : ctx.writeToken().getBytes(StandardCharsets.UTF_8);
        this.originPolicy = new OriginPolicy(!ctx.allowRemote());
        final WebResources resources = new WebResources();
        this.reader = JournalReader.open(ctx.journalDir());
        this.daemonInput = new DaemonInput(ctx.journalDir());
        this.directory = new SessionDirectory(reader);
        this.agent = new BridgeAgent(reader, directory, ctx.errorHandler());
        this.agentRunner = new AgentRunner(agent.idleStrategy(ctx.idleStrategy()), ctx.errorHandler(), null, agent);
        AgentRunner.startOnThread(agentRunner);
        try
        {
            app = Javalin.create(config ->
            {
                config.startup.showJavalinBanner = false;
                config.startup.showOldJavalinVersionWarning = false;
                config.jetty.host = ctx.bindAddress();
                config.jetty.port = ctx.port();
                config.jetty.modifyWebSocketServletFactory(factory ->
                {
                    // Terminal output on a local socket: compressing it costs both ends CPU and gains nothing.
                    factory.getAvailableExtensionNames().remove("permessage-deflate");
                    factory.setMaxBinaryMessageSize(1 + BridgeProtocol.MAX_INPUT_LENGTH);
                    factory.setMaxTextMessageSize(1024);
                    factory.setIdleTimeout(Duration.ofSeconds(60));
                });
                config.routes.before(this::checkRequest);
                for (final Map.Entry<String, WebResources.Resource> entry : resources.byPath().entrySet())
                {
                    final WebResources.Resource resource = entry.getValue();
                    config.routes.get(entry.getKey(), http -> http.contentType(resource.contentType())
                        .header("Cache-Control", "no-cache").result(resource.bytes()));
                }
                config.routes.get("/api/sessions", http -> http.contentType("application/json")
                    .header("Cache-Control", "no-store").result(directory.snapshot().json()));
                config.routes.wsBeforeUpgrade("/ws/sessions/{id}", this::checkUpgrade);
                config.routes.ws("/ws/sessions/{id}", this::viewerSocket);
            });
            app.start();
        }
        catch (final RuntimeException ex)
        {
            close();
            throw new IllegalStateException("cannot listen on " + ctx.bindAddress() + ":" + ctx.port() + ": " +
                rootMessage(ex), ex);
        }
    }

    /**
     * Start serving.
     *
     * @param ctx the settings, concluded here.
     * @return the running server; close it to stop.
     * @throws IllegalArgumentException if a setting is not valid.
     * @throws IllegalStateException    if the address cannot be listened on.
     * @throws java.io.UncheckedIOException if the journal cannot be read.
     */
    public static BridgeServer launch(final Context ctx)
    {
        return new BridgeServer(ctx.conclude());
    }

    /**
     * @return the port listened on (the one chosen when the context asked for port 0).
     */
    public int port()
    {
        return app.port();
    }

    /**
     * @return the page's address.
     */
    public String url()
    {
        final String host = ctx.bindAddress().contains(":") ? "[" + ctx.bindAddress() + "]" : ctx.bindAddress();
        return "http://" + host + ":" + port() + "/";
    }

    /**
     * @return the number of open session views.
     */
    public int viewerCount()
    {
        return viewers.size();
    }

    /**
     * @return each open view's flow-control state, for diagnostics.
     */
    String describeViewers()
    {
        return viewers.values().toString();
    }

    private void checkRequest(final io.javalin.http.Context http)
    {
        if (null != originPolicy.checkHost(http.header("Host")))
        {
            // The reason names the Host; a response that echoes request headers is best avoided.
            throw new ForbiddenResponse("forbidden: Host is not a loopback name");
        }
        http.header("Content-Security-Policy", "default-src 'self'; connect-src 'self'; " +
            "style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'");
        http.header("X-Content-Type-Options", "nosniff");
        http.header("X-Frame-Options", "DENY");
        http.header("Referrer-Policy", "no-referrer");
    }

    private void checkUpgrade(final io.javalin.http.Context http) throws InterruptedException
    {
        if (null != originPolicy.checkUpgrade(http.header("Host"), http.header("Origin")))
        {
            throw new ForbiddenResponse("forbidden: cross-origin WebSocket or foreign Host");
        }
        final long sessionId = parseSessionId(http.pathParam("id"));
        if (sessionId < 0 || !isKnown(sessionId))
        {
            throw new NotFoundResponse("no session " + http.pathParam("id"));
        }
    }

    /**
     * A session started a moment ago may not be in the list yet: give the reader a moment to catch up.
     */
    private boolean isKnown(final long sessionId) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + UNKNOWN_SESSION_WAIT_NS;
        while (!directory.snapshot().byId().containsKey(sessionId))
        {
            if (System.nanoTime() - deadlineNs >= 0)
            {
                return false;
            }
            agent.wake();
            Thread.sleep(10);
        }

        return true;
    }

    private static long parseSessionId(final String text)
    {
        return text.matches("\\d{1,18}") ? Long.parseLong(text) : -1;
    }

    private void viewerSocket(final WsConfig ws)
    {
        ws.onConnect(socket ->
        {
            final long sessionId = parseSessionId(socket.pathParam("id"));
            final Viewer viewer = new Viewer(socket.session, sessionId, ctx, agent::wake);
            viewers.put(socket.sessionId(), viewer);
            socket.enableAutomaticPings(20, TimeUnit.SECONDS);
            agent.add(viewer);
        });
        ws.onBinaryMessage(this::onClientMessage);
        ws.onMessage(socket -> reject(socket, WS_CLOSE_UNSUPPORTED, "text messages are not part of the protocol"));
        ws.onClose(socket -> closed(socket));
        ws.onError(socket -> closed(socket));
    }

    private void closed(final WsContext socket)
    {
        final Viewer viewer = viewers.remove(socket.sessionId());
        if (null != viewer)
        {
            viewer.requestClose();
        }
    }

    private void reject(final WsContext socket, final int status, final String reason)
    {
        final Viewer viewer = viewers.remove(socket.sessionId());
        if (null != viewer)
        {
            viewer.close(status, reason);
        }
        else
        {
            socket.closeSession(status, reason);
        }
    }

    private void onClientMessage(final WsBinaryMessageContext socket)
    {
        final Viewer viewer = viewers.get(socket.sessionId());
        if (null == viewer)
        {
            return;
        }
        final ByteBuffer message = socket.data().slice().order(ByteOrder.LITTLE_ENDIAN);
        final int length = message.remaining();
        if (0 == length)
        {
            reject(socket, WS_CLOSE_PROTOCOL, "empty message");
            return;
        }
        final byte type = message.get(0);
        if (!viewer.resumed() && BridgeProtocol.CLIENT_RESUME != type)
        {
            reject(socket, WS_CLOSE_PROTOCOL, "the first message must be RESUME");
            return;
        }
        switch (type)
        {
            case BridgeProtocol.CLIENT_RESUME -> onResume(socket, viewer, message, length);
            case BridgeProtocol.CLIENT_ACK ->
            {
                if (BridgeProtocol.ACK_LENGTH != length)
                {
                    reject(socket, WS_CLOSE_PROTOCOL, "ACK must be " + BridgeProtocol.ACK_LENGTH + " bytes");
                }
                else if (!viewer.onAck(message.getLong(1)))
                {
                    reject(socket, WS_CLOSE_PROTOCOL, "ACK beyond the bytes sent");
                }
            }
            case BridgeProtocol.CLIENT_INPUT -> onInput(socket, viewer, message, length);
            case BridgeProtocol.CLIENT_RESIZE -> onResize(socket, viewer, message, length);
            default -> reject(socket, WS_CLOSE_PROTOCOL, String.format("unknown message type 0x%02x", type & 0xFF));
        }
    }

    private void onResume(final WsContext socket, final Viewer viewer, final ByteBuffer message, final int length)
    {
        if (viewer.resumed())
        {
            reject(socket, WS_CLOSE_PROTOCOL, "RESUME sent twice");
            return;
        }
        if (length < BridgeProtocol.RESUME_HEADER_LENGTH ||
            length > BridgeProtocol.RESUME_HEADER_LENGTH + BridgeProtocol.MAX_TOKEN_LENGTH)
        {
            reject(socket, WS_CLOSE_PROTOCOL, "RESUME must be 10 to 266 bytes");
            return;
        }
        final long position = message.getLong(1);
        final int flags = message.get(9) & 0xFF;
        if (position < 0 || (flags & ~BridgeProtocol.RESUME_REPLAY) != 0)
        {
            reject(socket, WS_CLOSE_PROTOCOL, "RESUME with a negative position or unknown flags");
            return;
        }
        final byte[] token = new byte[length - BridgeProtocol.RESUME_HEADER_LENGTH];
        message.get(BridgeProtocol.RESUME_HEADER_LENGTH, token);
        final boolean writable = token.length > 0 && null != writeToken && MessageDigest.isEqual(token, writeToken);
        viewer.onResume(position, (flags & BridgeProtocol.RESUME_REPLAY) != 0, writable);
        if (token.length > 0 && !writable)
        {
            viewer.notice(null == writeToken ? "this server has no write token: read-only" :
                "wrong write token: read-only");
        }
    }

    private void onInput(final WsContext socket, final Viewer viewer, final ByteBuffer message, final int length)
    {
        if (length < 2)
        {
            reject(socket, WS_CLOSE_PROTOCOL, "INPUT without bytes");
            return;
        }
        if (!viewer.writable())
        {
            viewer.notice("read-only: input refused (no write token)");
            return;
        }
        final byte[] data = new byte[length - 1];
        message.get(1, data);
        try
        {
            daemonInput.input(viewer.sessionId(), data);
        }
        catch (final SessionCommandException ex)
        {
            viewer.notice("input refused: " + ex.getMessage());
        }
    }

    private void onResize(final WsContext socket, final Viewer viewer, final ByteBuffer message, final int length)
    {
        if (BridgeProtocol.CLIENT_RESIZE_LENGTH != length)
        {
            reject(socket, WS_CLOSE_PROTOCOL, "RESIZE must be " + BridgeProtocol.CLIENT_RESIZE_LENGTH + " bytes");
            return;
        }
        final int cols = message.getShort(1) & 0xFFFF;
        final int rows = message.getShort(3) & 0xFFFF;
        if (cols < 1 || rows < 1 || cols > 4096 || rows > 4096)
        {
            reject(socket, WS_CLOSE_PROTOCOL, "RESIZE to " + cols + "x" + rows + " is out of range");
            return;
        }
        if (!viewer.writable())
        {
            viewer.notice("read-only: resize refused (no write token)");
            return;
        }
        try
        {
            daemonInput.resize(viewer.sessionId(), cols, rows);
        }
        catch (final SessionCommandException ex)
        {
            viewer.notice("resize refused: " + ex.getMessage());
        }
    }

    private static String rootMessage(final Throwable ex)
    {
        Throwable cause = ex;
        while (null != cause.getCause() && cause.getCause() != cause)
        {
            cause = cause.getCause();
        }
        return null == cause.getMessage() ? cause.toString() : cause.getMessage();
    }

    /**
     * Stop serving: closes every socket, the reader thread, the journal and the daemon connection. Idempotent.
     */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (null != app)
        {
            app.stop();
        }
        agentRunner.close();
        daemonInput.close();
        reader.close();
    }

    /**
     * Settings of a {@link BridgeServer}; defaults: 127.0.0.1, port 7681, read-only, watermarks 4 MiB / 3 MiB.
     */
    public static final class Context
    {
        /**
         * Default high watermark: a viewer's unacknowledged bytes above which its journal reading stops.
         */
        public static final int DEFAULT_HIGH_WATERMARK = 4 * 1024 * 1024;

        /**
         * Default low watermark: unacknowledged bytes below which a stopped viewer reads again.
         */
        public static final int DEFAULT_LOW_WATERMARK = 3 * 1024 * 1024;

        private Path journalDir;
        private String bindAddress = "127.0.0.1";
        private int port = 7681;
        private boolean allowRemote;
        private String writeToken;
        private int highWatermark = Integer.getInteger("ptyq.bridge.high.watermark", DEFAULT_HIGH_WATERMARK);
        private int lowWatermark = Integer.getInteger("ptyq.bridge.low.watermark", DEFAULT_LOW_WATERMARK);
        private int sendRingMessages = 4096;
        private ErrorHandler errorHandler = ex -> System.err.println("ptyq serve: " + ex);
        private IdleStrategy idleStrategy = new BackoffIdleStrategy(100, 10, 1_000, 1_000_000);

        /**
         * @param journalDir the journal to serve.
         * @return this.
         */
        public Context journalDir(final Path journalDir)
        {
            this.journalDir = journalDir;
            return this;
        }

        /**
         * @return the journal to serve.
         */
        public Path journalDir()
        {
            return journalDir;
        }

        /**
         * @param bindAddress the address to listen on.
         * @return this.
         */
        public Context bindAddress(final String bindAddress)
        {
            this.bindAddress = bindAddress;
            return this;
        }

        /**
         * @return the address to listen on.
         */
        public String bindAddress()
        {
            return bindAddress;
        }

        /**
         * @param port the port to listen on; 0 picks a free one.
         * @return this.
         */
        public Context port(final int port)
        {
            this.port = port;
            return this;
        }

        /**
         * @return the port to listen on.
         */
        public int port()
        {
            return port;
        }

        /**
         * @param allowRemote whether an address that is not loopback may be listened on.
         * @return this.
         */
        public Context allowRemote(final boolean allowRemote)
        {
            this.allowRemote = allowRemote;
            return this;
        }

        /**
         * @return whether an address that is not loopback may be listened on.
         */
        public boolean allowRemote()
        {
            return allowRemote;
        }

        /**
         * @param writeToken the secret a page presents to type into sessions; null for read-only.
         * @return this.
         */
        public Context writeToken(final String writeToken)
        {
            this.writeToken = writeToken;
            return this;
        }

        /**
         * @return the write token, or null.
         */
        public String writeToken()
        {
            return writeToken;
        }

        /**
         * @param highWatermark unacknowledged bytes above which a viewer's journal reading stops.
         * @return this.
         */
        public Context highWatermark(final int highWatermark)
        {
            this.highWatermark = highWatermark;
            return this;
        }

        /**
         * @return unacknowledged bytes above which a viewer's journal reading stops.
         */
        public int highWatermark()
        {
            return highWatermark;
        }

        /**
         * @param lowWatermark unacknowledged bytes below which a stopped viewer reads again.
         * @return this.
         */
        public Context lowWatermark(final int lowWatermark)
        {
            this.lowWatermark = lowWatermark;
            return this;
        }

        /**
         * @return unacknowledged bytes below which a stopped viewer reads again.
         */
        public int lowWatermark()
        {
            return lowWatermark;
        }

        /**
         * @return bytes of each viewer's send ring: the high watermark, a largest frame and room for small messages.
         */
        int sendRingBytes()
        {
            return highWatermark + 2 * Viewer.FRAME_RESERVE;
        }

        /**
         * @return most messages in flight per viewer.
         */
        int sendRingMessages()
        {
            return sendRingMessages;
        }

        /**
         * @param errorHandler where unexpected errors go.
         * @return this.
         */
        public Context errorHandler(final ErrorHandler errorHandler)
        {
            this.errorHandler = errorHandler;
            return this;
        }

        /**
         * @return where unexpected errors go.
         */
        public ErrorHandler errorHandler()
        {
            return errorHandler;
        }

        /**
         * @param idleStrategy how the reader thread waits when there is nothing to send while views are open
         *                     (with none open it waits 50 ms at a time).
         * @return this.
         */
        public Context idleStrategy(final IdleStrategy idleStrategy)
        {
            this.idleStrategy = idleStrategy;
            return this;
        }

        /**
         * @return how the reader thread waits when there is nothing to send.
         */
        public IdleStrategy idleStrategy()
        {
            return idleStrategy;
        }

        /**
         * Check the settings once.
         *
         * @return this.
         * @throws IllegalArgumentException with a one-line reason if a setting is not valid.
         */
        public Context conclude()
        {
            Objects.requireNonNull(journalDir, "journalDir");
            Objects.requireNonNull(errorHandler, "errorHandler");
            Objects.requireNonNull(idleStrategy, "idleStrategy");
            if (port < 0 || port > 65535)
            {
                throw new IllegalArgumentException("port must be 0..65535, not " + port);
            }
            if (lowWatermark < 0 || highWatermark < 64 * 1024 || lowWatermark >= highWatermark ||
                highWatermark > 256 * 1024 * 1024)
            {
                throw new IllegalArgumentException("watermarks need 0 <= low < high, 64 KiB <= high <= 256 MiB: " +
                    "low " + lowWatermark + ", high " + highWatermark);
            }
            if (null != writeToken && (writeToken.isEmpty() ||
                writeToken.getBytes(StandardCharsets.UTF_8).length > BridgeProtocol.MAX_TOKEN_LENGTH))
            {
                throw new IllegalArgumentException("the write token must be 1 to " + BridgeProtocol.MAX_TOKEN_LENGTH +
                    " bytes");
            }
            if (!allowRemote && !isLoopback(bindAddress))
            {
                throw new IllegalArgumentException("'" + bindAddress + "' is not a loopback address; listening " +
                    "there needs --allow-remote");
            }

            return this;
        }

        /**
         * @param address a host name or address literal.
         * @return whether it is a loopback address.
         * @throws IllegalArgumentException if it cannot be resolved.
         */
        public static boolean isLoopback(final String address)
        {
            try
            {
                return InetAddress.getByName(Objects.requireNonNull(address, "bindAddress")).isLoopbackAddress();
            }
            catch (final UnknownHostException ex)
            {
                throw new IllegalArgumentException("cannot resolve bind address '" + address + "'");
            }
        }
    }
}
