package io.ptyq.bridge;

import java.net.URI;
import java.util.Locale;

/**
 * Who may talk to the bridge. On a loopback bind the {@code Host} header must name a loopback address or
 * {@code localhost}, which defeats DNS rebinding; a WebSocket upgrade that carries an {@code Origin} must come from
 * the page's own origin ({@code http://} and the request's {@code Host}), which refuses every other site's pages.
 * Clients that are not browsers send no Origin and are not subject to the check.
 */
final class OriginPolicy
{
    private final boolean loopbackOnly;

    /**
     * @param loopbackOnly whether the bridge listens on loopback only, so that only loopback host names are valid.
     */
    OriginPolicy(final boolean loopbackOnly)
    {
        this.loopbackOnly = loopbackOnly;
    }

    /**
     * @param host the request's Host header, may be null.
     * @return why the request is refused, or null if it may go on.
     */
    String checkHost(final String host)
    {
        if (null == host || host.isEmpty())
        {
            return "no Host header";
        }
        if (!loopbackOnly)
        {
            return null;
        }
        final String name = hostName(host);
        if (null == name || !isLoopbackName(name))
        {
            return "Host '" + host + "' is not a loopback name";
        }

        return null;
    }

    /**
     * @param host   the request's Host header.
     * @param origin the request's Origin header, null when the client is not a browser.
     * @return why the WebSocket upgrade is refused, or null if it may go on.
     */
    String checkUpgrade(final String host, final String origin)
    {
        final String hostProblem = checkHost(host);
        if (null != hostProblem)
        {
            return hostProblem;
        }
        if (null == origin)
        {
            return null;
        }
        final String expected = "http://" + host.toLowerCase(Locale.ROOT);
        if (!expected.equals(origin.toLowerCase(Locale.ROOT)))
        {
            return "cross-origin WebSocket from '" + origin + "' refused";
        }

        return null;
    }

    private static String hostName(final String host)
    {
        try
        {
            final URI uri = new URI("http://" + host + "/");
            final String name = uri.getHost();
            return null == name ? null : name.toLowerCase(Locale.ROOT);
        }
        catch (final Exception ex)
        {
            return null;
        }
    }

    private static boolean isLoopbackName(final String name)
    {
        if ("localhost".equals(name) || name.endsWith(".localhost") || "[::1]".equals(name))
        {
            return true;
        }
        // 127.0.0.0/8, written as a dotted quad.
        final String[] parts = name.split("\\.", -1);
        if (4 != parts.length || !"127".equals(parts[0]))
        {
            return false;
        }
        for (final String part : parts)
        {
            if (!part.matches("\\d{1,3}") || Integer.parseInt(part) > 255)
            {
                return false;
            }
        }

        return true;
    }
}
