/**
 * The producer's subcommands: {@code daemon}, and the control commands {@code new}, {@code send}, {@code resize}, {@code kill} and {@code mark}.
 */
package io.ptyq.producer.cli;
