/**
 * Tests of the command-line entry point and of what bin/ptyq runs it with.
 */
package io.ptyq.codec.cli;
