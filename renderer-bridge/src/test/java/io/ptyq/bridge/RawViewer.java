package io.ptyq.bridge;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A protocol client without a browser (the JDK's WebSocket): sends hand-made messages and records what comes back.
 */
final class RawViewer implements WebSocket.Listener
{
    final List<String> notices = new CopyOnWriteArrayList<>();
    private final List<String> resizes = new CopyOnWriteArrayList<>();
    final CompletableFuture<String> closed = new CompletableFuture<>();
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private volatile long endPosition = -1;
    private volatile boolean exited;
    private volatile boolean hello;
    private volatile boolean writable;
    private volatile long outputMessages;
    private volatile boolean autoAck;
    private volatile String lastResize = "";
    private WebSocket socket;
    private CompletableFuture<?> lastSend = CompletableFuture.completedFuture(null);

    static RawViewer connect(final int port, final long sessionId) throws Exception
    {
        final RawViewer viewer = new RawViewer();
        viewer.socket = HttpClient.newHttpClient().newWebSocketBuilder()
            .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws/sessions/" + sessionId), viewer)
            .get(30, TimeUnit.SECONDS);
        return viewer;
    }

    RawViewer autoAck(final boolean autoAck)
    {
        this.autoAck = autoAck;
        return this;
    }

    void send(final byte[] message) throws Exception
    {
        enqueue(message).get(30, TimeUnit.SECONDS);
    }

    /**
     * The JDK's WebSocket takes one send at a time: chain them.
     */
    private synchronized CompletableFuture<?> enqueue(final byte[] message)
    {
        lastSend = lastSend.handle((ignored, failure) -> null)
            .thenCompose(ignored -> socket.sendBinary(ByteBuffer.wrap(message), true));
        return lastSend;
    }

    void sendText(final String text) throws Exception
    {
        socket.sendText(text, true).get(30, TimeUnit.SECONDS);
    }

    static byte[] resume(final long position, final int flags, final String token)
    {
        final byte[] tokenBytes = token.getBytes(StandardCharsets.UTF_8);
        final ByteBuffer message = ByteBuffer.allocate(10 + tokenBytes.length).order(ByteOrder.LITTLE_ENDIAN);
        message.put(BridgeProtocol.CLIENT_RESUME).putLong(position).put((byte)flags).put(tokenBytes);
        return message.array();
    }

    static byte[] ack(final long position)
    {
        return ByteBuffer.allocate(9).order(ByteOrder.LITTLE_ENDIAN).put(BridgeProtocol.CLIENT_ACK)
            .putLong(position).array();
    }

    /**
     * Start as a page that already holds these bytes.
     */
    synchronized void seed(final byte[] held)
    {
        output.writeBytes(held);
    }

    List<String> resizes()
    {
        return List.copyOf(resizes);
    }

    String lastResize()
    {
        return lastResize;
    }

    synchronized byte[] output()
    {
        return output.toByteArray();
    }

    synchronized int outputLength()
    {
        return output.size();
    }

    long endPosition()
    {
        return endPosition;
    }

    long outputMessages()
    {
        return outputMessages;
    }

    boolean exited()
    {
        return exited;
    }

    boolean hello()
    {
        return hello;
    }

    boolean writable()
    {
        return writable;
    }

    void close()
    {
        socket.abort();
    }

    @Override
    public CompletionStage<?> onBinary(final WebSocket webSocket, final ByteBuffer data, final boolean last)
    {
        synchronized (this)
        {
            final byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            partial.writeBytes(bytes);
            if (last)
            {
                onMessage(ByteBuffer.wrap(partial.toByteArray()).order(ByteOrder.LITTLE_ENDIAN));
                partial = new ByteArrayOutputStream();
            }
        }
        webSocket.request(1);
        return null;
    }

    private void onMessage(final ByteBuffer message)
    {
        switch (message.get(0))
        {
            case BridgeProtocol.OUTPUT ->
            {
                final long position = message.getLong(1);
                if (position != output.size())
                {
                    throw new AssertionError("output at " + position + " after " + output.size() + " bytes");
                }
                output.write(message.array(), BridgeProtocol.OUTPUT_HEADER_LENGTH,
                    message.limit() - BridgeProtocol.OUTPUT_HEADER_LENGTH);
                endPosition = output.size();
                outputMessages++;
                if (autoAck)
                {
                    enqueue(ack(endPosition));
                }
            }
            case BridgeProtocol.EXIT -> exited = true;
            case BridgeProtocol.RESIZE ->
            {
                lastResize = (message.getShort(1) & 0xFFFF) + "x" + (message.getShort(3) & 0xFFFF);
                resizes.add(lastResize);
            }
            case BridgeProtocol.HELLO ->
            {
                writable = (message.get(1) & BridgeProtocol.HELLO_WRITABLE) != 0;
                hello = true;
            }
            case BridgeProtocol.NOTICE -> notices.add(
                new String(message.array(), 1, message.limit() - 1, StandardCharsets.UTF_8));
            default ->
            {
            }
        }
    }

    @Override
    public CompletionStage<?> onClose(final WebSocket webSocket, final int statusCode, final String reason)
    {
        closed.complete(statusCode + " " + reason);
        return null;
    }

    @Override
    public void onError(final WebSocket webSocket, final Throwable error)
    {
        closed.complete("error " + error);
    }

    static void await(final String what, final long timeoutMs, final BooleanSupplier condition)
        throws InterruptedException
    {
        final long deadlineMs = System.currentTimeMillis() + timeoutMs;
        while (!condition.getAsBoolean())
        {
            if (System.currentTimeMillis() > deadlineMs)
            {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what);
            }
            Thread.sleep(20);
        }
    }
}
