/**
 * asciicast (asciinema's recording format, v1, v2 and v3): exporting a journaled session and parsing a file to import.
 */
package io.ptyq.consumer.asciicast;
