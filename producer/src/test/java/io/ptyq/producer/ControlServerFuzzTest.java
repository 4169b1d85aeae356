package io.ptyq.producer;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ptyq.codec.ControlFrameDecoder;
import io.ptyq.codec.InvalidFrameException;
import io.ptyq.codec.control.DaemonProxy;
import io.ptyq.codec.control.SessionCommandException;
import io.ptyq.codec.control.SessionCommands;
import io.ptyq.codec.control.SessionSpec;
import io.ptyq.codec.control.SessionSummary;
import io.ptyq.codec.control.StatsCounter;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Whatever bytes a client sends down the control socket, the daemon's side (length prefixes, {@link
 * ControlFrameDecoder}, the request handlers) answers with well-formed responses or hangs up on a bad frame, within a
 * deadline, raises nothing but {@link InvalidFrameException} or I/O errors, and keeps serving other clients.
 * <p>
 * Each input is one connection's whole byte stream. A plain {@code mvn verify} replays the inputs in
 * {@code ControlServerFuzzTestInputs/fuzzControlRequests} beside this class in the test resources (regression mode);
 * {@code JAZZER_FUZZ=1 mvn -pl producer -am test -Dtest=ControlServerFuzzTest} fuzzes from them.
 */
class ControlServerFuzzTest
{
    private static final long DEADLINE_MS = 20_000;
    private static final int MAX_RESPONSE_BYTES = 1 << 20;

    private static final List<Throwable> ERRORS = new CopyOnWriteArrayList<>();
    private static Path dir;
    private static ControlServer server;

    @AfterAll
    static void stopServer() throws InterruptedException
    {
        // Other tests in this JVM check that no control thread outlives them.
        if (null != server)
        {
            server.close();
            server = null;
            dir = null;
        }
        final long deadlineMs = System.currentTimeMillis() + 10_000;
        while (Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith("control-")) &&
            System.currentTimeMillis() < deadlineMs)
        {
            Thread.sleep(10);
        }
    }

    @FuzzTest(maxDuration = "5m")
    void fuzzControlRequests(final byte[] stream) throws Exception
    {
        final Path socket = server();
        ERRORS.clear();
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX))
        {
            channel.connect(UnixDomainSocketAddress.of(socket));
            try
            {
                channel.write(ByteBuffer.wrap(stream));
                channel.shutdownOutput();
            }
            catch (final IOException ex)
            {
                // The daemon hung up on a bad frame before taking the rest: what it answered is still checked.
            }
            checkResponses(readUntilHangUp(channel));
        }
        for (final Throwable error : ERRORS)
        {
            Throwable cause = error;
            while (null != cause.getCause())
            {
                cause = cause.getCause();
            }
            if (!(cause instanceof InvalidFrameException) && !(cause instanceof IOException))
            {
                throw new AssertionError("the control server failed on a request: " + error, error);
            }
        }

        // The daemon still serves a well-behaved client.
        try (DaemonProxy proxy = DaemonProxy.connect(dir))
        {
            assertEquals(List.of(), proxy.list());
        }
    }

    private static byte[] readUntilHangUp(final SocketChannel channel) throws IOException, InterruptedException
    {
        channel.configureBlocking(false);
        final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        final java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream();
        final long deadlineMs = System.currentTimeMillis() + DEADLINE_MS;
        while (true)
        {
            buffer.clear();
            final int read;
            try
            {
                read = channel.read(buffer);
            }
            catch (final java.net.SocketException ex)
            {
                // A hang-up with our bytes unread resets the connection: the same as an end of stream here.
                return received.toByteArray();
            }
            if (read < 0)
            {
                return received.toByteArray();
            }
            received.write(buffer.array(), 0, read);
            assertTrue(received.size() <= 64 * MAX_RESPONSE_BYTES, "unbounded answer");
            if (0 == read)
            {
                if (System.currentTimeMillis() > deadlineMs)
                {
                    fail("the daemon neither answered nor hung up within " + DEADLINE_MS + " ms");
                }
                Thread.sleep(1);
            }
        }
    }

    private static void checkResponses(final byte[] responses)
    {
        final ControlFrameDecoder decoder = new ControlFrameDecoder();
        final ByteBuffer in = ByteBuffer.wrap(responses).order(ByteOrder.LITTLE_ENDIAN);
        while (in.remaining() > 0)
        {
            assertTrue(in.remaining() >= ControlFrameDecoder.LENGTH_PREFIX_LENGTH, "a torn length prefix");
            final int length = in.getInt();
            assertTrue(length > 0 && length <= in.remaining() && length <= MAX_RESPONSE_BYTES,
                "response length " + length);
            final UnsafeBuffer frame = new UnsafeBuffer(responses, in.position(), length);
            decoder.wrap(frame, 0, length); // throws InvalidFrameException on a malformed answer
            in.position(in.position() + length);
        }
    }

    private static synchronized Path server() throws IOException
    {
        if (null == dir)
        {
            dir = Files.createTempDirectory("ptyq-control-fuzz");
            server = new ControlServer(
                dir.resolve(ControlServer.SOCKET_FILE_NAME), new NoSessions(), ERRORS::add, null);
            server.start();
        }

        return dir.resolve(ControlServer.SOCKET_FILE_NAME);
    }

    /**
     * A daemon with no sessions: requests naming one fail as a real daemon's do; new sessions get an id.
     */
    private static final class NoSessions implements SessionCommands
    {
        @Override
        public long newSession(final SessionSpec spec)
        {
            return 1;
        }

        @Override
        public void input(final String session, final byte[] data)
        {
            throw new SessionCommandException(SessionCommandException.Reason.NOT_FOUND, "no session '" + session + "'");
        }

        @Override
        public void resize(final String session, final int cols, final int rows)
        {
        }

        @Override
        public void signal(final String session, final int signal)
        {
        }

        @Override
        public void marker(final String session, final String label)
        {
        }

        @Override
        public List<SessionSummary> list()
        {
            return List.of();
        }

        @Override
        public List<StatsCounter> stats()
        {
            return List.of();
        }
    }
}
