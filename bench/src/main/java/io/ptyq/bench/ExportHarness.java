package io.ptyq.bench;

import io.ptyq.codec.sbe.ExitReason;
import io.ptyq.producer.JournalFiles;
import io.ptyq.producer.JournalPublisher;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code ptyq export} of a long session against {@code asciinema cat} of the same session as asciicast v2, each run
 * as a user runs it (a new process per round through the repository's {@code bin/ptyq} launcher, with its flags and
 * class-data sharing archive, output to /dev/null), alternating in one run.
 * <p>
 * The session is synthesized straight into a journal: Output frames of a fixed size (4 KiB: what the daemon
 * journals under a flood of output; 256 B: output at the pace of lines) of terminal text (SGR escapes and multi-byte
 * UTF-8, which the fixed frame size cuts in the middle of characters, so the carried decoder works), 1 ms apart, between a SessionStarted and a SessionExited. The v2 file for asciinema is ptyq's own export of it, checked
 * first to play back, through {@code asciinema cat}, as exactly the session's bytes. MB/s counts the session's output
 * bytes. {@code asciinema cat} wants a terminal for its stdin, so it runs under {@code script}; a round of
 * {@code script} running {@code true} is timed too, to show that this costs next to nothing. More columns show
 * where the time goes: the same export with the full JIT (C2) instead of the launcher's C1 only for one-shot
 * commands; with the launcher's start-up help turned off (no class-data sharing, full JIT: how session 2 ran it);
 * and the export of a session of one frame (the fixed cost of a process).
 * <p>
 * Arguments: session MiB of output (200), output bytes per frame (4096), rounds (3). Run from the repository root
 * (or set {@code -Dptyq.launcher=PATH/bin/ptyq}). {@code -Dptyq.bench.keep=true} keeps the journals and the v2 file
 * (their directory is printed), for comparing the bytes of exports before and after a change.
 */
public final class ExportHarness
{
    private static final long SESSION_ID = 1;
    private static final long START_NS = 1_760_000_000_000_000_000L;
    private static final long FRAME_INTERVAL_NS = 1_000_000L;

    private ExportHarness()
    {
    }

    /**
     * Write the journal and the v2 file, check they agree, then alternate the two commands and print MB/s.
     *
     * @param args [megabytes [frame bytes [rounds]]].
     */
    public static void main(final String[] args) throws Exception
    {
        final long megabytes = args.length > 0 ? Long.parseLong(args[0]) : 200;
        final int frameBytes = args.length > 1 ? Integer.parseInt(args[1]) : 4096;
        final int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        final long frameCount = (megabytes << 20) / frameBytes;
        final long outputBytes = frameCount * frameBytes;
        final Path dir = BenchFiles.newTempDir("ptyq-export-");
        final Path journal = dir.resolve("journal");
        final Path cast = dir.resolve("session.cast");
        final Path raw = dir.resolve("session.raw");
        final Path played = dir.resolve("played.raw");
        final Path tinyJournal = dir.resolve("tiny");
        final Path launcher = Path.of(System.getProperty("ptyq.launcher", "bin/ptyq")).toAbsolutePath();
        if (!Files.isExecutable(launcher))
        {
            throw new IllegalStateException(launcher + " is not executable: run from the repository root or set " +
                "-Dptyq.launcher");
        }
        try
        {
            long startNs = System.nanoTime();
            write(tinyJournal, 1, frameBytes);
            write(journal, frameCount, frameBytes);
            System.out.printf("wrote a session of %,d output bytes in %,d frames in %.2f s%n", outputBytes, frameCount,
                (System.nanoTime() - startNs) / 1e9);

            // The first run through the launcher also makes its class-data sharing archive if it has none yet.
            run(ptyq(launcher, journal, "export", String.valueOf(SESSION_ID), "-o", cast.toString()));
            run(ptyq(launcher, journal, "export", String.valueOf(SESSION_ID), "--format", "raw", "-o",
                raw.toString()));
            run(List.of("script", "-q", "-e", "-c", "asciinema cat " + cast + " > " + played, "/dev/null"));
            if (Files.mismatch(raw, played) != -1 || Files.size(raw) != outputBytes)
            {
                throw new IllegalStateException("asciinema cat of the v2 export is not the session's bytes");
            }
            Files.delete(played);
            System.out.printf("v2 file: %,d bytes; asciinema cat of it gives the session's %,d bytes exactly%n",
                Files.size(cast), outputBytes);

            final List<String> export = ptyq(launcher, journal, "export", String.valueOf(SESSION_ID));
            // The launcher's start-up help off: no class-data sharing archive, and the full JIT for this command.
            final List<String> exportPlain = new ArrayList<>(List.of("env", "PTYQ_CDS=off",
                "PTYQ_JAVA_OPTS=-XX:TieredStopAtLevel=4 -Djnr.ffi.asm.enabled=true"));
            exportPlain.addAll(export);
            // The launcher's flags but the full JIT: whether C2 pays for itself on a long export.
            final List<String> exportC2 = new ArrayList<>(List.of("env", "PTYQ_JAVA_OPTS=-XX:TieredStopAtLevel=4"));
            exportC2.addAll(export);
            final List<String> exportTiny = ptyq(launcher, tinyJournal, "export", String.valueOf(SESSION_ID));
            final List<String> asciinema = List.of("script", "-q", "-e", "-c", "asciinema cat " + cast + " > /dev/null",
                "/dev/null");
            final List<String> scriptOnly = List.of("script", "-q", "-e", "-c", "true", "/dev/null");
            System.out.printf("%-6s %16s %18s %10s %12s %10s %16s %10s %16s %14s%n", "round", "ptyq export MB/s",
                "asciinema cat MB/s", "ratio", "C2 MB/s", "C2 ratio", "no CDS, C2 MB/s", "its ratio",
                "1-frame export s", "script-only s");
            double sumPtyq = 0;
            double sumC2 = 0;
            double sumPlain = 0;
            double sumAsciinema = 0;
            double sumTiny = 0;
            for (int round = 1; round <= rounds; round++)
            {
                final double ptyqSeconds = run(export);
                final double asciinemaSeconds = run(asciinema);
                final double c2Seconds = run(exportC2);
                final double plainSeconds = run(exportPlain);
                final double tinySeconds = run(exportTiny);
                final double scriptSeconds = run(scriptOnly);
                System.out.printf("%-6d %16.1f %18.1f %9.2fx %12.1f %9.2fx %16.1f %9.2fx %16.3f %14.3f%n", round,
                    outputBytes / ptyqSeconds / 1e6, outputBytes / asciinemaSeconds / 1e6,
                    asciinemaSeconds / ptyqSeconds, outputBytes / c2Seconds / 1e6, asciinemaSeconds / c2Seconds,
                    outputBytes / plainSeconds / 1e6, asciinemaSeconds / plainSeconds, tinySeconds, scriptSeconds);
                sumPtyq += ptyqSeconds;
                sumC2 += c2Seconds;
                sumPlain += plainSeconds;
                sumAsciinema += asciinemaSeconds;
                sumTiny += tinySeconds;
            }
            System.out.printf("%-6s %16.1f %18.1f %9.2fx %12.1f %9.2fx %16.1f %9.2fx %16.3f  (target: ptyq export " +
                ">= 3x asciinema cat)%n", "total", outputBytes * rounds / sumPtyq / 1e6,
                outputBytes * rounds / sumAsciinema / 1e6, sumAsciinema / sumPtyq, outputBytes * rounds / sumC2 / 1e6,
                sumAsciinema / sumC2, outputBytes * rounds / sumPlain / 1e6, sumAsciinema / sumPlain, sumTiny / rounds);
        }
        finally
        {
            if (Boolean.getBoolean("ptyq.bench.keep"))
            {
                // For a byte-for-byte comparison of exports before and after a change.
                System.out.println("kept " + dir + " (journal: the session; tiny: one frame; session.cast: its v2)");
            }
            else
            {
                BenchFiles.deleteRecursively(dir);
                System.out.println("deleted " + dir);
            }
        }
    }

    private static void write(final Path journal, final long frameCount, final int frameBytes)
    {
        final UnsafeBuffer payload = new UnsafeBuffer(Payloads.terminalOutput(frameBytes * 7));
        JournalFiles.secureDirectory(journal);
        try (SingleChronicleQueue queue = JournalFiles.openForWrite(journal);
            JournalPublisher publisher = new JournalPublisher(queue))
        {
            publisher.sessionStarted(SESSION_ID, START_NS, 4242, 120, 40, "build", "sh\0-c\0make all\0", "/src");
            long position = 0;
            for (long i = 0; i < frameCount; i++)
            {
                // Seven different cuts of the pattern, so frames start and end at different places in it.
                final int offset = (int)(i % 7) * frameBytes;
                publisher.output(SESSION_ID, position, START_NS + (i + 1) * FRAME_INTERVAL_NS, payload, offset,
                    frameBytes);
                position += frameBytes;
            }
            publisher.sessionExited(SESSION_ID, START_NS + (frameCount + 1) * FRAME_INTERVAL_NS, 0, 0,
                ExitReason.EXITED, position, "");
        }
    }

    /**
     * @return {@code bin/ptyq ARGS[0] --journal JOURNAL ARGS[1..]}: the launcher a user runs, its flags and archive.
     */
    private static List<String> ptyq(final Path launcher, final Path journal, final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add(launcher.toString());
        command.add(args[0]);
        command.add("--journal");
        command.add(journal.toString());
        command.addAll(List.of(args).subList(1, args.length));

        return command;
    }

    /**
     * @return the wall time of the command, start to exit, in seconds.
     */
    private static double run(final List<String> command) throws IOException, InterruptedException
    {
        final long startNs = System.nanoTime();
        final Process process = new ProcessBuilder(command)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.PIPE)
            .redirectInput(ProcessBuilder.Redirect.PIPE)
            .start();
        final byte[] err;
        try (InputStream in = process.getErrorStream())
        {
            err = in.readAllBytes();
        }
        if (!process.waitFor(600, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish in 600 s");
        }
        final double seconds = (System.nanoTime() - startNs) / 1e9;
        if (0 != process.exitValue())
        {
            throw new UncheckedIOException(new IOException(command.get(0) + " ... exited with " +
                process.exitValue() + ": " + new String(err, StandardCharsets.UTF_8)));
        }

        return seconds;
    }
}
