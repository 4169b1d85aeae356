package io.ptyq.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.SplittableRandom;

/**
 * A file of deterministic terminal text shaped like a build log: Maven-style lines, compiler warnings, stack frames,
 * test results with SGR colours and some multi-byte UTF-8. No tabs and no carriage returns, so the only change a PTY
 * makes with its default termios (OPOST, ONLCR) is {@code \n} to {@code \r\n}.
 */
final class TerminalTextFile
{
    private static final String ESC = "\u001b";
    private static final String[] LEVELS = { "INFO", "INFO", "INFO", "WARNING", "DEBUG" };
    private static final String[] MODULES = { "codec", "producer", "consumer", "renderer-bridge", "bench", "core" };
    private static final String[] WORDS = {
        "session", "journal", "frame", "buffer", "reader", "writer", "render", "decode", "encode", "append",
        "queue", "cycle", "index", "tail", "resize", "signal", "marker", "output", "input", "terminal" };

    private final Path path;
    private final long length;
    private final long newlines;

    private TerminalTextFile(final Path path, final long length, final long newlines)
    {
        this.path = path;
        this.length = length;
        this.newlines = newlines;
    }

    /**
     * Write the file, or reuse it if a previous run left one of this length.
     *
     * @param dir    where to put it.
     * @param length bytes, exactly; the last byte is a newline.
     * @return the file.
     */
    static TerminalTextFile create(final Path dir, final long length) throws IOException
    {
        final Path path = dir.resolve("build-log-" + length + ".txt");
        if (Files.isRegularFile(path) && Files.size(path) == length)
        {
            return new TerminalTextFile(path, length, countNewlines(path));
        }

        final Path partial = dir.resolve(path.getFileName() + ".partial");
        final SplittableRandom random = new SplittableRandom(42);
        final StringBuilder line = new StringBuilder(256);
        long written = 0;
        long newlines = 0;
        long lineNumber = 0;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(partial), 1 << 16))
        {
            while (written < length)
            {
                line.setLength(0);
                appendLine(line, random, lineNumber++);
                final byte[] bytes = line.toString().getBytes(StandardCharsets.UTF_8);
                // The last line is cut to fit, on an ASCII byte so no UTF-8 sequence is split, and ends in '\n'.
                int take = (int)Math.min(bytes.length, length - written - 1);
                while (take > 0 && bytes[take - 1] < 0)
                {
                    take--;
                }
                out.write(bytes, 0, take);
                out.write('\n');
                written += take + 1;
                newlines++;
            }
        }
        Files.move(partial, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

        return new TerminalTextFile(path, length, newlines);
    }

    private static void appendLine(final StringBuilder line, final SplittableRandom random, final long lineNumber)
    {
        final String module = MODULES[random.nextInt(MODULES.length)];
        switch (random.nextInt(8))
        {
            case 0:
                line.append("[INFO] Compiling ").append(random.nextInt(1, 400)).append(" source files with javac ")
                    .append("[debug release 17] to ").append(module).append("/target/classes");
                break;
            case 1:
                line.append("[WARNING] /home/ci/work/ptyq/").append(module).append("/src/main/java/io/ptyq/")
                    .append(WORDS[random.nextInt(WORDS.length)]).append("/Class").append(random.nextInt(1000))
                    .append(".java:[").append(random.nextInt(1, 900)).append(',').append(random.nextInt(1, 80))
                    .append("] unchecked conversion");
                break;
            case 2:
                line.append("        at io.ptyq.").append(module.replace('-', '.')).append('.')
                    .append(capitalised(WORDS[random.nextInt(WORDS.length)])).append("Handler.on")
                    .append(capitalised(WORDS[random.nextInt(WORDS.length)])).append("(Handler.java:")
                    .append(random.nextInt(1, 2000)).append(')');
                break;
            case 3:
                final boolean passed = random.nextInt(20) != 0;
                line.append("  ").append(ESC).append(passed ? "[1;32m\u2714" : "[1;31m\u2718").append(ESC)
                    .append("[0m should ").append(WORDS[random.nextInt(WORDS.length)]).append(' ')
                    .append(WORDS[random.nextInt(WORDS.length)]).append(" after ")
                    .append(WORDS[random.nextInt(WORDS.length)]).append(' ').append(ESC).append("[2m(")
                    .append(random.nextInt(1, 5000)).append(" ms)").append(ESC).append("[0m");
                break;
            case 4:
                line.append("Progress (1): ").append(random.nextInt(1, 999)).append('.').append(random.nextInt(10))
                    .append('/').append(random.nextInt(1000, 9999)).append(" kB");
                break;
            default:
                line.append('[').append(LEVELS[random.nextInt(LEVELS.length)]).append("] ")
                    .append(String.format("%02d:%02d:%02d.%03d", (lineNumber / 3_600_000) % 24,
                        (lineNumber / 60_000) % 60, (lineNumber / 1000) % 60, lineNumber % 1000))
                    .append(" [").append(module).append("] ");
                final int words = random.nextInt(3, 18);
                for (int i = 0; i < words; i++)
                {
                    line.append(WORDS[random.nextInt(WORDS.length)]).append(i + 1 < words ? " " : "");
                }
                if (random.nextInt(10) == 0)
                {
                    line.append(" \u2014 ").append(random.nextLong(1L << 40)).append(" bytes \u00b5s");
                }
                break;
        }
    }

    private static String capitalised(final String word)
    {
        return Character.toUpperCase(word.charAt(0)) + word.substring(1);
    }

    private static long countNewlines(final Path path) throws IOException
    {
        long newlines = 0;
        final byte[] chunk = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(path))
        {
            int read;
            while ((read = in.read(chunk)) > 0)
            {
                for (int i = 0; i < read; i++)
                {
                    if ('\n' == chunk[i])
                    {
                        newlines++;
                    }
                }
            }
        }

        return newlines;
    }

    Path path()
    {
        return path;
    }

    /**
     * @return bytes in the file.
     */
    long length()
    {
        return length;
    }

    /**
     * @return bytes a PTY delivers for it: each {@code \n} becomes {@code \r\n}.
     */
    long ptyLength()
    {
        return length + newlines;
    }

    /**
     * @return the bytes a PTY delivers for the file, as a stream; the caller closes it.
     */
    PtyBytes openPtyBytes() throws IOException
    {
        return new PtyBytes(new BufferedInputStream(Files.newInputStream(path), 1 << 16));
    }

    /**
     * The file's bytes with {@code \n} turned into {@code \r\n}, one at a time.
     */
    static final class PtyBytes implements AutoCloseable
    {
        private final InputStream in;
        private boolean pendingNewline;

        private PtyBytes(final InputStream in)
        {
            this.in = in;
        }

        /**
         * @return the next byte, 0..255, or -1 at the end.
         */
        int next() throws IOException
        {
            if (pendingNewline)
            {
                pendingNewline = false;
                return '\n';
            }
            final int b = in.read();
            if ('\n' == b)
            {
                pendingNewline = true;
                return '\r';
            }

            return b;
        }

        @Override
        public void close() throws IOException
        {
            in.close();
        }
    }
}
