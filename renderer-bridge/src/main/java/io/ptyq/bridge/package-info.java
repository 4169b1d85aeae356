/**
 * The web bridge: serves live and recorded sessions to xterm.js in a browser over a small binary WebSocket protocol,
 * read zero-copy from the journal with per-viewer flow control and exact resume.
 */
package io.ptyq.bridge;
