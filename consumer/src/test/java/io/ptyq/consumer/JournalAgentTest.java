package io.ptyq.consumer;

import io.ptyq.codec.sbe.SessionExitedDecoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent on its own thread, with a busy-spin or the default backoff idle strategy, live while frames are appended.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JournalAgentTest
{
    @TempDir
    Path journal;

    @Test
    void shouldDefaultToAnActivityBackoffOnAShortSlice()
    {
        final IdleStrategy idle = JournalAgent.defaultIdleStrategy();
        assertInstanceOf(ShortSliceIdleStrategy.class, idle);
        assertInstanceOf(ActivityBackoffIdleStrategy.class, ((ShortSliceIdleStrategy)idle).delegate());
    }

    @Test
    void shouldTailOnAThreadNamedForItsRoleWithABusySpin() throws Exception
    {
        tailLive(BusySpinIdleStrategy.INSTANCE);
    }

    @Test
    void shouldTailOnAThreadNamedForItsRoleWithTheDefaultBackoff() throws Exception
    {
        tailLive(JournalAgent.defaultIdleStrategy());
    }

    private void tailLive(final IdleStrategy idle) throws Exception
    {
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        try (TestJournal writer = TestJournal.open(journal);
            JournalReader reader = JournalReader.open(journal))
        {
            final Collector collector = new Collector();
            final JournalAgent agent = new JournalAgent(
                reader.adapter(collector, StartPosition.beginning(), SessionFilter.only(1)), 16);
            collector.agent = agent;
            assertEquals("journal-consumer", agent.roleName());
            final AgentRunner runner = JournalAgent.start(agent, idle, errors::add);
            try
            {
                final ByteArrayOutputStream expected = new ByteArrayOutputStream();
                long position = 0;
                for (int i = 0; i < 1000; i++)
                {
                    final byte[] data = ("line " + i + "\n").getBytes(StandardCharsets.US_ASCII);
                    writer.output(1, position, i, data);
                    writer.output(2, position, i, data);
                    expected.write(data);
                    position += data.length;
                }
                writer.exited(2, 0, position);
                writer.exited(1, 0, position);

                final long deadlineMs = System.currentTimeMillis() + 30_000;
                while (!agent.isTerminated())
                {
                    assertTrue(System.currentTimeMillis() < deadlineMs, "waited 30 s for the session's end");
                    Thread.sleep(5);
                }
                runner.close();
                assertFalse(Thread.getAllStackTraces().keySet().stream()
                    .anyMatch(thread -> JournalAgent.ROLE_NAME.equals(thread.getName())), "the agent's thread ended");
                assertEquals("journal-consumer", collector.threadName);
                assertTrue(agent.isTerminated());
                assertEquals(expected.toString(StandardCharsets.US_ASCII),
                    collector.bytes.toString(StandardCharsets.US_ASCII));
                assertEquals(List.of(), errors);
            }
            finally
            {
                runner.close();
            }
        }
    }

    /**
     * Copies output and terminates its agent at the session's end.
     */
    private static final class Collector implements JournalListener
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        volatile String threadName;
        JournalAgent agent;

        @Override
        public void onOutput(
            final long index, final long sessionId, final long streamPosition, final long timestampNs,
            final DirectBuffer buffer, final int offset, final int length)
        {
            threadName = Thread.currentThread().getName();
            for (int i = 0; i < length; i++)
            {
                bytes.write(buffer.getByte(offset + i));
            }
        }

        @Override
        public void onSessionExited(final long index, final SessionExitedDecoder decoder)
        {
            agent.terminate();
        }
    }
}
