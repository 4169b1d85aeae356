package io.ptyq.bridge;

import com.sun.net.httpserver.HttpServer;
import io.ptyq.codec.control.DaemonProxy;
import io.ptyq.codec.control.SessionSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ptyq serve} end to end: a real daemon JVM running real PTY sessions, the bridge reading its journal, and
 * the page in Debian's headless Chromium.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BridgeSystemTest
{
    private static final String TOKEN = "test-write-token-7f3a";
    private static final long TIMEOUT_MS = 60_000;

    private Path tmp;

    private Path journal;
    private PtyqProcess daemon;
    private BridgeServer server;
    private Browser browser;
    private DaemonProxy control;

    @BeforeAll
    void start(@TempDir final Path tmp) throws Exception
    {
        this.tmp = tmp;
        journal = Files.createDirectory(tmp.resolve("journal"), PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rwx------")));
        daemon = PtyqProcess.daemon(journal, tmp.resolve("logs"));
        control = DaemonProxy.connect(journal);
        server = BridgeServer.launch(new BridgeServer.Context().journalDir(journal).port(0).writeToken(TOKEN));
        browser = new Browser(tmp.resolve("chromium-profile"));
    }

    @AfterAll
    void stop()
    {
        if (null != browser)
        {
            browser.close();
        }
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

    @BeforeEach
    void forgetPageState()
    {
        // One browser tab for all tests: start each without a token or saved screens from the one before.
        browser.open(server.url());
        browser.script("sessionStorage.clear();");
        browser.open("about:blank");
    }

    @Test
    void shouldShowLiveSessionTextAndItsEnd() throws Exception
    {
        final long id = newSession("live", "sh", "-c",
            "echo first-line-$((6*7)); sleep 1; echo second-line; exec sleep 60");
        browser.open(server.url() + "#session=" + id);

        browser.awaitStats("the first line of the live session", TIMEOUT_MS,
            s -> text(s).contains("first-line-42"));
        final Map<String, Object> stats = browser.awaitStats("the second line, written a second later", TIMEOUT_MS,
            s -> text(s).contains("second-line"));
        assertEquals(Boolean.TRUE, stats.get("live"));
        assertEquals(Boolean.FALSE, stats.get("writable"), "no token: read-only");

        // The session list shows it running, then its end.
        // Read in one script: the list is rebuilt every second, so an element found a moment ago may be gone.
        final String row = String.valueOf(browser.script("const row = document.querySelector(" +
            "\"#sessions tr[data-id='\" + arguments[0] + \"']\"); return row ? row.textContent : 'no row';", id));
        assertTrue(row.contains("running"), row);
        control.signal(Long.toString(id), 15);
        browser.awaitStats("the session's end in the view", TIMEOUT_MS, s -> Boolean.TRUE.equals(s.get("ended")));
        assertTrue(browser.driver().findElement(By.id("view-state")).getText().contains("signal 15"));
    }

    @Test
    void shouldResumeAfterForcedSocketClosesWithoutGapOrDuplicate() throws Exception
    {
        final long id = newSession("burst", "sh", "-c",
            "i=0; while [ $i -lt 300 ]; do seq -f \"line %g of the burst, padded to be a little longer\" " +
                "$((i*50)) $((i*50+49)); i=$((i+1)); sleep 0.02; done");
        browser.open(server.url() + "?verify#session=" + id);

        long lastBytes = 0;
        for (int drop = 0; drop < 6; drop++)
        {
            final long after = lastBytes;
            final Map<String, Object> stats = browser.awaitStats("more output before drop " + drop, TIMEOUT_MS,
                s -> number(s, "bytes") > after && Boolean.TRUE.equals(s.get("connected")));
            lastBytes = number(stats, "bytes");
            browser.script("window.ptyq.dropSocket();");
            Thread.sleep(150);
        }

        final byte[] expected = awaitExited(id);
        final Map<String, Object> stats = browser.awaitStats("all " + expected.length + " bytes processed",
            TIMEOUT_MS, s -> number(s, "processed") == expected.length && Boolean.TRUE.equals(s.get("ended")));
        assertEquals(expected.length, number(stats, "bytes"), "bytes written into xterm.js");
        assertEquals(crc32Hex(expected), stats.get("crcHex"), "CRC-32 of what xterm.js received vs the journal");
        assertEquals(0L, number(stats, "duplicates"));
        assertEquals(0L, number(stats, "gaps"));
        assertTrue(number(stats, "connects") >= 7, "reconnected after every drop: " + stats.get("connects"));
    }

    @Test
    void shouldContinueFromTheSavedScreenAfterAReload() throws Exception
    {
        final long id = newSession("reload", "sh", "-c",
            "echo before-reload; sleep 3; echo after-reload; exec sleep 60");
        browser.open(server.url() + "#session=" + id);
        final Map<String, Object> before = browser.awaitStats("the first line", TIMEOUT_MS,
            s -> text(s).contains("before-reload") && number(s, "processed") > 0);
        Thread.sleep(1_200); // past the snapshot interval, at a quiet point
        browser.script("window.dispatchEvent(new Event('pagehide'));");
        browser.driver().navigate().refresh();

        final Map<String, Object> after = browser.awaitStats("the later line after the reload", TIMEOUT_MS,
            s -> text(s).contains("after-reload"));
        assertEquals(number(before, "processed"), number(after, "restoredPosition"),
            "the reloaded page restored the screen up to where it had processed");
        assertEquals(number(after, "restoredPosition"), number(after, "firstPosition"),
            "and the server continued exactly there");
        assertTrue(text(after).contains("before-reload"), "the restored screen keeps the earlier line");
        assertEquals(1, countOf(text(after), "before-reload"), "no line twice");
        control.signal(Long.toString(id), 15);
    }

    @Test
    void shouldRefuseTypingWithoutTheTokenAndSendItWithTheToken() throws Exception
    {
        final long id = newSession("typing", "sh", "-c", "stty -echo; while read line; do echo \"got:$line\"; done");
        browser.open(server.url() + "#session=" + id);
        browser.awaitStats("a read-only connection", TIMEOUT_MS,
            s -> Boolean.TRUE.equals(s.get("connected")) && Boolean.FALSE.equals(s.get("writable")));

        final WebElement keyboard = browser.driver().findElement(By.cssSelector(".xterm-helper-textarea"));
        keyboard.sendKeys("typed-without-token\n");
        // The page does not send; a hand-made INPUT without the token is refused by the server too.
        final Object notice = browser.asyncScript(
            "const done = arguments[arguments.length - 1];" +
            "const ws = new WebSocket('ws://' + location.host + '/ws/sessions/" + id + "');" +
            "ws.binaryType = 'arraybuffer';" +
            "ws.onopen = () => {" +
            "  const resume = new Uint8Array(10); resume[0] = 0x10; ws.send(resume);" +
            "  const input = new TextEncoder().encode('xsneaky\\r'); input[0] = 0x12; ws.send(input); };" +
            "ws.onmessage = (e) => { const b = new Uint8Array(e.data);" +
            "  if (b[0] === 0x06) { ws.close(); done(new TextDecoder().decode(b.subarray(1))); } };" +
            "ws.onclose = (e) => done('closed ' + e.code);");
        assertTrue(String.valueOf(notice).contains("read-only"), String.valueOf(notice));
        Thread.sleep(1_000);
        assertFalse(new String(JournalBytes.read(journal, id).bytes(), StandardCharsets.UTF_8).contains("got:"),
            "nothing typed without the token reached the shell");

        browser.driver().findElement(By.id("token")).sendKeys(TOKEN);
        browser.driver().findElement(By.id("token-use")).click();
        browser.awaitStats("a writable connection", TIMEOUT_MS, s -> Boolean.TRUE.equals(s.get("writable")));
        browser.driver().findElement(By.cssSelector(".xterm-helper-textarea")).sendKeys("hello-from-chromium\n");
        browser.awaitStats("the shell's answer to the typed line", TIMEOUT_MS,
            s -> text(s).contains("got:hello-from-chromium"));
        final String output = new String(JournalBytes.read(journal, id).bytes(), StandardCharsets.UTF_8);
        assertTrue(output.contains("got:hello-from-chromium"), output);
        assertFalse(output.contains("typed-without-token") || output.contains("sneaky"), output);
        control.signal(Long.toString(id), 15);
    }

    @Test
    void shouldRefuseCrossOriginWebSockets() throws Exception
    {
        final long id = newSession("origin", "sh", "-c", "echo origin-test; exec sleep 60");
        final String probe = "const done = arguments[arguments.length - 1];" +
            "const ws = new WebSocket(arguments[0]);" +
            "ws.onopen = () => { ws.close(); done('open'); };" +
            "ws.onerror = () => done('refused');";
        final String wsUrl = "ws://127.0.0.1:" + server.port() + "/ws/sessions/" + id;

        // Another site's page, on another port: the browser sends its Origin, the bridge refuses the upgrade.
        final HttpServer otherSite = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        otherSite.createContext("/", exchange ->
        {
            final byte[] page = "<!doctype html><title>elsewhere</title>".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
        });
        otherSite.start();
        try
        {
            browser.open("http://127.0.0.1:" + otherSite.getAddress().getPort() + "/");
            assertEquals("refused", browser.asyncScript(probe, wsUrl), "cross-origin WebSocket");
        }
        finally
        {
            otherSite.stop(0);
        }
        // The same request from the bridge's own page opens.
        browser.open("http://127.0.0.1:" + server.port() + "/");
        assertEquals("open", browser.asyncScript(probe, wsUrl), "same-origin WebSocket");

        // Without a browser: a forged Origin is refused with 403 and so is a foreign Host (DNS rebinding).
        final HttpClient http = HttpClient.newHttpClient();
        final CompletionException refused = assertThrows(CompletionException.class, () -> http.newWebSocketBuilder()
            .header("Origin", "http://evil.example")
            .buildAsync(URI.create(wsUrl), new RawViewer()).join());
        assertInstanceOf(WebSocketHandshakeException.class, refused.getCause());
        assertEquals(403, ((WebSocketHandshakeException)refused.getCause()).getResponse().statusCode());
        try (Socket socket = new Socket("127.0.0.1", server.port()))
        {
            // The JDK's HttpClient will not forge a Host header: write the request by hand.
            socket.getOutputStream().write(("GET /api/sessions HTTP/1.1\r\nHost: evil.example:" + server.port() +
                "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            final String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(response.startsWith("HTTP/1.1 403"), response);
            assertFalse(response.contains("\"name\""), "no session list for a foreign Host");
        }
        control.signal(Long.toString(id), 15);
    }

    @Test
    void shouldReplayAnExitedSessionWithPauseSpeedAndSeek() throws Exception
    {
        final long id = newSession("recorded", "sh", "-c",
            "echo start-mark; sleep 1.5; echo middle-mark; sleep 1.5; echo end-mark");
        awaitExited(id);
        awaitListed(id, "exited");
        browser.open(server.url() + "#session=" + id);
        assertTrue(browser.driver().findElement(By.id("replay-bar")).isDisplayed(), "replay controls shown");

        browser.awaitStats("the first line played", TIMEOUT_MS, s -> text(s).contains("start-mark"));
        final Map<String, Object> early = browser.stats();
        assertEquals(Boolean.FALSE, early.get("live"));
        assertFalse(text(early).contains("end-mark"), "3 s of recording is not all shown at once");

        // Pause: the play clock stops.
        browser.driver().findElement(By.id("play")).click();
        final String pausedAt = browser.driver().findElement(By.id("clock")).getText();
        Thread.sleep(1_000);
        assertEquals(pausedAt, browser.driver().findElement(By.id("clock")).getText(), "paused clock");

        // Seek to the end: everything at once.
        browser.driver().findElement(By.id("to-end")).click();
        browser.awaitStats("the last line after seeking to the end", TIMEOUT_MS,
            s -> text(s).contains("end-mark") && Boolean.TRUE.equals(s.get("ended")));

        // Seek back to the start, play at 32x: starts over and reaches the end again quickly.
        browser.script("const seek = document.getElementById('seek'); seek.value = '0';" +
            "seek.dispatchEvent(new Event('change'));");
        browser.awaitStats("the screen started over", TIMEOUT_MS, s -> !text(s).contains("end-mark"));
        browser.script("const speed = document.getElementById('speed'); speed.value = '32';" +
            "speed.dispatchEvent(new Event('change'));");
        browser.driver().findElement(By.id("play")).click();
        final long playedFromMs = System.currentTimeMillis();
        browser.awaitStats("the end at 32x", TIMEOUT_MS, s -> text(s).contains("end-mark"));
        assertTrue(System.currentTimeMillis() - playedFromMs < 30_000);
        assertEquals(1, countOf(text(browser.stats()), "start-mark"), "one start after seeking back");
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

    private void awaitListed(final long id, final String state) throws Exception
    {
        final HttpClient http = HttpClient.newHttpClient();
        final long deadlineMs = System.currentTimeMillis() + TIMEOUT_MS;
        while (System.currentTimeMillis() < deadlineMs)
        {
            final String json = http.send(HttpRequest.newBuilder(URI.create(server.url() + "api/sessions")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
            if (json.contains("{\"id\":" + id + ",") &&
                json.substring(json.indexOf("{\"id\":" + id + ",")).matches("(?s)[^}]*\"state\":\"" + state + "\".*"))
            {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("session " + id + " not listed as " + state);
    }

    static String crc32Hex(final byte[] bytes)
    {
        final CRC32 crc = new CRC32();
        crc.update(bytes);
        return String.format("%08x", crc.getValue());
    }

    private static String text(final Map<String, Object> stats)
    {
        return String.valueOf(stats.get("text"));
    }

    private static long number(final Map<String, Object> stats, final String key)
    {
        final Object value = stats.get(key);
        return value instanceof Number ? ((Number)value).longValue() : -1;
    }

    private static int countOf(final String text, final String word)
    {
        int count = 0;
        for (int i = text.indexOf(word); i >= 0; i = text.indexOf(word, i + 1))
        {
            count++;
        }
        return count;
    }
}
