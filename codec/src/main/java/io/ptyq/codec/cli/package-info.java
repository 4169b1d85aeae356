/**
 * The {@code ptyq} command-line entry point, which gathers the subcommands every module offers through {@link io.ptyq.codec.cli.CommandProvider}.
 */
package io.ptyq.codec.cli;
