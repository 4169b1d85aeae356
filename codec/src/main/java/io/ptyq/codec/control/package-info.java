/**
 * The daemon's control protocol as both sides see it: the commands, their values, the framed socket and {@link io.ptyq.codec.control.DaemonProxy}, the client any module can use.
 */
package io.ptyq.codec.control;
