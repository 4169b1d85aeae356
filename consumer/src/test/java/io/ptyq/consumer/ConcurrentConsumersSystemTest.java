package io.ptyq.consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Eight consumer processes tail one journal while it is written: each receives the session's bytes exactly. They do
 * not affect each other or the producer: one frozen with SIGSTOP for the whole run holds up neither the producer nor
 * the seven others, and a ninth killed with SIGKILL mid-stream disturbs nobody.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ConcurrentConsumersSystemTest
{
    private static final int CONSUMERS = 8;
    private static final long SESSION = 3;
    private static final long OTHER_SESSION = 4;

    @TempDir
    Path temp;

    @Test
    void shouldDeliverIdenticalBytesToEveryConsumerWithoutInterference() throws Exception
    {
        final Path journal = temp.resolve("journal");
        final Path logs = temp.resolve("logs");
        Files.createDirectories(journal);
        final List<ChildJvm> consumers = new ArrayList<>();
        ChildJvm crashing = null;
        try (TestJournal writer = TestJournal.open(journal))
        {
            writer.sessionStarted(OTHER_SESSION, 1, "other");
            writer.sessionStarted(SESSION, 1, "shared");
            for (int i = 0; i < CONSUMERS; i++)
            {
                consumers.add(ChildJvm.start(logs, "tail-" + i, TailMain.class, journal.toString(),
                    Long.toString(SESSION), temp.resolve("out-" + i + ".bin").toString()));
            }
            crashing = ChildJvm.start(logs, "tail-crashing", TailMain.class, journal.toString(),
                Long.toString(SESSION), temp.resolve("out-crashing.bin").toString());
            for (final ChildJvm consumer : consumers)
            {
                consumer.awaitOutput("ready", 60_000);
            }
            crashing.awaitOutput("ready", 60_000);
            final ChildJvm frozen = consumers.get(0);
            frozen.suspend();

            // 24 MiB in frames of 1 byte to 64 KiB, another session's frames between; one consumer killed half way.
            final Random random = new Random(3);
            final byte[] expected = new byte[24 << 20];
            random.nextBytes(expected);
            final byte[] noise = new byte[100];
            int position = 0;
            int frames = 0;
            final long startNs = System.nanoTime();
            while (position < expected.length)
            {
                final int length = Math.min(expected.length - position, 1 + random.nextInt(64 * 1024));
                writer.output(SESSION, position, System.nanoTime(), expected, position, length);
                position += length;
                if (frames++ % 3 == 0)
                {
                    writer.output(OTHER_SESSION, frames, System.nanoTime(), noise);
                }
                if (frames == 400)
                {
                    crashing.kill9();
                }
            }
            writer.exited(OTHER_SESSION, 2, frames);
            writer.exited(SESSION, 2, position);
            final long writeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            assertTrue(frames > 400, "the crash came mid-stream");

            for (int i = 1; i < CONSUMERS; i++)
            {
                assertEquals(0, consumers.get(i).awaitExit(90_000), "tail-" + i + ": " + consumers.get(i).stderr());
            }
            assertTrue(frozen.isAlive(), "the frozen consumer is still frozen");
            assertEquals(0, Files.size(temp.resolve("out-0.bin")), "the frozen consumer read nothing yet");

            frozen.resume();
            assertEquals(0, frozen.awaitExit(90_000), "tail-0: " + frozen.stderr());
            for (int i = 0; i < CONSUMERS; i++)
            {
                final byte[] received = Files.readAllBytes(temp.resolve("out-" + i + ".bin"));
                assertEquals(expected.length, received.length, "tail-" + i + " length");
                assertArrayEquals(expected, received, "tail-" + i + " bytes");
            }
            final byte[] partial = Files.readAllBytes(temp.resolve("out-crashing.bin"));
            assertTrue(Arrays.equals(expected, 0, partial.length, partial, 0, partial.length), "a prefix, no junk");
            System.out.println(CONSUMERS + " consumers received " + expected.length + " identical bytes; the " +
                "producer wrote " + frames + " frames in " + writeMs + " ms with one consumer frozen and one killed");
        }
        finally
        {
            for (final ChildJvm consumer : consumers)
            {
                consumer.close();
            }
            if (null != crashing)
            {
                crashing.close();
            }
        }
    }
}
