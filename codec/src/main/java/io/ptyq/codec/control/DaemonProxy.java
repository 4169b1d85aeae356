package io.ptyq.codec.control;

import io.ptyq.codec.CommandLine;
import io.ptyq.codec.ControlFrameDecoder;
import io.ptyq.codec.InvalidFrameException;
import io.ptyq.codec.control.sbe.InputRequestEncoder;
import io.ptyq.codec.control.sbe.ListEndDecoder;
import io.ptyq.codec.control.sbe.ListEntryDecoder;
import io.ptyq.codec.control.sbe.ListRequestEncoder;
import io.ptyq.codec.control.sbe.MarkerRequestEncoder;
import io.ptyq.codec.control.sbe.MessageHeaderEncoder;
import io.ptyq.codec.control.sbe.NewSessionRequestEncoder;
import io.ptyq.codec.control.sbe.ResizeRequestEncoder;
import io.ptyq.codec.control.sbe.ResponseDecoder;
import io.ptyq.codec.control.sbe.ResponseStatus;
import io.ptyq.codec.control.sbe.SignalRequestEncoder;
import io.ptyq.codec.control.sbe.StatsEndDecoder;
import io.ptyq.codec.control.sbe.StatsEntryDecoder;
import io.ptyq.codec.control.sbe.StatsRequestEncoder;
import org.agrona.MutableDirectBuffer;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.ptyq.codec.control.SessionCommandException.Reason.BAD_REQUEST;
import static io.ptyq.codec.control.SessionCommandException.Reason.FAILED;
import static io.ptyq.codec.control.SessionCommandException.Reason.NOT_FOUND;

/**
 * A client's connection to a running daemon's control socket: encodes each {@link SessionCommands} call as a
 * request and waits for the daemon's answer.
 * <p>
 * Every failure is a {@link SessionCommandException} with a one-line message: a refusal by the daemon carries its
 * reason; no daemon, a lost connection or a request that cannot be encoded are FAILED or BAD_REQUEST. Thread safe:
 * calls are serialised, one request in flight at a time.
 */
public final class DaemonProxy implements SessionCommands, AutoCloseable
{
    /**
     * How long to wait for the daemon's answer to a request.
     */
    static final long RESPONSE_TIMEOUT_MS = 30_000;

    private final Path journalDir;
    private final FramedChannel channel;
    private final ControlFrameDecoder decoder = new ControlFrameDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final NewSessionRequestEncoder newSessionEncoder = new NewSessionRequestEncoder();
    private final InputRequestEncoder inputEncoder = new InputRequestEncoder();
    private final ResizeRequestEncoder resizeEncoder = new ResizeRequestEncoder();
    private final SignalRequestEncoder signalEncoder = new SignalRequestEncoder();
    private final MarkerRequestEncoder markerEncoder = new MarkerRequestEncoder();
    private final ListRequestEncoder listEncoder = new ListRequestEncoder();
    private final StatsRequestEncoder statsEncoder = new StatsRequestEncoder();
    private long lastCorrelationId;
    private boolean closed;

    private DaemonProxy(final Path journalDir, final FramedChannel channel)
    {
        this.journalDir = journalDir;
        this.channel = channel;
    }

    /**
     * Connect to the daemon that owns {@code journalDir}.
     *
     * @param journalDir the daemon's journal directory, which holds its {@code control.sock}.
     * @return a connected proxy; close it when done.
     * @throws SessionCommandException (FAILED) "no ptyq daemon is running on DIR" if none answers.
     */
    public static DaemonProxy connect(final Path journalDir)
    {
        final Path socketPath = journalDir.resolve(FramedChannel.SOCKET_FILE_NAME);
        if (!Files.exists(socketPath, LinkOption.NOFOLLOW_LINKS))
        {
            throw noDaemon(journalDir);
        }

        SocketChannel socketChannel = null;
        try
        {
            socketChannel = SocketChannel.open(StandardProtocolFamily.UNIX);
            socketChannel.connect(UnixDomainSocketAddress.of(socketPath));
            return new DaemonProxy(journalDir, new FramedChannel(socketChannel));
        }
        catch (final IOException ex)
        {
            if (null != socketChannel)
            {
                try
                {
                    socketChannel.close();
                }
                catch (final IOException suppressed)
                {
                    ex.addSuppressed(suppressed);
                }
            }
            if (ex instanceof ConnectException || !Files.exists(socketPath, LinkOption.NOFOLLOW_LINKS))
            {
                throw noDaemon(journalDir);
            }
            throw new SessionCommandException(
                FAILED, "cannot connect to the ptyq daemon on " + journalDir + ": " + ex.getMessage());
        }
    }

    private static SessionCommandException noDaemon(final Path journalDir)
    {
        return new SessionCommandException(FAILED, "no ptyq daemon is running on " + journalDir);
    }

    /**
     * @return the journal directory of the daemon this proxy talks to.
     */
    public Path journalDir()
    {
        return journalDir;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public synchronized long newSession(final SessionSpec spec)
    {
        final byte[] name = text("name", spec.name());
        final byte[] command = text("command", joinArgv(spec.argv()));
        final byte[] workingDir = text("working directory", spec.workingDir());
        final byte[] env = text("environment", joinEnv(spec.env()));
        final long correlationId = nextCorrelationId();
        newSessionEncoder.wrapAndApplyHeader(buffer(), ControlFrameDecoder.LENGTH_PREFIX_LENGTH, headerEncoder)
            .correlationId(correlationId)
            .cols(dimension("cols", spec.cols()))
            .rows(dimension("rows", spec.rows()))
            .putName(name, 0, name.length)
            .putCommand(command, 0, command.length)
            .putWorkingDir(workingDir, 0, workingDir.length)
            .putEnv(env, 0, env.length);

        return call(correlationId, newSessionEncoder.encodedLength());
    }

    /**
     * Write bytes to a session; input longer than {@link ControlFrameDecoder#MAX_INPUT_LENGTH} goes as several
     * requests, in order, stopping at the first refused.
     */
    @Override
    public synchronized void input(final String session, final byte[] data)
    {
        final byte[] sessionBytes = text("session", session);
        int offset = 0;
        do
        {
            final int length = Math.min(ControlFrameDecoder.MAX_INPUT_LENGTH, data.length - offset);
            final long correlationId = nextCorrelationId();
            inputEncoder.wrapAndApplyHeader(buffer(), ControlFrameDecoder.LENGTH_PREFIX_LENGTH, headerEncoder)
                .correlationId(correlationId)
                .putSession(sessionBytes, 0, sessionBytes.length)
                .putData(data, offset, length);
            call(correlationId, inputEncoder.encodedLength());
            offset += length;
        }
        while (offset < data.length);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public synchronized void resize(final String session, final int cols, final int rows)
    {
        final byte[] sessionBytes = text("session", session);
        final long correlationId = nextCorrelationId();
        resizeEncoder.wrapAndApplyHeader(buffer(), ControlFrameDecoder.LENGTH_PREFIX_LENGTH, headerEncoder)
            .correlationId(correlationId)
            .cols(dimension("cols", cols))
            .rows(dimension("rows", rows))
            .putSession(sessionBytes, 0, sessionBytes.length);
        call(correlationId, resizeEncoder.encodedLength());
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public synchronized void signal(final String session, final int signal)
    {
        final byte[] sessionBytes = text("session", session);
        final long correlationId = nextCorrelationId();
        signalEncoder.wrapAndApplyHeader(buffer(), ControlFrameDecoder.LENGTH_PREFIX_LENGTH, headerEncoder)
            .correlationId(correlationId)
            .signal(signal)
            .putSession(sessionBytes, 0, sessionBytes.length);
        call(correlationId, signalEncoder.encodedLength());
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public synchronized void marker(final String session, final String label)
    {
        final byte[] sessionBytes = text("session", session);
        final byte[] labelBytes = text("label", label);
        final long correlationId = nextCorrelationId();
        markerEncoder.wrapAndApplyHeader(buffer(), ControlFrameDecoder.LENGTH_PREFIX_LENGTH, headerEncoder)
            .correlationId(correlationId)
            .putSession(sessionBytes, 0, sessionBytes.length)
            .putLabel(labelBytes, 0, labelBytes.length);
        call(correlationId, markerEncoder.encodedLength());
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public synchronized List<SessionSummary> list()
    {
        final long correlationId = nextCorrelationId();
        listEncoder.wrapAndApplyHeader(buffer(), ControlFrameDecoder.LENGTH_PREFIX_LENGTH, headerEncoder)
            .correlationId(correlationId);
        final IOException sendFailure = send(listEncoder.encodedLength());

        final List<SessionSummary> sessions = new ArrayList<>();
        while (true)
        {
            final int templateId = receive(correlationId, sendFailure);
            if (ListEntryDecoder.TEMPLATE_ID == templateId)
            {
                final ListEntryDecoder entry = decoder.listEntry();
                final long sessionId = entry.sessionId();
                final int pid = entry.pid();
                final int cols = entry.cols();
                final int rows = entry.rows();
                sessions.add(new SessionSummary(sessionId, entry.name(), pid, cols, rows));
            }
            else if (ListEndDecoder.TEMPLATE_ID == templateId)
            {
                final int sessionCount = decoder.listEnd().sessionCount();
                if (sessionCount != sessions.size())
                {
                    throw lost("the daemon listed " + sessions.size() + " sessions but counted " + sessionCount);
                }
                return sessions;
            }
            else
            {
                checkResponse(templateId);
                throw lost("the daemon answered a list request with an empty Response");
            }
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public synchronized List<StatsCounter> stats()
    {
        final long correlationId = nextCorrelationId();
        statsEncoder.wrapAndApplyHeader(buffer(), ControlFrameDecoder.LENGTH_PREFIX_LENGTH, headerEncoder)
            .correlationId(correlationId);
        final IOException sendFailure = send(statsEncoder.encodedLength());

        final List<StatsCounter> counters = new ArrayList<>();
        while (true)
        {
            final int templateId = receive(correlationId, sendFailure);
            if (StatsEntryDecoder.TEMPLATE_ID == templateId)
            {
                final StatsEntryDecoder entry = decoder.statsEntry();
                final long value = entry.value();
                counters.add(new StatsCounter(entry.name(), value));
            }
            else if (StatsEndDecoder.TEMPLATE_ID == templateId)
            {
                final int counterCount = decoder.statsEnd().counterCount();
                if (counterCount != counters.size())
                {
                    throw lost("the daemon sent " + counters.size() + " counters but counted " + counterCount);
                }
                return counters;
            }
            else
            {
                // An older daemon refuses the request it does not know with a Response, which says so.
                checkResponse(templateId);
                throw lost("the daemon answered a stats request with an empty Response");
            }
        }
    }

    /**
     * Close the connection; the daemon and its sessions are unaffected. Idempotent.
     */
    @Override
    public synchronized void close()
    {
        if (!closed)
        {
            closed = true;
            channel.close();
        }
    }

    private MutableDirectBuffer buffer()
    {
        return channel.sendBuffer();
    }

    private long nextCorrelationId()
    {
        if (closed)
        {
            throw new SessionCommandException(FAILED, "the connection to the ptyq daemon is closed");
        }

        return ++lastCorrelationId;
    }

    private long call(final long correlationId, final int blockAndVarLength)
    {
        final IOException sendFailure = send(blockAndVarLength);
        final int templateId = receive(correlationId, sendFailure);

        return checkResponse(templateId);
    }

    /**
     * @return the failure to send, kept so an answer the daemon already sent (a refusal) can still be read.
     */
    private IOException send(final int blockAndVarLength)
    {
        try
        {
            channel.send(
                FramedChannel.prefixLength(buffer(), ControlFrameDecoder.HEADER_LENGTH + blockAndVarLength),
                RESPONSE_TIMEOUT_MS);
            return null;
        }
        catch (final IOException ex)
        {
            return ex;
        }
    }

    private int receive(final long correlationId, final IOException sendFailure)
    {
        final int templateId;
        try
        {
            final int length = channel.read(RESPONSE_TIMEOUT_MS, RESPONSE_TIMEOUT_MS);
            if (length < 0)
            {
                throw lost(null != sendFailure ? sendFailure.getMessage() : "the daemon closed the connection");
            }
            templateId = decoder.wrap(channel.frame(), 0, length);
        }
        catch (final IOException ex)
        {
            throw lost(null != sendFailure ? sendFailure.getMessage() : ex.getMessage());
        }
        catch (final InvalidFrameException ex)
        {
            throw lost("bad answer: " + ex.getMessage());
        }

        // 0 answers a request the daemon could not read, or refuses the connection.
        final long answered = decoder.correlationId();
        if (answered != correlationId && !(0 == answered && ResponseDecoder.TEMPLATE_ID == templateId))
        {
            throw lost("answer to request " + answered + " while waiting for " + correlationId);
        }

        return templateId;
    }

    private long checkResponse(final int templateId)
    {
        if (ResponseDecoder.TEMPLATE_ID != templateId)
        {
            throw lost("unexpected answer: " + ControlFrameDecoder.templateName(templateId));
        }

        final ResponseStatus status = decoder.responseStatus();
        final ResponseDecoder response = decoder.response();
        final long sessionId = response.sessionId();
        final String message = response.message();
        switch (status)
        {
            case OK:
                return sessionId;
            case NOT_FOUND:
                throw new SessionCommandException(NOT_FOUND, message);
            case BAD_REQUEST:
                throw new SessionCommandException(BAD_REQUEST, message);
            default:
                throw new SessionCommandException(FAILED, message.isEmpty() ? "the daemon failed" : message);
        }
    }

    private SessionCommandException lost(final String why)
    {
        close();
        return new SessionCommandException(
            FAILED, "lost the connection to the ptyq daemon on " + journalDir + ": " + why);
    }

    private static String joinArgv(final List<String> argv)
    {
        try
        {
            return CommandLine.join(argv);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new SessionCommandException(BAD_REQUEST, "command: " + ex.getMessage());
        }
    }

    private static String joinEnv(final Map<String, String> env)
    {
        if (null == env)
        {
            return "";
        }

        final StringBuilder builder = new StringBuilder();
        for (final Map.Entry<String, String> entry : env.entrySet())
        {
            final String key = entry.getKey();
            final String value = null == entry.getValue() ? "" : entry.getValue();
            if (key.isEmpty() || key.indexOf('=') >= 0 || key.indexOf('\0') >= 0 || value.indexOf('\0') >= 0)
            {
                throw new SessionCommandException(BAD_REQUEST, "environment variable not usable: " + key);
            }
            builder.append(key).append('=').append(value).append('\0');
        }

        return builder.toString();
    }

    private static byte[] text(final String field, final String value)
    {
        final byte[] bytes = null == value ? new byte[0] : value.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > ControlFrameDecoder.MAX_TEXT_LENGTH)
        {
            throw new SessionCommandException(BAD_REQUEST,
                field + " is " + bytes.length + " bytes of UTF-8, more than " + ControlFrameDecoder.MAX_TEXT_LENGTH);
        }

        return bytes;
    }

    private static int dimension(final String field, final int value)
    {
        if (value < 0 || value > 65535)
        {
            throw new SessionCommandException(BAD_REQUEST, field + " " + value + " is outside 0..65535");
        }

        return value;
    }
}
