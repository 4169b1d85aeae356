// ptyq serve: the page's WebSockets, on a thread of their own (one dedicated Worker per page), for app.js's Wire.
//
// Why a worker: Chromium hands a WebSocket's incoming bytes to the thread that owns the socket through a pipe of
// about 128 KiB, refilled once per turn of that thread's event loop. On the page's main thread those turns wait for
// xterm.js's parse slices (12 ms each), so output trickled in at ~128 KiB per slice while xterm.js parses more than
// that in one: xterm.js sat idle between slices though the bridge had sent plenty (bench/README.md, session 3).
// Here nothing else runs, so a socket is drained as fast as the network delivers, and the page takes everything
// that arrived since its last batch in one message, whatever its main thread was busy with meanwhile.
//
// Every message names its connection by the page's id for it. Page to worker: {type: 'connect', id, url, first}
// (first: the RESUME message, sent once open), {type: 'send', id, data}, {type: 'more', id} (the page handled the
// last batch), {type: 'close', id}. Worker to page: {type: 'open', id}, {type: 'messages', id, list} (ArrayBuffers
// in arrival order, transferred, not copied), {type: 'close', id, code, reason} (after the last batch; the
// connection is then forgotten).
'use strict';

const connections = new Map();

function flush(connection) {
  const list = connection.pending;
  connection.pending = [];
  connection.wanted = false;
  postMessage({type: 'messages', id: connection.id, list}, list);
}

function connect(id, url, first) {
  const socket = new WebSocket(url);
  socket.binaryType = 'arraybuffer';
  // wanted: whether the page is ready for a batch. At most one is in flight, so a busy page gets few large ones.
  const connection = {id, socket, pending: [], wanted: true};
  connections.set(id, connection);
  socket.onopen = () => {
    socket.send(first);
    postMessage({type: 'open', id});
  };
  socket.onmessage = (event) => {
    connection.pending.push(event.data);
    if (connection.wanted) flush(connection);
  };
  socket.onclose = (event) => {
    // The page must see every message before the close.
    if (connection.pending.length) flush(connection);
    connections.delete(id);
    postMessage({type: 'close', id, code: event.code, reason: event.reason});
  };
}

onmessage = (event) => {
  const message = event.data;
  const connection = connections.get(message.id);
  switch (message.type) {
    case 'connect':
      if (!connection) connect(message.id, message.url, message.first);
      break;
    case 'send':
      if (connection && connection.socket.readyState === WebSocket.OPEN) connection.socket.send(message.data);
      break;
    case 'more':
      if (!connection) break;
      if (connection.pending.length) flush(connection);
      else connection.wanted = true;
      break;
    case 'close':
      if (connection) connection.socket.close();
      break;
    default:
      break;
  }
};
