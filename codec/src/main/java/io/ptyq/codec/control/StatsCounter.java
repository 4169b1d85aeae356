package io.ptyq.codec.control;

/**
 * One of the daemon's counters, as {@code ptyq stats} shows it.
 *
 * @param name  lower case with underscores; a name ending in {@code _bytes} or {@code _ms} says its unit.
 * @param value its value when it was asked for.
 */
public record StatsCounter(String name, long value)
{
}
