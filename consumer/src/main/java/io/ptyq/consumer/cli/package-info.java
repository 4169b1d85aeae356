/**
 * The consumer's subcommands: {@code ls}, {@code cat}, {@code attach} and {@code replay}.
 */
package io.ptyq.consumer.cli;
