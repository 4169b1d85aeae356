/**
 * The consumer example of the README, compiled outside the consumer package so that it uses only the public API.
 */
package io.ptyq.consumer.example;
