/**
 * Reading the journal from any JVM: open it read-only, poll frames with zero-copy callbacks, and list its sessions.
 */
package io.ptyq.consumer;
