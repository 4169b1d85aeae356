/**
 * The journal's frame format: checks, limits and encoders around the SBE flyweights generated into {@code io.ptyq.codec.sbe}.
 */
package io.ptyq.codec;
