/**
 * The consumer's subcommands: {@code ls} and {@code cat}.
 */
package io.ptyq.consumer.cli;
