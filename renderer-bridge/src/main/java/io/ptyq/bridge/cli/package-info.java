/**
 * The {@code ptyq serve} subcommand, registered with {@code ptyq} through {@link io.ptyq.codec.cli.CommandProvider}.
 */
package io.ptyq.bridge.cli;
