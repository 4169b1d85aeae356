package io.ptyq.producer;

import io.ptyq.codec.control.SessionCommands;
import io.ptyq.codec.control.SessionSpec;
import io.ptyq.codec.control.SessionSummary;
import io.ptyq.codec.control.StatsCounter;
import io.ptyq.codec.control.SessionCommandException;
import io.ptyq.codec.control.DaemonProxy;
import io.ptyq.codec.ControlFrameDecoder;
import io.ptyq.codec.control.sbe.ListRequestEncoder;
import io.ptyq.codec.control.sbe.MessageHeaderEncoder;
import io.ptyq.codec.control.sbe.ResponseDecoder;
import io.ptyq.codec.control.sbe.ResponseStatus;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The control endpoint over a real Unix domain socket: {@link DaemonProxy} against {@link ControlServer} with a
 * recording {@link SessionCommands}, and raw clients that misbehave.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ControlServerTest
{
    private static final String NON_ASCII = "日本語 ✓ 🎉";
    private static final long AWAIT_MS = 10_000;

    @TempDir
    Path dir;

    private final RecordingCommands commands = new RecordingCommands();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private ControlServer server;

    @BeforeEach
    void setUp()
    {
        start(null);
    }

    @AfterEach
    void tearDown()
    {
        if (null != server)
        {
            server.close();
        }
        awaitCondition("control threads to end", () -> Thread.getAllStackTraces().keySet().stream()
            .noneMatch((thread) -> thread.getName().startsWith("control-")));
    }

    private void start(final UserPrincipal owner)
    {
        server = new ControlServer(dir.resolve(ControlServer.SOCKET_FILE_NAME), commands, errors::add, owner);
        server.start();
    }

    @Test
    void shouldRoundTripEveryRequest()
    {
        try (DaemonProxy proxy = DaemonProxy.connect(dir))
        {
            final Map<String, String> env = new LinkedHashMap<>();
            env.put("TERM", "xterm-256color");
            env.put("EMPTY", "");
            env.put("WITH_EQUALS", "a=b");
            final SessionSpec spec = new SessionSpec(
                NON_ASCII, List.of("/bin/sh", "-c", "echo 'a b'", ""), "/tmp", env, 120, 40);
            assertEquals(RecordingCommands.NEW_SESSION_ID, proxy.newSession(spec));
            assertEquals(spec, commands.calls.get(0));

            proxy.newSession(new SessionSpec("", List.of("bash"), null, Map.of(), 80, 24));
            assertEquals(new SessionSpec("", List.of("bash"), null, Map.of(), 80, 24), commands.calls.get(1));

            final byte[] data = { 0, 1, (byte)0xFF, '\r', 3 };
            proxy.input("build", data);
            assertEquals(List.of("input", "build"), commands.calls.get(2));
            assertArrayEquals(data, commands.inputs.get(0));

            proxy.resize("42", 65535, 1);
            assertEquals(List.of("resize", "42", 65535, 1), commands.calls.get(3));

            proxy.signal(NON_ASCII, 15);
            assertEquals(List.of("signal", NON_ASCII, 15), commands.calls.get(4));

            proxy.marker("build", NON_ASCII);
            assertEquals(List.of("marker", "build", NON_ASCII), commands.calls.get(5));

            assertEquals(List.of(), proxy.list());
            commands.sessions.add(new SessionSummary(1, "", 100, 80, 24));
            commands.sessions.add(new SessionSummary(Long.MAX_VALUE, NON_ASCII, Integer.MAX_VALUE, 65535, 65535));
            assertEquals(commands.sessions, proxy.list());

            // The control endpoint's own counters (this request is the 9th), then the sessions'.
            final List<StatsCounter> stats = proxy.stats();
            assertEquals(List.of(
                new StatsCounter("control_connections", 1),
                new StatsCounter("control_connections_refused", 0),
                new StatsCounter("control_requests", 9),
                new StatsCounter("control_requests_refused", 0),
                new StatsCounter("sessions_running", 2),
                new StatsCounter("caf\u00e9", -1)), stats);
        }
        assertEquals(List.of(), errors);
    }

    @Test
    void shouldSplitInputLargerThanOneRequest()
    {
        final byte[] data = new byte[2 * ControlFrameDecoder.MAX_INPUT_LENGTH + 17];
        new Random(7302).nextBytes(data);
        try (DaemonProxy proxy = DaemonProxy.connect(dir))
        {
            proxy.input("build", data);
            proxy.input("build", new byte[0]);
        }

        assertEquals(4, commands.inputs.size());
        assertEquals(ControlFrameDecoder.MAX_INPUT_LENGTH, commands.inputs.get(0).length);
        final ByteBuffer joined = ByteBuffer.allocate(data.length);
        commands.inputs.subList(0, 3).forEach(joined::put);
        assertArrayEquals(data, joined.array());
        assertEquals(0, commands.inputs.get(3).length);
    }

    @Test
    void shouldMapRefusalsToSessionCommandExceptionWithTheirReason()
    {
        try (DaemonProxy proxy = DaemonProxy.connect(dir))
        {
            for (final SessionCommandException.Reason reason : SessionCommandException.Reason.values())
            {
                commands.failure = new SessionCommandException(reason, "refused with " + reason);
                final SessionCommandException ex =
                    assertThrows(SessionCommandException.class, () -> proxy.resize("x", 1, 1));
                assertEquals(reason, ex.reason());
                assertEquals("refused with " + reason, ex.getMessage());

                final SessionCommandException listEx = assertThrows(SessionCommandException.class, proxy::list);
                assertEquals(reason, listEx.reason());
            }
            assertEquals(List.of(), errors, "refusals are answers, not daemon errors");

            commands.failure = new IllegalStateException("bug in the daemon");
            final SessionCommandException ex =
                assertThrows(SessionCommandException.class, () -> proxy.newSession(simpleSpec()));
            assertEquals(SessionCommandException.Reason.FAILED, ex.reason());
            assertTrue(ex.getMessage().contains("bug in the daemon"), ex.getMessage());
            assertEquals(List.of(commands.failure), errors);

            // The connection survives every one of them.
            commands.failure = null;
            assertEquals(RecordingCommands.NEW_SESSION_ID, proxy.newSession(simpleSpec()));
        }
    }

    @Test
    void shouldRefuseRequestsThatCannotBeEncodedWithoutSendingThem()
    {
        try (DaemonProxy proxy = DaemonProxy.connect(dir))
        {
            final List<SessionSpec> bad = List.of(
                new SessionSpec("", List.of("a\0b"), null, Map.of(), 80, 24),
                new SessionSpec("", List.of("sh"), null, Map.of("A=B", "c"), 80, 24),
                new SessionSpec("", List.of("sh"), null, Map.of("A", "c\0"), 80, 24),
                new SessionSpec("x".repeat(ControlFrameDecoder.MAX_TEXT_LENGTH + 1), List.of("sh"), null, Map.of(), 80,
                    24),
                new SessionSpec("", List.of("sh"), null, Map.of(), 65536, 24),
                new SessionSpec("", List.of("sh"), null, Map.of(), 80, -1));
            for (final SessionSpec spec : bad)
            {
                final SessionCommandException ex =
                    assertThrows(SessionCommandException.class, () -> proxy.newSession(spec));
                assertEquals(SessionCommandException.Reason.BAD_REQUEST, ex.reason(), ex.getMessage());
            }
            assertEquals(List.of(), commands.calls);

            assertEquals(RecordingCommands.NEW_SESSION_ID, proxy.newSession(simpleSpec()));
        }
    }

    @Test
    void shouldCreateTheSocketOwnerOnly() throws IOException
    {
        final Path socket = dir.resolve(ControlServer.SOCKET_FILE_NAME);
        assertEquals(socket, server.socketPath());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
        assertEquals(0140000, (Integer)Files.getAttribute(socket, "unix:mode") & 0170000, "a socket file");
    }

    @Test
    void shouldKeepOtherUsersOutByTheSocketsPermissions() throws Exception
    {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to run a process as nobody");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "needs python3");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));

        final Process process = new ProcessBuilder("/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
            "--clear-groups", "/usr/bin/python3", "-c",
            "import socket, sys; s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); print('connected')",
            server.socketPath().toString())
            .redirectErrorStream(true)
            .start();
        assumeTrue(process.waitFor(AWAIT_MS, TimeUnit.MILLISECONDS), "python3 as nobody did not finish");
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertTrue(output.contains("PermissionError"), output);
        assertFalse(output.contains("connected"), output);
    }

    @Test
    void shouldRefuseAPeerThatIsNotTheOwner() throws IOException
    {
        server.close();
        errors.clear();
        final UserPrincipal someoneElse = FileSystems.getDefault().getUserPrincipalLookupService()
            .lookupPrincipalByName("nobody".equals(System.getProperty("user.name")) ? "root" : "nobody");
        start(someoneElse);

        try (DaemonProxy proxy = DaemonProxy.connect(dir))
        {
            final SessionCommandException ex = assertThrows(SessionCommandException.class, proxy::list);
            assertEquals(SessionCommandException.Reason.FAILED, ex.reason());
            assertTrue(ex.getMessage().contains("is not the daemon's owner"), ex.getMessage());
        }
        assertEquals(List.of(), commands.calls);
        awaitCondition("the refusal reported", () -> !errors.isEmpty());
        assertTrue(errors.get(0).getMessage().contains("refused"), errors.get(0).getMessage());
    }

    @Test
    void shouldAnswerAGarbageFrameWithAnErrorAndCloseOnlyThatConnection() throws IOException
    {
        try (DaemonProxy proxy = DaemonProxy.connect(dir);
            SocketChannel raw = connectRaw())
        {
            assertEquals(List.of(), proxy.list());

            final byte[] garbage = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            writeFrame(raw, garbage.length, garbage);
            final ControlFrameDecoder answer = readFrame(raw);
            assertEquals(ResponseDecoder.TEMPLATE_ID, answer.templateId());
            assertEquals(ResponseStatus.BAD_REQUEST, answer.responseStatus());
            assertEquals(0, answer.correlationId());
            assertTrue(answer.response().message().contains("not a ptyq control message"));
            assertClosed(raw);

            // The other client is unaffected.
            assertEquals(RecordingCommands.NEW_SESSION_ID, proxy.newSession(simpleSpec()));
        }
        awaitCondition("the bad frame reported", () -> !errors.isEmpty());
    }

    @Test
    void shouldAnswerAnOversizedOrNegativeLengthWithAnErrorAndClose() throws IOException
    {
        try (DaemonProxy proxy = DaemonProxy.connect(dir))
        {
            for (final int length : new int[]{ ControlFrameDecoder.MAX_FRAME_LENGTH + 1, -1, 0, 7 })
            {
                try (SocketChannel raw = connectRaw())
                {
                    writeFrame(raw, length, new byte[64]);
                    final ControlFrameDecoder answer = readFrame(raw);
                    assertEquals(ResponseStatus.BAD_REQUEST, answer.responseStatus());
                    final String message = answer.response().message();
                    assertTrue(message.contains("frame length"), message);
                    assertClosed(raw);
                }
            }

            assertEquals(List.of(), proxy.list());
        }
    }

    @Test
    void shouldAnswerAnUnknownTemplateAndKeepTheConnection() throws IOException
    {
        try (SocketChannel raw = connectRaw())
        {
            final UnsafeBuffer message = new UnsafeBuffer(new byte[ControlFrameDecoder.HEADER_LENGTH + 8]);
            new MessageHeaderEncoder().wrap(message, 0)
                .blockLength(8).templateId(77).schemaId(ControlFrameDecoder.SCHEMA_ID).version(2);
            message.putLong(ControlFrameDecoder.HEADER_LENGTH, 99, ByteOrder.LITTLE_ENDIAN);
            writeFrame(raw, message.capacity(), message.byteArray());

            final ControlFrameDecoder answer = readFrame(raw);
            assertEquals(99, answer.correlationId());
            assertEquals(ResponseStatus.BAD_REQUEST, answer.responseStatus());
            final String refusal = answer.response().message();
            assertTrue(refusal.contains("template 77"), refusal);

            final ExpandableArrayBuffer list = new ExpandableArrayBuffer();
            final int length = ControlFrameDecoder.HEADER_LENGTH + new ListRequestEncoder()
                .wrapAndApplyHeader(list, 0, new MessageHeaderEncoder())
                .correlationId(100)
                .encodedLength();
            writeFrame(raw, length, Arrays.copyOf(list.byteArray(), length));
            final ControlFrameDecoder listEnd = readFrame(raw);
            assertEquals(100, listEnd.correlationId());
            assertEquals(0, listEnd.listEnd().sessionCount());
        }
    }

    @Test
    void shouldServeOtherClientsWhileOneStallsInTheMiddleOfAFrame() throws IOException
    {
        try (SocketChannel stalled = connectRaw())
        {
            // Announce 100 bytes, send 3, then nothing.
            writeFrame(stalled, 100, new byte[3]);
            for (int i = 0; i < 3; i++)
            {
                try (DaemonProxy proxy = DaemonProxy.connect(dir))
                {
                    assertEquals(List.of(), proxy.list());
                }
            }
            awaitCondition("one connection left", () -> 1 == server.connectionCount());
        }
    }

    @Test
    void shouldSayNoDaemonIsRunningWhenThereIsNoSocketOrNobodyAnswers() throws IOException
    {
        final Path empty = Files.createDirectory(dir.resolve("empty"));
        final SessionCommandException missing =
            assertThrows(SessionCommandException.class, () -> DaemonProxy.connect(empty));
        assertEquals("no ptyq daemon is running on " + empty, missing.getMessage());
        assertEquals(SessionCommandException.Reason.FAILED, missing.reason());

        final Path stale = Files.createDirectory(dir.resolve("stale"));
        createStaleSocket(stale.resolve(ControlServer.SOCKET_FILE_NAME));
        final SessionCommandException refused =
            assertThrows(SessionCommandException.class, () -> DaemonProxy.connect(stale));
        assertEquals("no ptyq daemon is running on " + stale, refused.getMessage());
    }

    @Test
    void shouldReplaceAStaleSocketButNeverALiveOne() throws IOException
    {
        final IllegalStateException live = assertThrows(IllegalStateException.class,
            () -> new ControlServer(server.socketPath(), commands, errors::add));
        assertEquals("a ptyq daemon is already running on " + dir, live.getMessage());
        assertTrue(Files.exists(server.socketPath()), "the live socket is left alone");

        final Path stale = Files.createDirectory(dir.resolve("stale"));
        final Path socket = stale.resolve(ControlServer.SOCKET_FILE_NAME);
        createStaleSocket(socket);
        try (ControlServer replacement = new ControlServer(socket, commands, errors::add))
        {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            final SocketChannel client = connectRaw(socket);
            assertTrue(client.isConnected());
            client.close();
            assertEquals(0, replacement.connectionCount());
        }

        final Path regular = Files.createFile(dir.resolve("regular"));
        final IllegalStateException notSocket = assertThrows(IllegalStateException.class,
            () -> new ControlServer(regular, commands, errors::add));
        assertTrue(notSocket.getMessage().contains("is not a socket"), notSocket.getMessage());
        assertTrue(Files.exists(regular));
    }

    @Test
    void shouldRemoveTheSocketAndDropClientsOnClose()
    {
        final DaemonProxy proxy = DaemonProxy.connect(dir);
        assertEquals(List.of(), proxy.list());
        awaitCondition("the connection to be served", () -> 1 == server.connectionCount());

        server.close();
        server.close();

        assertFalse(Files.exists(dir.resolve(ControlServer.SOCKET_FILE_NAME)));
        assertEquals(0, server.connectionCount());
        final SessionCommandException lost = assertThrows(SessionCommandException.class, proxy::list);
        assertTrue(lost.getMessage().startsWith("lost the connection to the ptyq daemon on " + dir), lost.getMessage());
        proxy.close();

        final SessionCommandException gone =
            assertThrows(SessionCommandException.class, () -> DaemonProxy.connect(dir));
        assertEquals("no ptyq daemon is running on " + dir, gone.getMessage());
        assertEquals(List.of(), errors);
    }

    private static SessionSpec simpleSpec()
    {
        return new SessionSpec("", List.of("sh"), null, Map.of(), 80, 24);
    }

    private SocketChannel connectRaw() throws IOException
    {
        return connectRaw(server.socketPath());
    }

    private static SocketChannel connectRaw(final Path socket) throws IOException
    {
        return SocketChannel.open(UnixDomainSocketAddress.of(socket));
    }

    private static void createStaleSocket(final Path socket) throws IOException
    {
        // A socket file whose server is gone, as a daemon killed with -9 leaves it.
        try (ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX))
        {
            channel.bind(UnixDomainSocketAddress.of(socket));
        }
        assertTrue(Files.exists(socket));
    }

    private static void writeFrame(final SocketChannel channel, final int length, final byte[] bytes) throws IOException
    {
        final ByteBuffer frame = ByteBuffer.allocate(4 + bytes.length).order(ByteOrder.LITTLE_ENDIAN);
        frame.putInt(length).put(bytes).flip();
        while (frame.hasRemaining())
        {
            channel.write(frame);
        }
    }

    private static ControlFrameDecoder readFrame(final SocketChannel channel) throws IOException
    {
        final ByteBuffer prefix = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, prefix);
        final int length = prefix.getInt(0);
        assertTrue(length > 0 && length <= ControlFrameDecoder.MAX_FRAME_LENGTH, "length " + length);
        final ByteBuffer message = ByteBuffer.allocate(length);
        readFully(channel, message);

        final ControlFrameDecoder decoder = new ControlFrameDecoder();
        decoder.wrap(new UnsafeBuffer(message.array()), 0, length);

        return decoder;
    }

    private static void readFully(final SocketChannel channel, final ByteBuffer dst) throws IOException
    {
        while (dst.hasRemaining())
        {
            if (channel.read(dst) < 0)
            {
                fail("the server closed the connection before answering");
            }
        }
    }

    private static void assertClosed(final SocketChannel channel)
    {
        try
        {
            assertEquals(-1, channel.read(ByteBuffer.allocate(1)), "the server should have closed the connection");
        }
        catch (final IOException reset)
        {
            // Closing with our unread bytes still queued resets the connection: closed too.
        }
    }

    private static void awaitCondition(final String what, final BooleanSupplier condition)
    {
        final long deadlineMs = System.currentTimeMillis() + AWAIT_MS;
        while (!condition.getAsBoolean())
        {
            if (System.currentTimeMillis() > deadlineMs)
            {
                fail("timed out after " + AWAIT_MS + " ms waiting for " + what);
            }
            Thread.onSpinWait();
            try
            {
                Thread.sleep(5);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for " + what);
            }
        }
    }

    /**
     * Records each call; answers with canned results or throws {@link #failure} when set.
     */
    private static final class RecordingCommands implements SessionCommands
    {
        static final long NEW_SESSION_ID = 7;

        final List<Object> calls = new CopyOnWriteArrayList<>();
        final List<byte[]> inputs = new CopyOnWriteArrayList<>();
        final List<SessionSummary> sessions = new CopyOnWriteArrayList<>();
        volatile RuntimeException failure;

        private void failIfAsked()
        {
            final RuntimeException toThrow = failure;
            if (null != toThrow)
            {
                throw toThrow;
            }
        }

        @Override
        public long newSession(final SessionSpec spec)
        {
            failIfAsked();
            calls.add(spec);
            return NEW_SESSION_ID;
        }

        @Override
        public void input(final String session, final byte[] data)
        {
            failIfAsked();
            calls.add(List.of("input", session));
            inputs.add(data);
        }

        @Override
        public void resize(final String session, final int cols, final int rows)
        {
            failIfAsked();
            calls.add(List.of("resize", session, cols, rows));
        }

        @Override
        public void signal(final String session, final int signal)
        {
            failIfAsked();
            calls.add(List.of("signal", session, signal));
        }

        @Override
        public void marker(final String session, final String label)
        {
            failIfAsked();
            calls.add(List.of("marker", session, label));
        }

        @Override
        public List<SessionSummary> list()
        {
            failIfAsked();
            return new ArrayList<>(sessions);
        }

        @Override
        public List<StatsCounter> stats()
        {
            failIfAsked();
            return List.of(new StatsCounter("sessions_running", sessions.size()), new StatsCounter("caf\u00e9", -1));
        }
    }
}
