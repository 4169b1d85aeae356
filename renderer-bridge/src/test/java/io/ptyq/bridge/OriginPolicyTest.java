package io.ptyq.bridge;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

class OriginPolicyTest
{
    private final OriginPolicy loopback = new OriginPolicy(true);
    private final OriginPolicy remote = new OriginPolicy(false);

    @Test
    void shouldAcceptLoopbackHostsOnALoopbackBind()
    {
        for (final String host : new String[]{ "127.0.0.1:7681", "localhost:7681", "LOCALHOST", "127.1.2.3",
            "[::1]:7681", "app.localhost:80" })
        {
            assertNull(loopback.checkHost(host), host);
        }
    }

    @Test
    void shouldRefuseOtherHostsOnALoopbackBind()
    {
        for (final String host : new String[]{ "evil.example:7681", "127.0.0.1.evil.example", "10.0.0.1:7681",
            "128.0.0.1", "127.0.0.256", "", "localhost.evil.example", "a b" })
        {
            assertNotNull(loopback.checkHost(host), host);
        }
        assertNotNull(loopback.checkHost(null));
    }

    @Test
    void shouldAcceptAnyHostWhenRemoteIsAllowed()
    {
        assertNull(remote.checkHost("build-box.lan:7681"));
        assertNotNull(remote.checkHost(null));
    }

    @Test
    void shouldAcceptOnlySameOriginUpgrades()
    {
        assertNull(loopback.checkUpgrade("127.0.0.1:7681", "http://127.0.0.1:7681"));
        assertNull(loopback.checkUpgrade("localhost:7681", "http://LOCALHOST:7681"));
        assertNull(loopback.checkUpgrade("127.0.0.1:7681", null), "not a browser: no Origin to check");
        assertEquals("cross-origin WebSocket from 'http://evil.example' refused",
            loopback.checkUpgrade("127.0.0.1:7681", "http://evil.example"));
        assertNotNull(loopback.checkUpgrade("127.0.0.1:7681", "http://127.0.0.1:9999"), "another port");
        assertNotNull(loopback.checkUpgrade("127.0.0.1:7681", "http://localhost:7681"), "another name");
        assertNotNull(loopback.checkUpgrade("127.0.0.1:7681", "null"), "a sandboxed or file: page");
        assertNotNull(loopback.checkUpgrade("evil.example:7681", "http://evil.example:7681"), "DNS rebinding");
        assertNull(remote.checkUpgrade("box.lan:7681", "http://box.lan:7681"));
        assertNotNull(remote.checkUpgrade("box.lan:7681", "http://evil.example"));
    }
}
