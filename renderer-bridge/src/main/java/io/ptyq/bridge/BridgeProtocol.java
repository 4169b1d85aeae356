package io.ptyq.bridge;

/**
 * The binary WebSocket protocol between {@code ptyq serve} and its page: one message per WebSocket binary message,
 * a one-byte type then little-endian fields; the page's side is {@code app.js}. Text messages are not part of it.
 * <pre>
 * Server to page
 *   OUTPUT   0x01 | streamPosition i64 | timeNs i64 | raw output bytes (1..262144)         17-byte header
 *   RESIZE   0x02 | cols u16 | rows u16 | timeNs i64                                          13 bytes
 *   EXIT     0x03 | exitCode i32 | signal i32 | totalBytes i64 | timeNs i64                   25 bytes
 *   POSITION 0x04 | streamPosition i64                                                        9 bytes
 *   HELLO    0x05 | flags u8 (1 writable) | highWatermark u32 | lowWatermark u32              10 bytes
 *   NOTICE   0x06 | UTF-8 text, one line                                                      1+ bytes
 *
 * Page to server
 *   RESUME   0x10 | streamPosition i64 | flags u8 (1 replay) | write token, UTF-8 (0..256)   10+ bytes, first and once
 *   ACK      0x11 | streamPosition i64 (end of the bytes xterm.js has processed)              9 bytes
 *   INPUT    0x12 | keystrokes (1..65536)                                                     2+ bytes
 *   RESIZE   0x13 | cols u16 | rows u16                                                       5 bytes
 * </pre>
 * {@code streamPosition} counts the session's output bytes before a message's first byte, so the page resumes with
 * the end of what it holds. {@code timeNs} is the event's time after the session's start (the replay clock).
 */
public final class BridgeProtocol
{
    /**
     * Output bytes of the session.
     */
    public static final byte OUTPUT = 0x01;

    /**
     * The session's terminal size changed (or is first told).
     */
    public static final byte RESIZE = 0x02;

    /**
     * The session ended.
     */
    public static final byte EXIT = 0x03;

    /**
     * Where the output of this connection starts.
     */
    public static final byte POSITION = 0x04;

    /**
     * The answer to RESUME: whether this connection may write, and the flow-control watermarks.
     */
    public static final byte HELLO = 0x05;

    /**
     * A line for the user, such as why input was refused.
     */
    public static final byte NOTICE = 0x06;

    /**
     * The page's first message: where to start and in which mode, with the write token if it has one.
     */
    public static final byte CLIENT_RESUME = 0x10;

    /**
     * The page has processed output up to a stream position.
     */
    public static final byte CLIENT_ACK = 0x11;

    /**
     * Keystrokes for the session.
     */
    public static final byte CLIENT_INPUT = 0x12;

    /**
     * The page asks for a terminal size.
     */
    public static final byte CLIENT_RESIZE = 0x13;

    /**
     * Length of an OUTPUT header before its bytes.
     */
    public static final int OUTPUT_HEADER_LENGTH = 17;

    /**
     * Most output bytes in one OUTPUT message.
     */
    public static final int MAX_OUTPUT_PAYLOAD = 256 * 1024;

    /**
     * Length of a RESIZE message.
     */
    public static final int RESIZE_LENGTH = 13;

    /**
     * Length of an EXIT message.
     */
    public static final int EXIT_LENGTH = 25;

    /**
     * Length of a POSITION message.
     */
    public static final int POSITION_LENGTH = 9;

    /**
     * Length of a HELLO message.
     */
    public static final int HELLO_LENGTH = 10;

    /**
     * Length of RESUME before its token.
     */
    public static final int RESUME_HEADER_LENGTH = 10;

    /**
     * Longest write token.
     */
    public static final int MAX_TOKEN_LENGTH = 256;

    /**
     * Length of an ACK message.
     */
    public static final int ACK_LENGTH = 9;

    /**
     * Most keystroke bytes in one INPUT message.
     */
    public static final int MAX_INPUT_LENGTH = 64 * 1024;

    /**
     * Length of a client RESIZE message.
     */
    public static final int CLIENT_RESIZE_LENGTH = 5;

    /**
     * HELLO flag: the connection presented the write token.
     */
    public static final int HELLO_WRITABLE = 1;

    /**
     * RESUME flag: replay, one OUTPUT message per journal frame so the page can time each.
     */
    public static final int RESUME_REPLAY = 1;

    private BridgeProtocol()
    {
    }
}
