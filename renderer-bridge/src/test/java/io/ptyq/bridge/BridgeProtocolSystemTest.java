package io.ptyq.bridge;

import io.ptyq.codec.control.DaemonProxy;
import io.ptyq.codec.control.SessionSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bridge's protocol without a browser: flow control against a viewer that does not acknowledge, exact resume
 * positions, the write token, and malformed messages, over a real daemon's journal.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BridgeProtocolSystemTest
{
    private static final String TOKEN = "protocol-token";
    private static final int HIGH = 1024 * 1024;
    private static final int LOW = 256 * 1024;
    private static final long TIMEOUT_MS = 60_000;

    private Path tmp;

    private Path journal;
    private PtyqProcess daemon;
    private BridgeServer server;
    private DaemonProxy control;

    @BeforeAll
    void start(@TempDir final Path tmp) throws Exception
    {
        this.tmp = tmp;
        journal = Files.createDirectory(tmp.resolve("journal"), PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rwx------")));
        daemon = PtyqProcess.daemon(journal, tmp.resolve("logs"));
        control = DaemonProxy.connect(journal);
        server = BridgeServer.launch(new BridgeServer.Context().journalDir(journal).port(0).writeToken(TOKEN)
            .highWatermark(HIGH).lowWatermark(LOW));
    }

    @AfterAll
    void stop()
    {
        if (null != server)
        {
            server.close();
        }
        if (null != control)
        {
            control.close();
        }
        if (null != daemon)
        {
            daemon.close();
        }
    }

    @Test
    void shouldStopReadingForAViewerThatDoesNotAcknowledgeWithoutHoldingBackOthers() throws Exception
    {
        // 6 MB through the PTY, far more than the high watermark.
        final long id = newSession("flood", "sh", "-c", "head -c 6000000 /dev/zero | tr '\\0' 'x'; sleep 1");
        final RawViewer stalled = RawViewer.connect(server.port(), id);
        stalled.send(RawViewer.resume(0, 0, ""));
        final RawViewer fast = RawViewer.connect(server.port(), id).autoAck(true);
        fast.send(RawViewer.resume(0, 0, ""));

        final byte[] expected = awaitExited(id);
        RawViewer.await("the acknowledging viewer to get everything", TIMEOUT_MS, fast::exited);
        assertArrayEquals(expected, fast.output(), "the acknowledging viewer's bytes");

        // The silent one got up to the high watermark, and one frame more at most, then nothing.
        final int got = stalled.outputLength();
        Thread.sleep(500);
        assertEquals(got, stalled.outputLength(), "nothing more without acknowledgements");
        assertTrue(got >= HIGH && got <= HIGH + 1024 * 1024 + BridgeProtocol.MAX_OUTPUT_PAYLOAD, "stopped near the high watermark: " + got);
        assertFalse(stalled.exited());

        // Acknowledging down to just above LOW starts nothing; below LOW it reads again, and loses nothing.
        stalled.send(RawViewer.ack(got - LOW - 4096));
        Thread.sleep(500);
        assertEquals(got, stalled.outputLength(), "still stopped above the low watermark");
        stalled.send(RawViewer.ack(got - LOW + 4096));
        RawViewer.await("reading again below the low watermark", TIMEOUT_MS, () -> stalled.outputLength() > got);
        stalled.autoAck(true);
        stalled.send(RawViewer.ack(stalled.endPosition()));
        RawViewer.await("the slow viewer to catch up once it acknowledges", TIMEOUT_MS, stalled::exited);
        assertArrayEquals(expected, stalled.output(), "the slow viewer lost nothing");
        stalled.close();
        fast.close();
    }

    @Test
    void shouldResumeExactlyFromAPositionInsideAFrame() throws Exception
    {
        final long id = newSession("resume", "sh", "-c", "seq 1 20000");
        final byte[] expected = awaitExited(id);
        final int from = expected.length / 3 + 7;
        final RawViewer viewer = RawViewer.connect(server.port(), id).autoAck(true);
        final byte[] prefix = new byte[from];
        // The viewer checks each OUTPUT's position against what it holds: seed it as if it held the prefix.
        viewer.seed(prefix);
        viewer.send(RawViewer.resume(from, BridgeProtocol.RESUME_REPLAY, ""));
        RawViewer.await("the rest of the session", TIMEOUT_MS, viewer::exited);
        assertArrayEquals(Arrays.copyOfRange(expected, from, expected.length),
            Arrays.copyOfRange(viewer.output(), from, viewer.outputLength()));
        assertTrue(viewer.outputMessages() > 1, "replay mode: one message per frame");
        viewer.close();
    }

    @Test
    void shouldSendOnlyTheLatestSizeBeforeTheResumePosition() throws Exception
    {
        final long id = newSession("sizes", "sh", "-c", "echo one; sleep 2; echo two; exec sleep 60");
        RawViewer.await("the first line", TIMEOUT_MS, () -> JournalBytes.read(journal, id).bytes().length > 0);
        control.resize(Long.toString(id), 90, 30);
        control.resize(Long.toString(id), 100, 33);
        RawViewer.await("the second line", TIMEOUT_MS,
            () -> new String(JournalBytes.read(journal, id).bytes(), StandardCharsets.UTF_8).contains("two"));
        final int held = JournalBytes.read(journal, id).bytes().length;

        // A page that restored a screen of all `held` bytes: the latest size only, then what comes after.
        final RawViewer viewer = RawViewer.connect(server.port(), id).autoAck(true);
        viewer.seed(new byte[held]);
        viewer.send(RawViewer.resume(held, 0, ""));
        RawViewer.await("the size at the resume point", TIMEOUT_MS, () -> !viewer.resizes().isEmpty());
        control.resize(Long.toString(id), 110, 35);
        RawViewer.await("the later resize", TIMEOUT_MS, () -> viewer.resizes().size() >= 2);
        assertEquals(List.of("100x33", "110x35"), viewer.resizes());
        assertEquals(held, viewer.outputLength(), "no output repeated");

        // A page from the start gets every size, in order.
        final RawViewer fromStart = RawViewer.connect(server.port(), id).autoAck(true);
        fromStart.send(RawViewer.resume(0, 0, ""));
        RawViewer.await("every size", TIMEOUT_MS, () -> fromStart.resizes().size() >= 4);
        assertEquals(List.of("80x24", "90x30", "100x33", "110x35"), fromStart.resizes());
        viewer.close();
        fromStart.close();
        control.signal(Long.toString(id), 15);
    }

    @Test
    void shouldSendKeystrokesOnlyWithTheWriteToken() throws Exception
    {
        final long id = newSession("write", "sh", "-c", "stty -echo; while read line; do echo \"got:$line\"; done");

        final RawViewer readOnly = RawViewer.connect(server.port(), id).autoAck(true);
        readOnly.send(RawViewer.resume(0, 0, "not-the-token"));
        RawViewer.await("HELLO", TIMEOUT_MS, readOnly::hello);
        assertFalse(readOnly.writable());
        readOnly.send(input("refused\r"));
        readOnly.send(new byte[]{ BridgeProtocol.CLIENT_RESIZE, 100, 0, 30, 0 });
        RawViewer.await("three notices", TIMEOUT_MS, () -> readOnly.notices.size() >= 3);
        assertEquals(List.of("wrong write token: read-only", "read-only: input refused (no write token)",
            "read-only: resize refused (no write token)"), readOnly.notices);

        final RawViewer writer = RawViewer.connect(server.port(), id).autoAck(true);
        writer.send(RawViewer.resume(0, 0, TOKEN));
        RawViewer.await("HELLO", TIMEOUT_MS, writer::hello);
        assertTrue(writer.writable());
        writer.send(input("accepted\r"));
        writer.send(new byte[]{ BridgeProtocol.CLIENT_RESIZE, 100, 0, 30, 0 });
        RawViewer.await("the answer to the typed line", TIMEOUT_MS,
            () -> new String(writer.output(), StandardCharsets.UTF_8).contains("got:accepted"));
        RawViewer.await("the resize in the journal, seen by the read-only viewer", TIMEOUT_MS,
            () -> readOnly.lastResize().equals("100x30"));
        assertFalse(new String(JournalBytes.read(journal, id).bytes(), StandardCharsets.UTF_8).contains("refused"));
        readOnly.close();
        writer.close();
        control.signal(Long.toString(id), 15);
    }

    @Test
    void shouldCloseOnMalformedMessagesWithAReasonAndKeepServing() throws Exception
    {
        final long id = newSession("malformed", "sh", "-c", "echo fine; exec sleep 60");
        assertClosedWith(id, List.of(input("x")), "1008 the first message must be RESUME");
        assertClosedWith(id, List.of(new byte[]{ BridgeProtocol.CLIENT_RESUME, 1, 2 }), "1008 RESUME must be");
        assertClosedWith(id, List.of(RawViewer.resume(-5, 0, "")), "1008 RESUME with a negative position");
        assertClosedWith(id, List.of(RawViewer.resume(0, 0x80, "")), "1008 RESUME with a negative position or " +
            "unknown flags");
        assertClosedWith(id, List.of(RawViewer.resume(0, 0, ""), RawViewer.resume(0, 0, "")),
            "1008 RESUME sent twice");
        assertClosedWith(id, List.of(RawViewer.resume(0, 0, ""), RawViewer.ack(1L << 40)),
            "1008 ACK beyond the bytes sent");
        assertClosedWith(id, List.of(RawViewer.resume(0, 0, ""), new byte[]{ BridgeProtocol.CLIENT_ACK, 1 }),
            "1008 ACK must be 9 bytes");
        assertClosedWith(id, List.of(RawViewer.resume(0, 0, ""), new byte[]{ 0x7f }),
            "1008 unknown message type 0x7f");
        assertClosedWith(id, List.of(new byte[0]), "1008 empty message");
        assertClosedWith(id, List.of(RawViewer.resume(0, 0, TOKEN), new byte[]{ BridgeProtocol.CLIENT_RESIZE, 0, 0,
            0, 0 }), "1008 RESIZE to 0x0 is out of range");

        final RawViewer text = RawViewer.connect(server.port(), id);
        text.sendText("{\"type\":\"hello\"}");
        assertEquals("1003 text messages are not part of the protocol", text.closed.get(30, TimeUnit.SECONDS));

        // An unknown session is refused at the upgrade, and the server still answers.
        final HttpResponse<String> list = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create(server.url() + "api/sessions")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, list.statusCode());
        assertTrue(list.body().contains("\"name\":\"malformed\""), list.body());
        final RawViewer good = RawViewer.connect(server.port(), id).autoAck(true);
        good.send(RawViewer.resume(0, 0, ""));
        RawViewer.await("output after all the bad clients", TIMEOUT_MS,
            () -> new String(good.output(), StandardCharsets.UTF_8).contains("fine"));
        good.close();
        control.signal(Long.toString(id), 15);
    }

    private void assertClosedWith(final long id, final List<byte[]> messages, final String expected) throws Exception
    {
        final RawViewer viewer = RawViewer.connect(server.port(), id);
        for (final byte[] message : messages)
        {
            try
            {
                viewer.send(message);
            }
            catch (final Exception ex)
            {
                // Closed already by an earlier message of the list.
            }
        }
        final String closed = viewer.closed.get(30, TimeUnit.SECONDS);
        assertTrue(closed.startsWith(expected), "expected a close '" + expected + "...', got '" + closed + "'");
    }

    private static byte[] input(final String text)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        final ByteBuffer message = ByteBuffer.allocate(1 + bytes.length).order(ByteOrder.LITTLE_ENDIAN);
        return message.put(BridgeProtocol.CLIENT_INPUT).put(bytes).array();
    }

    private long newSession(final String name, final String... argv)
    {
        return control.newSession(new SessionSpec(name, List.of(argv), tmp.toString(), Map.of(), 80, 24));
    }

    private byte[] awaitExited(final long id) throws InterruptedException
    {
        final long deadlineMs = System.currentTimeMillis() + TIMEOUT_MS;
        while (System.currentTimeMillis() < deadlineMs)
        {
            final JournalBytes journalBytes = JournalBytes.read(journal, id);
            if (journalBytes.exited())
            {
                return journalBytes.bytes();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("session " + id + " did not exit within " + TIMEOUT_MS + " ms");
    }
}
