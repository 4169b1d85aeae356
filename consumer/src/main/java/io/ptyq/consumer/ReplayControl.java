package io.ptyq.consumer;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * Commands for a running {@link SessionReplayer}: pause, speed, step, quit. Thread safe: a key reader thread submits,
 * the replaying thread applies them between frames and while it waits.
 */
public final class ReplayControl
{
    /**
     * What a user can ask of a replay.
     */
    public enum Command
    {
        /**
         * Pause, or resume where it paused.
         */
        TOGGLE_PAUSE,

        /**
         * Double the speed.
         */
        FASTER,

        /**
         * Halve the speed.
         */
        SLOWER,

        /**
         * Write the next frame now and stay paused (pausing first if playing).
         */
        STEP,

        /**
         * Stop the replay.
         */
        QUIT;

        /**
         * @param key a character typed in the terminal.
         * @return its command (space, {@code +}/{@code =}, {@code -}/{@code _}, {@code .}, {@code q}), or null.
         */
        public static Command forKey(final int key)
        {
            return switch (key)
            {
                case ' ' -> TOGGLE_PAUSE;
                case '+', '=' -> FASTER;
                case '-', '_' -> SLOWER;
                case '.' -> STEP;
                case 'q', 'Q' -> QUIT;
                default -> null;
            };
        }
    }

    private final Queue<Command> commands = new ConcurrentLinkedQueue<>();
    private volatile Thread waiter;

    /**
     * Queue a command and wake the replaying thread if it waits.
     *
     * @param command the command.
     */
    public void submit(final Command command)
    {
        commands.offer(command);
        final Thread thread = waiter;
        if (null != thread)
        {
            LockSupport.unpark(thread);
        }
    }

    void waiter(final Thread thread)
    {
        waiter = thread;
    }

    Command poll()
    {
        return commands.poll();
    }
}
