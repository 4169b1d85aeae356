package io.ptyq.bridge;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The page's files, read from the jar once at start: our page and the xterm.js files the build copied from npm.
 * Nothing is fetched from elsewhere at run time.
 */
final class WebResources
{
    private static final String ROOT = "/io/ptyq/bridge/web/";
    private static final String[][] FILES = {
        {"/", "index.html", "text/html; charset=utf-8"},
        {"/app.js", "app.js", "text/javascript; charset=utf-8"},
        {"/socket-worker.js", "socket-worker.js", "text/javascript; charset=utf-8"},
        {"/app.css", "app.css", "text/css; charset=utf-8"},
        {"/vendor/xterm.js", "vendor/xterm.js", "text/javascript; charset=utf-8"},
        {"/vendor/xterm.css", "vendor/xterm.css", "text/css; charset=utf-8"},
        {"/vendor/addon-fit.js", "vendor/addon-fit.js", "text/javascript; charset=utf-8"},
        {"/vendor/addon-serialize.js", "vendor/addon-serialize.js", "text/javascript; charset=utf-8"},
    };

    private final Map<String, Resource> byPath = new LinkedHashMap<>();

    /**
     * @throws IllegalStateException if a file is missing from the build.
     */
    WebResources()
    {
        for (final String[] file : FILES)
        {
            byPath.put(file[0], new Resource(load(file[1]), file[2]));
        }
    }

    /**
     * @return the served paths and their files.
     */
    Map<String, Resource> byPath()
    {
        return byPath;
    }

    private static byte[] load(final String name)
    {
        try (InputStream in = WebResources.class.getResourceAsStream(ROOT + name))
        {
            if (null == in)
            {
                throw new IllegalStateException("web resource " + name + " is missing from the build (was npm ci " +
                    "run by the renderer-bridge build?)");
            }
            return in.readAllBytes();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * One served file.
     *
     * @param bytes       its content.
     * @param contentType its media type.
     */
    record Resource(byte[] bytes, String contentType)
    {
    }
}
