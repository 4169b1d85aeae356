/**
 * JMH benchmarks of ptyq against the baselines it replaces, with the launcher that runs them under the build's JVM flags.
 */
package io.ptyq.bench;
