package io.ptyq.producer;

import io.ptyq.codec.control.SessionCommands;
import io.ptyq.codec.control.SessionSpec;
import io.ptyq.codec.control.SessionSummary;
import io.ptyq.codec.control.StatsCounter;
import io.ptyq.codec.control.SessionCommandException;
import io.ptyq.codec.control.DaemonProxy;
import io.ptyq.codec.control.FramedChannel;
import io.ptyq.codec.CommandLine;
import io.ptyq.codec.ControlFrameDecoder;
import io.ptyq.codec.InvalidFrameException;
import io.ptyq.codec.control.sbe.InputRequestDecoder;
import io.ptyq.codec.control.sbe.ListEndEncoder;
import io.ptyq.codec.control.sbe.ListEntryEncoder;
import io.ptyq.codec.control.sbe.ListRequestDecoder;
import io.ptyq.codec.control.sbe.MarkerRequestDecoder;
import io.ptyq.codec.control.sbe.MessageHeaderEncoder;
import io.ptyq.codec.control.sbe.NewSessionRequestDecoder;
import io.ptyq.codec.control.sbe.ResizeRequestDecoder;
import io.ptyq.codec.control.sbe.ResponseEncoder;
import io.ptyq.codec.control.sbe.ResponseStatus;
import io.ptyq.codec.control.sbe.SignalRequestDecoder;
import io.ptyq.codec.control.sbe.StatsEndEncoder;
import io.ptyq.codec.control.sbe.StatsEntryEncoder;
import io.ptyq.codec.control.sbe.StatsRequestDecoder;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The daemon's control endpoint: an owner-only Unix domain socket on which clients ({@link DaemonProxy}) send SBE
 * requests (schema 7302) that this server applies through {@link SessionCommands}.
 * <p>
 * The constructor binds the socket (0600) or fails; {@link #start()} runs a {@code control-server} thread that blocks
 * in accept, so an idle daemon spends no CPU on its control endpoint (no polling). Each accepted connection whose peer is the daemon's own user
 * gets a thread of its own ({@code control-connection-N}) that reads length-prefixed requests and answers each, so a
 * slow client or a slow command never holds up the others. A malformed or oversized frame gets a BAD_REQUEST
 * Response and the connection is closed. {@link #close()} stops accepting, closes every connection and removes the
 * socket file; it is idempotent and may be called from any thread.
 */
public final class ControlServer implements AutoCloseable
{
    /**
     * Name of the socket file inside the journal directory.
     */
    public static final String SOCKET_FILE_NAME = FramedChannel.SOCKET_FILE_NAME;

    /**
     * Connections served at once; more are answered with FAILED and closed.
     */
    static final int MAX_CONNECTIONS = 32;

    /**
     * Time within which a frame, once begun, must arrive whole, and an answer must be taken by the client.
     */
    static final long FRAME_TIMEOUT_MS = 10_000;

    private static final long CLOSE_JOIN_TIMEOUT_MS = 2_000;
    private static final long ACCEPT_ERROR_PAUSE_MS = 10;
    private static final int MAX_MESSAGE_CHARS = 1_000;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private final Path socketPath;
    private final SessionCommands commands;
    private final ErrorHandler errorHandler;
    private final UserPrincipal owner;
    private final ServerSocketChannel serverChannel;
    private final Object socketFileKey;
    private final Thread acceptThread;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    // Written by the accept thread only, read by connections answering a StatsRequest.
    private volatile long connectionCount;
    private volatile long refusedConnections;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong requestsRefused = new AtomicLong();
    private volatile boolean closed;

    /**
     * Bind the control socket at {@code socketPath}, replacing a stale socket file no daemon answers on.
     *
     * @param socketPath   where to create the socket, normally {@code <journalDir>/control.sock}.
     * @param commands     what requests are applied to; called from connection threads.
     * @param errorHandler receives I/O errors, protocol violations and unexpected failures of {@code commands}.
     * @throws IllegalStateException if a daemon already answers on {@code socketPath} or it is not a socket.
     * @throws UncheckedIOException  if the socket cannot be created.
     */
    public ControlServer(final Path socketPath, final SessionCommands commands, final ErrorHandler errorHandler)
    {
        this(socketPath, commands, errorHandler, null);
    }

    /**
     * As {@link #ControlServer(Path, SessionCommands, ErrorHandler)}, accepting only peers of {@code owner}; tests
     * use it to see a foreign peer refused.
     *
     * @param owner the only user allowed to connect, or null for the owner of the socket file (this process's user).
     */
    ControlServer(
        final Path socketPath,
        final SessionCommands commands,
        final ErrorHandler errorHandler,
        final UserPrincipal owner)
    {
        this.socketPath = socketPath.toAbsolutePath();
        this.commands = Objects.requireNonNull(commands, "commands");
        this.errorHandler = Objects.requireNonNull(errorHandler, "errorHandler");

        removeStaleSocket(this.socketPath);
        ServerSocketChannel channel = null;
        boolean bound = false;
        try
        {
            channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            channel.bind(UnixDomainSocketAddress.of(this.socketPath));
            bound = true;
            // The directory is already 0700; the file is made owner-only too, whatever the umask gave it.
            Files.setPosixFilePermissions(this.socketPath, OWNER_ONLY);
            this.socketFileKey = Files.readAttributes(
                this.socketPath, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            this.owner = null != owner ? owner : Files.getOwner(this.socketPath, LinkOption.NOFOLLOW_LINKS);
            this.serverChannel = channel;
            this.acceptThread = new Thread(this::acceptUntilClosed, "control-server");
            this.acceptThread.setDaemon(true);
        }
        catch (final IOException ex)
        {
            CloseHelper.quietClose(channel);
            if (bound)
            {
                deleteQuietly(this.socketPath);
            }
            throw new UncheckedIOException(
                "cannot create the control socket " + this.socketPath + ": " + ex.getMessage(), ex);
        }
    }

    private static void removeStaleSocket(final Path socketPath)
    {
        final int mode;
        try
        {
            mode = (Integer)Files.getAttribute(socketPath, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        }
        catch (final IOException ignore)
        {
            return;
        }

        if ((mode & S_IFMT) != S_IFSOCK)
        {
            throw new IllegalStateException(socketPath + " exists and is not a socket; remove it");
        }
        if (answers(socketPath))
        {
            throw new IllegalStateException("a ptyq daemon is already running on " + socketPath.getParent());
        }
        try
        {
            Files.deleteIfExists(socketPath);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot remove the stale control socket " + socketPath, ex);
        }
    }

    private static void deleteQuietly(final Path path)
    {
        try
        {
            Files.deleteIfExists(path);
        }
        catch (final IOException ignore)
        {
            // Best effort while already failing.
        }
    }

    private static boolean answers(final Path socketPath)
    {
        try
        {
            SocketChannel.open(UnixDomainSocketAddress.of(socketPath)).close();
            return true;
        }
        catch (final IOException notAnswering)
        {
            return false;
        }
    }

    /**
     * @return the socket's path.
     */
    public Path socketPath()
    {
        return socketPath;
    }

    /**
     * @return connections being served now.
     */
    public int connectionCount()
    {
        return connections.size();
    }

    /**
     * Start the {@code control-server} thread that accepts connections until {@link #close()}.
     */
    public void start()
    {
        acceptThread.start();
    }

    private void acceptUntilClosed()
    {
        while (!closed)
        {
            try
            {
                onAccept(serverChannel.accept());
            }
            catch (final ClosedChannelException ex)
            {
                if (!closed)
                {
                    errorHandler.onError(ex);
                }
                return;
            }
            catch (final IOException ex)
            {
                if (!closed)
                {
                    // Out of descriptors and the like: report, and do not spin while it lasts.
                    errorHandler.onError(ex);
                    pauseAfterError();
                }
            }
        }
    }

    private static void pauseAfterError()
    {
        try
        {
            Thread.sleep(ACCEPT_ERROR_PAUSE_MS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stop accepting, close every connection (waiting briefly for their threads) and remove the socket file.
     */
    @Override
    public void close()
    {
        synchronized (this)
        {
            if (closed)
            {
                return;
            }
            closed = true;
        }

        CloseHelper.close(errorHandler, serverChannel);
        if (Thread.currentThread() != acceptThread && acceptThread.isAlive())
        {
            joinQuietly(acceptThread, CLOSE_JOIN_TIMEOUT_MS);
        }
        for (final Connection connection : connections)
        {
            connection.abort();
        }
        for (final Connection connection : connections)
        {
            connection.join(CLOSE_JOIN_TIMEOUT_MS);
        }
        removeSocketFile();
    }

    private static void joinQuietly(final Thread thread, final long timeoutMs)
    {
        try
        {
            thread.join(timeoutMs);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void removeSocketFile()
    {
        try
        {
            // Only our own socket: another daemon may have replaced the file since.
            final Object fileKey = Files.readAttributes(
                socketPath, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            if (Objects.equals(socketFileKey, fileKey))
            {
                Files.deleteIfExists(socketPath);
            }
        }
        catch (final IOException ignore)
        {
            // Already gone.
        }
    }

    private void onAccept(final SocketChannel channel)
    {
        try
        {
            channel.configureBlocking(false);
            final UnixDomainPrincipal peer = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
            if (!owner.equals(peer.user()))
            {
                refusedConnections++;
                refuse(channel, "control connection refused: user " + peer.user().getName() +
                    " is not the daemon's owner " + owner.getName());
                return;
            }
            if (connections.size() >= MAX_CONNECTIONS)
            {
                refusedConnections++;
                refuse(channel, "control connection refused: " + MAX_CONNECTIONS + " connections already open");
                return;
            }

            final Connection connection = new Connection(channel, ++connectionCount);
            connections.add(connection);
            connection.start();
            if (closed)
            {
                // close() ran while this connection was being added and may not have seen it.
                connection.abort();
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            CloseHelper.quietClose(channel);
            errorHandler.onError(ex);
        }
    }

    private void refuse(final SocketChannel channel, final String message) throws IOException
    {
        try
        {
            final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
            final int length = encodeResponse(
                buffer, new ResponseEncoder(), new MessageHeaderEncoder(), 0, ResponseStatus.FAILED, 0, message);
            // One non-blocking write into a fresh socket's empty buffer: the client may not be listening.
            channel.write(ByteBuffer.wrap(buffer.byteArray(), 0, length));
        }
        finally
        {
            channel.close();
        }
        errorHandler.onError(new IOException(message));
    }

    /**
     * Encode a whole Response frame, length prefix included, at the start of {@code buffer}.
     *
     * @return the frame's length on the socket.
     */
    static int encodeResponse(
        final MutableDirectBuffer buffer,
        final ResponseEncoder encoder,
        final MessageHeaderEncoder headerEncoder,
        final long correlationId,
        final ResponseStatus status,
        final long sessionId,
        final String message)
    {
        final byte[] messageBytes = utf8(
            message.length() > MAX_MESSAGE_CHARS ? message.substring(0, MAX_MESSAGE_CHARS) : message);
        encoder.wrapAndApplyHeader(buffer, ControlFrameDecoder.LENGTH_PREFIX_LENGTH, headerEncoder)
            .correlationId(correlationId)
            .status(status)
            .sessionId(sessionId)
            .putMessage(messageBytes, 0, messageBytes.length);

        return FramedChannel.prefixLength(buffer, ControlFrameDecoder.HEADER_LENGTH + encoder.encodedLength());
    }

    /**
     * @return the UTF-8 of {@code value}, cut at a character boundary to fit one text field.
     */
    static byte[] utf8(final String value)
    {
        final byte[] bytes = null == value ? new byte[0] : value.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= ControlFrameDecoder.MAX_TEXT_LENGTH)
        {
            return bytes;
        }

        int length = ControlFrameDecoder.MAX_TEXT_LENGTH;
        while (length > 0 && (bytes[length] & 0xC0) == 0x80)
        {
            length--;
        }
        final byte[] cut = new byte[length];
        System.arraycopy(bytes, 0, cut, 0, length);

        return cut;
    }

    private static ResponseStatus status(final SessionCommandException.Reason reason)
    {
        switch (reason)
        {
            case NOT_FOUND:
                return ResponseStatus.NOT_FOUND;
            case BAD_REQUEST:
                return ResponseStatus.BAD_REQUEST;
            default:
                return ResponseStatus.FAILED;
        }
    }

    private static Map<String, String> parseEnv(final String env)
    {
        final Map<String, String> entries = new LinkedHashMap<>();
        for (final String entry : CommandLine.split(env))
        {
            final int equals = entry.indexOf('=');
            if (equals <= 0)
            {
                throw new SessionCommandException(
                    SessionCommandException.Reason.BAD_REQUEST, "environment entry is not KEY=VALUE: " + entry);
            }
            entries.put(entry.substring(0, equals), entry.substring(equals + 1));
        }

        return Collections.unmodifiableMap(entries);
    }

    /**
     * One client's connection, served by its own thread: read a request, apply it, answer, until the client closes.
     */
    private final class Connection implements Runnable
    {
        private final long id;
        private final FramedChannel channel;
        private final Thread thread;
        private final ControlFrameDecoder decoder = new ControlFrameDecoder();
        private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
        private final ResponseEncoder responseEncoder = new ResponseEncoder();
        private final ListEntryEncoder listEntryEncoder = new ListEntryEncoder();
        private final ListEndEncoder listEndEncoder = new ListEndEncoder();
        private final StatsEntryEncoder statsEntryEncoder = new StatsEntryEncoder();
        private final StatsEndEncoder statsEndEncoder = new StatsEndEncoder();

        Connection(final SocketChannel socketChannel, final long id) throws IOException
        {
            this.id = id;
            this.channel = new FramedChannel(socketChannel);
            this.thread = new Thread(this, "control-connection-" + id);
            this.thread.setDaemon(true);
        }

        void start()
        {
            thread.start();
        }

        void abort()
        {
            channel.abort();
        }

        void join(final long timeoutMs)
        {
            try
            {
                thread.join(timeoutMs);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void run()
        {
            try
            {
                int length;
                while (!closed && (length = channel.read(0, FRAME_TIMEOUT_MS)) >= 0)
                {
                    onFrame(length);
                }
            }
            catch (final InvalidFrameException ex)
            {
                // The stream cannot be trusted past a bad frame: say why, then hang up.
                sendQuietly(ResponseStatus.BAD_REQUEST, ex.getMessage());
                onError("closed after a bad frame: " + ex.getMessage(), ex);
            }
            catch (final IOException ex)
            {
                onError(ex.getMessage(), ex);
            }
            catch (final RuntimeException ex)
            {
                onError("failed: " + ex, ex);
            }
            finally
            {
                channel.close();
                connections.remove(this);
            }
        }

        private void onError(final String message, final Exception cause)
        {
            if (!closed)
            {
                errorHandler.onError(new IOException("control connection " + id + " " + message, cause));
            }
        }

        private void onFrame(final int length) throws IOException
        {
            final int templateId = decoder.wrap(channel.frame(), 0, length);
            final long correlationId = decoder.correlationId();
            requests.incrementAndGet();
            try
            {
                switch (templateId)
                {
                    case NewSessionRequestDecoder.TEMPLATE_ID:
                        send(correlationId, ResponseStatus.OK, onNewSession(decoder.newSessionRequest()), "");
                        break;
                    case InputRequestDecoder.TEMPLATE_ID:
                        onInput(decoder.inputRequest());
                        send(correlationId, ResponseStatus.OK, 0, "");
                        break;
                    case ResizeRequestDecoder.TEMPLATE_ID:
                    {
                        final ResizeRequestDecoder request = decoder.resizeRequest();
                        final int cols = request.cols();
                        final int rows = request.rows();
                        commands.resize(request.session(), cols, rows);
                        send(correlationId, ResponseStatus.OK, 0, "");
                        break;
                    }
                    case SignalRequestDecoder.TEMPLATE_ID:
                    {
                        final SignalRequestDecoder request = decoder.signalRequest();
                        final int signal = request.signal();
                        commands.signal(request.session(), signal);
                        send(correlationId, ResponseStatus.OK, 0, "");
                        break;
                    }
                    case MarkerRequestDecoder.TEMPLATE_ID:
                    {
                        final MarkerRequestDecoder request = decoder.markerRequest();
                        final String session = request.session();
                        commands.marker(session, request.label());
                        send(correlationId, ResponseStatus.OK, 0, "");
                        break;
                    }
                    case ListRequestDecoder.TEMPLATE_ID:
                        onList(correlationId);
                        break;
                    case StatsRequestDecoder.TEMPLATE_ID:
                        onStats(correlationId);
                        break;
                    default:
                        // A newer client's request, or an answer sent the wrong way: refuse it, the stream is fine.
                        send(correlationId, ResponseStatus.BAD_REQUEST, 0,
                            "not a request this daemon knows: " + ControlFrameDecoder.templateName(templateId));
                        break;
                }
            }
            catch (final SessionCommandException ex)
            {
                send(correlationId, status(ex.reason()), 0, String.valueOf(ex.getMessage()));
            }
            catch (final RuntimeException ex)
            {
                errorHandler.onError(ex);
                send(correlationId, ResponseStatus.FAILED, 0, "the daemon failed: " + ex);
            }
        }

        private long onNewSession(final NewSessionRequestDecoder request)
        {
            final int cols = request.cols();
            final int rows = request.rows();
            final String name = request.name();
            final List<String> argv = List.copyOf(CommandLine.split(request.command()));
            final String workingDir = request.workingDir();
            final Map<String, String> env = parseEnv(request.env());

            return commands.newSession(
                new SessionSpec(name, argv, workingDir.isEmpty() ? null : workingDir, env, cols, rows));
        }

        private void onInput(final InputRequestDecoder request)
        {
            final String session = request.session();
            final byte[] data = new byte[decoder.inputDataLength()];
            request.getData(data, 0, data.length);
            commands.input(session, data);
        }

        private void onList(final long correlationId) throws IOException
        {
            final List<SessionSummary> sessions = commands.list();
            final MutableDirectBuffer buffer = channel.sendBuffer();
            for (final SessionSummary session : sessions)
            {
                final byte[] name = utf8(session.name());
                listEntryEncoder.wrapAndApplyHeader(buffer, ControlFrameDecoder.LENGTH_PREFIX_LENGTH, headerEncoder)
                    .correlationId(correlationId)
                    .sessionId(session.sessionId())
                    .pid(session.pid())
                    .cols(session.cols())
                    .rows(session.rows())
                    .putName(name, 0, name.length);
                sendEncoded(listEntryEncoder.encodedLength());
            }

            listEndEncoder.wrapAndApplyHeader(buffer, ControlFrameDecoder.LENGTH_PREFIX_LENGTH, headerEncoder)
                .correlationId(correlationId)
                .sessionCount(sessions.size());
            sendEncoded(listEndEncoder.encodedLength());
        }

        /**
         * The daemon's counters: the control endpoint's, then the sessions' ({@link SessionCommands#stats()}).
         */
        private void onStats(final long correlationId) throws IOException
        {
            final List<StatsCounter> counters = new ArrayList<>();
            counters.add(new StatsCounter("control_connections", connectionCount));
            counters.add(new StatsCounter("control_connections_refused", refusedConnections));
            counters.add(new StatsCounter("control_requests", requests.get()));
            counters.add(new StatsCounter("control_requests_refused", requestsRefused.get()));
            counters.addAll(commands.stats());
            final MutableDirectBuffer buffer = channel.sendBuffer();
            for (final StatsCounter counter : counters)
            {
                final byte[] name = utf8(counter.name());
                statsEntryEncoder.wrapAndApplyHeader(buffer, ControlFrameDecoder.LENGTH_PREFIX_LENGTH, headerEncoder)
                    .correlationId(correlationId)
                    .value(counter.value())
                    .putName(name, 0, name.length);
                sendEncoded(statsEntryEncoder.encodedLength());
            }

            statsEndEncoder.wrapAndApplyHeader(buffer, ControlFrameDecoder.LENGTH_PREFIX_LENGTH, headerEncoder)
                .correlationId(correlationId)
                .counterCount(counters.size());
            sendEncoded(statsEndEncoder.encodedLength());
        }

        /**
         * Send the message just encoded after the length prefix in the send buffer.
         *
         * @param encodedLength the length of its block and var fields, without the header.
         */
        private void sendEncoded(final int encodedLength) throws IOException
        {
            channel.send(FramedChannel.prefixLength(
                channel.sendBuffer(), ControlFrameDecoder.HEADER_LENGTH + encodedLength), FRAME_TIMEOUT_MS);
        }

        private void send(
            final long correlationId, final ResponseStatus status, final long sessionId, final String message)
            throws IOException
        {
            if (ResponseStatus.OK != status)
            {
                requestsRefused.incrementAndGet();
            }
            final int length = encodeResponse(
                channel.sendBuffer(), responseEncoder, headerEncoder, correlationId, status, sessionId, message);
            channel.send(length, FRAME_TIMEOUT_MS);
        }

        private void sendQuietly(final ResponseStatus status, final String message)
        {
            try
            {
                send(0, status, 0, message);
            }
            catch (final IOException ignore)
            {
                // The client is gone or not reading; it is being hung up on anyway.
            }
        }
    }
}
