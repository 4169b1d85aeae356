package io.ptyq.producer;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionSignalsTest
{
    private static String status(final String blocked, final String ignored)
    {
        return "Name:\tjava\nSigQ:\t0/95000\nSigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\n" +
            "SigBlk:\t" + blocked + "\nSigIgn:\t" + ignored + "\nSigCgt:\t0000000000000000\n";
    }

    @Test
    void shouldLeaveADefaultSignalStateAlone()
    {
        assertFalse(SessionSignals.needsReset(status("0000000000000000", "0000000000000000")));
        assertFalse(SessionSignals.needsReset(null));
    }

    @Test
    void shouldLeaveWhatPty4jResetsAndGlibcsOwnSignalsAlone()
    {
        // SIGINT, SIGQUIT and SIGPIPE ignored: pty4j sets them to the default in the child.
        assertFalse(SessionSignals.needsReset(status("0000000000000000", "0000000000001006")));
        // Signals 32 and 33 are glibc's, never a program's.
        assertFalse(SessionSignals.needsReset(status("0000000180000000", "0000000180000000")));
    }

    @Test
    void shouldResetAnIgnoredHangUpOrABlockedSignal()
    {
        assertTrue(SessionSignals.needsReset(status("0000000000000000", "0000000000000001")), "SIGHUP (nohup)");
        assertTrue(SessionSignals.needsReset(status("0000000000000004", "0000000000000000")), "SIGQUIT blocked");
        assertTrue(SessionSignals.needsReset(status("0000000000000000", "0000000000004000")), "SIGTERM ignored");
    }

    @Test
    void shouldSpawnThroughEnvOnlyWhenTheThreadNeedsIt()
    {
        final List<String> argv = List.of("vi", "notes.txt");
        final List<String> spawned = SessionSignals.spawnArgv(argv, line -> { });
        // This test JVM's own thread decides; either way the program and its arguments come last, unchanged.
        assertEquals(argv, spawned.subList(spawned.size() - argv.size(), spawned.size()));
        if (spawned.size() > argv.size())
        {
            assertEquals(List.of(SessionSignals.ENV, "--default-signal", "--"), spawned.subList(0, 3));
        }
        assertEquals(List.of("a=b", "c"), SessionSignals.spawnArgv(List.of("a=b", "c"), line -> { }));
    }
}
