/**
 * The producer daemon: PTY sessions whose output is encoded as SBE frames straight into the journal, and the control endpoint that starts and steers them.
 */
package io.ptyq.producer;
