// ptyq serve: the session list and one terminal view, over the binary protocol of BridgeProtocol.java
// (renderer-bridge/README.md). No framework; xterm.js, addon-fit and addon-serialize come from the jar.
'use strict';

(() => {
  // Server to page.
  const OUTPUT = 0x01, RESIZE = 0x02, EXIT = 0x03, POSITION = 0x04, HELLO = 0x05, NOTICE = 0x06;
  // Page to server.
  const C_RESUME = 0x10, C_ACK = 0x11, C_INPUT = 0x12, C_RESIZE = 0x13;
  const OUTPUT_HEADER = 17;
  const MAX_INPUT = 64 * 1024;
  const MAX_TOKEN = 256;
  // Acknowledge at least this often while output flows, and whenever xterm.js has caught up.
  const ACK_EVERY_BYTES = 128 * 1024;
  const SNAPSHOT_INTERVAL_MS = 1000;
  const SNAPSHOT_QUIET_MS = 250;
  const LIST_INTERVAL_MS = 1000;

  const params = new URLSearchParams(location.search);
  const verify = params.has('verify');
  // ?mode=live shows a recorded session at once, without its timing; ?mode=replay plays even a running one.
  const forcedMode = params.get('mode');
  const encoder = new TextEncoder();
  const $ = (id) => document.getElementById(id);

  let sessions = [];
  let view = null;

  // ---- CRC-32 (IEEE) of everything written into xterm.js, when ?verify is in the URL --------------------------
  const CRC_TABLE = (() => {
    const table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) {
        c = c & 1 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1;
      }
      table[n] = c >>> 0;
    }
    return table;
  })();

  function crc32(crc, bytes) {
    let c = ~crc;
    for (let i = 0; i < bytes.length; i++) {
      c = CRC_TABLE[(c ^ bytes[i]) & 0xFF] ^ (c >>> 8);
    }
    return ~c >>> 0;
  }

  function token() {
    return sessionStorage.getItem('ptyq:token') || '';
  }

  function formatBytes(n) {
    if (n < 1024) return n + ' B';
    if (n < 1024 * 1024) return (n / 1024).toFixed(1) + ' KiB';
    if (n < 1024 * 1024 * 1024) return (n / 1024 / 1024).toFixed(1) + ' MiB';
    return (n / 1024 / 1024 / 1024).toFixed(2) + ' GiB';
  }

  function formatTime(ms) {
    const s = Math.max(0, Math.floor(ms / 1000));
    const h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, r = s % 60;
    return (h ? h + ':' + String(m).padStart(2, '0') : m) + ':' + String(r).padStart(2, '0');
  }

  function describeEnd(s) {
    if (s.state === 'running') return 'running';
    if (s.state === 'abandoned') return 'abandoned';
    return s.signal ? 'killed by signal ' + s.signal : 'exited ' + s.exitCode;
  }

  // ---- the session list, kept current --------------------------------------------------------------------
  async function refreshList() {
    try {
      const response = await fetch('/api/sessions', {cache: 'no-store'});
      if (!response.ok) throw new Error('HTTP ' + response.status);
      sessions = await response.json();
      $('connection').textContent = '';
      renderList();
      if (view) view.onSessionInfo(sessions.find((s) => s.id === view.id));
      else openFromHash();
    } catch (e) {
      $('connection').textContent = 'server unreachable';
    }
  }

  function renderList() {
    const body = document.querySelector('#sessions tbody');
    const rows = [];
    for (const s of sessions.slice().reverse()) {
      const tr = document.createElement('tr');
      tr.dataset.id = s.id;
      if (view && view.id === s.id) tr.className = 'selected';
      const cells = [String(s.id), s.name, describeEnd(s), formatBytes(s.outputBytes), s.command];
      cells.forEach((text, i) => {
        const td = document.createElement('td');
        td.textContent = text;
        if (i === 2) td.className = 'state-' + s.state;
        if (i === 4) { td.className = 'command'; td.title = text; }
        tr.appendChild(td);
      });
      tr.addEventListener('click', () => { location.hash = 'session=' + s.id; });
      rows.push(tr);
    }
    body.replaceChildren(...rows);
    $('no-sessions').hidden = sessions.length > 0;
  }

  // ---- WebSockets, owned by a worker thread (socket-worker.js says why) ---------------------------------------
  let socketWorker = null;
  let nextWireId = 1;
  const wires = new Map();

  function onSocketWorkerMessage(event) {
    const message = event.data;
    const wire = wires.get(message.id);
    if (wire) wire.onWorkerMessage(message);
  }

  /**
   * A view's connection: the socket lives in the page's socket worker, which drains it while the main thread is busy
   * in xterm.js and hands over what arrived in batches. Messages and then the close reach `handlers` in order.
   */
  class Wire {
    constructor(url, first, handlers) {
      if (!socketWorker) {
        socketWorker = new Worker('/socket-worker.js');
        socketWorker.onmessage = onSocketWorkerMessage;
      }
      this.id = nextWireId++;
      this.handlers = handlers;
      this.opened = false;
      this.closing = false;
      wires.set(this.id, this);
      socketWorker.postMessage({type: 'connect', id: this.id, url, first}, [first]);
    }

    onWorkerMessage(message) {
      switch (message.type) {
        case 'messages':
          for (const buffer of message.list) this.handlers.message(buffer);
          socketWorker.postMessage({type: 'more', id: this.id});
          break;
        case 'open':
          this.opened = !this.closing;
          if (this.opened) this.handlers.open();
          break;
        case 'close':
          this.opened = false;
          wires.delete(this.id);
          this.handlers.close(message);
          break;
        default:
          break;
      }
    }

    isOpen() {
      return this.opened;
    }

    /** Send one protocol message; the buffer is handed over to the worker, not copied. */
    send(buffer) {
      if (this.opened) socketWorker.postMessage({type: 'send', id: this.id, data: buffer}, [buffer]);
    }

    close() {
      this.opened = false;
      this.closing = true;
      socketWorker.postMessage({type: 'close', id: this.id});
    }
  }

  // ---- one session's view ----------------------------------------------------------------------------
  /**
   * A terminal fed from one WebSocket at a time. Live: everything is written as it arrives. Replay: each event is
   * written when the play clock reaches its time. Either way the page acknowledges bytes once xterm.js has processed
   * them, and a new socket resumes from the end of what the page received, so nothing is lost or repeated.
   */
  class View {
    constructor(session) {
      this.id = session.id;
      this.session = session;
      this.live = forcedMode === 'live' || (forcedMode !== 'replay' && session.state === 'running');
      this.generation = 0;
      this.closed = false;
      this.stats = {bytes: 0, crc: 0, connects: 0, gaps: 0, duplicates: 0, firstPosition: -1, openedAt: -1,
        starvedMs: 0, starvedTimes: 0, snapshots: 0, snapshotMs: 0};
      this.snapshotKey = 'ptyq:view:' + location.host + ':' + session.id + ':' + session.startedAt;
      this.speed = 1;
      this.playing = true;
      this.anchorPlayNs = 0;
      this.anchorWallMs = performance.now();
      this.timer = null;
      $('view').hidden = false;
      $('replay-bar').hidden = this.live;
      $('view-title').textContent = 'session ' + session.id + (session.name ? ' (' + session.name + ')' : '');
      this.onSessionInfo(session);
      this.reset(0);
      if (this.live) this.restoreSnapshot();
      this.connect();
    }

    /** A fresh terminal and stream state, playing from timeNs. */
    reset(timeNs) {
      this.generation++;
      if (this.term) this.term.dispose();
      this.term = new Terminal({
        cols: this.session.cols || 80, rows: this.session.rows || 24, scrollback: 5000,
        disableStdin: true, allowProposedApi: true,
      });
      this.fit = new FitAddon.FitAddon();
      this.serializer = new SerializeAddon.SerializeAddon();
      this.term.loadAddon(this.fit);
      this.term.loadAddon(this.serializer);
      this.term.open($('terminal'));
      this.term.onData((data) => this.sendInput(encoder.encode(data)));
      this.term.onBinary((data) => this.sendInput(Uint8Array.from(data, (c) => c.charCodeAt(0) & 0xFF)));
      this.queue = [];
      this.queueHead = 0;
      this.received = 0;     // end of the output received: where a new socket resumes
      this.processed = 0;    // end of the output xterm.js has processed
      this.acked = 0;
      this.pendingWrites = 0;
      this.idleSince = -1;
      this.ended = false;
      this.writable = false;
      this.lastSnapshotMs = 0;
      this.anchorPlayNs = timeNs;
      this.anchorWallMs = performance.now();
    }

    restoreSnapshot() {
      let saved = null;
      try { saved = JSON.parse(sessionStorage.getItem(this.snapshotKey) || 'null'); } catch (e) { saved = null; }
      if (!saved || typeof saved.position !== 'number') return;
      this.term.resize(saved.cols, saved.rows);
      this.term.write(saved.screen);
      this.received = this.processed = this.acked = saved.position;
      this.stats.restoredPosition = saved.position;
    }

    /** Save the screen once output has been quiet for a moment: never in the middle of a burst. */
    scheduleSnapshot() {
      if (!this.live || this.snapshotTimer || this.pendingWrites !== 0) return;
      this.snapshotTimer = setTimeout(() => {
        this.snapshotTimer = null;
        if (!this.closed) this.saveSnapshot(false);
      }, SNAPSHOT_QUIET_MS);
    }

    saveSnapshot(force) {
      // Only at a quiet point is the screen exactly the bytes up to `processed`.
      if (!this.live || this.pendingWrites !== 0 || this.queueHead !== this.queue.length) return;
      const now = performance.now();
      if (!force && now - this.lastSnapshotMs < SNAPSHOT_INTERVAL_MS) return;
      this.lastSnapshotMs = now;
      try {
        sessionStorage.setItem(this.snapshotKey, JSON.stringify({
          position: this.processed, cols: this.term.cols, rows: this.term.rows,
          screen: this.serializer.serialize(),
        }));
      } catch (e) {
        // Storage full: a reload then starts from the session's beginning, which is still exact.
        sessionStorage.removeItem(this.snapshotKey);
      }
      this.stats.snapshots++;
      this.stats.snapshotMs += performance.now() - now;
    }

    connect() {
      if (this.closed) return;
      const generation = this.generation;
      const tokenBytes = encoder.encode(token()).subarray(0, MAX_TOKEN);
      const resume = new Uint8Array(10 + tokenBytes.length);
      const dv = new DataView(resume.buffer);
      dv.setUint8(0, C_RESUME);
      dv.setBigInt64(1, BigInt(this.received), true);
      dv.setUint8(9, this.live ? 0 : 1);
      resume.set(tokenBytes, 10);
      const ws = new Wire((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host +
        '/ws/sessions/' + this.id, resume.buffer, {
        open: () => {
          this.stats.connects++;
          if (this.stats.openedAt < 0) this.stats.openedAt = performance.now();
          $('connection').textContent = '';
        },
        message: (buffer) => {
          if (generation === this.generation) this.onMessage(buffer);
        },
        close: (event) => {
          if (this.ws !== ws || this.closed) return;
          this.ws = null;
          if (event.code === 1003 || event.code === 1008 || event.code === 1011) {
            this.notice('the server closed the view: ' + (event.reason || event.code));
            return;
          }
          if (this.ended) return;
          $('connection').textContent = 'reconnecting…';
          setTimeout(() => this.connect(), 500);
        },
      });
      this.ws = ws;
    }

    onMessage(buffer) {
      const dv = new DataView(buffer);
      switch (dv.getUint8(0)) {
        case OUTPUT: {
          let position = Number(dv.getBigInt64(1, true));
          const timeNs = Number(dv.getBigInt64(9, true));
          let bytes = new Uint8Array(buffer, OUTPUT_HEADER);
          if (this.stats.firstPosition < 0) this.stats.firstPosition = position;
          if (position > this.received) {
            this.stats.gaps++;
            this.notice(formatBytes(position - this.received) + ' of output are no longer in the journal');
          } else if (position < this.received) {
            // Never expected: the server resumes exactly. Keep the screen right anyway.
            this.stats.duplicates++;
            const skip = this.received - position;
            if (skip >= bytes.length) return;
            bytes = bytes.subarray(skip);
            position = this.received;
          }
          this.received = position + bytes.length;
          this.enqueue({kind: OUTPUT, timeNs, position, bytes});
          break;
        }
        case RESIZE:
          this.enqueue({kind: RESIZE, cols: dv.getUint16(1, true), rows: dv.getUint16(3, true),
            timeNs: Number(dv.getBigInt64(5, true))});
          break;
        case EXIT:
          this.enqueue({kind: EXIT, code: dv.getInt32(1, true), signal: dv.getInt32(5, true),
            timeNs: Number(dv.getBigInt64(17, true))});
          break;
        case POSITION:
          break;
        case HELLO:
          this.writable = (dv.getUint8(1) & 1) === 1 && this.live;
          this.term.options.disableStdin = !this.writable;
          $('access').textContent = this.writable ? 'writable' : 'read-only';
          if (this.writable) this.sendFittedSize();
          break;
        case NOTICE:
          this.notice(new TextDecoder().decode(new Uint8Array(buffer, 1)));
          break;
        default:
          this.notice('unknown message from the server');
      }
    }

    enqueue(item) {
      this.queue.push(item);
      this.pump();
    }

    playNs() {
      if (this.live) return Infinity;
      return this.playing ? this.anchorPlayNs + (performance.now() - this.anchorWallMs) * 1e6 * this.speed
        : this.anchorPlayNs;
    }

    /** Write every queued event that is due; in replay, wake up when the next one is. */
    pump() {
      if (this.timer) { clearTimeout(this.timer); this.timer = null; }
      const now = this.playNs();
      while (this.queueHead < this.queue.length) {
        const item = this.queue[this.queueHead];
        if (item.timeNs > now) {
          if (this.playing) {
            const waitMs = Math.min(1000, (item.timeNs - now) / 1e6 / this.speed);
            this.timer = setTimeout(() => this.pump(), Math.max(0, waitMs));
          }
          break;
        }
        this.queue[this.queueHead++] = null;
        this.render(item);
      }
      if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.queueHead);
        this.queueHead = 0;
      }
    }

    render(item) {
      const generation = this.generation;
      switch (item.kind) {
        case OUTPUT: {
          const end = item.position + item.bytes.length;
          if (verify) this.stats.crc = crc32(this.stats.crc, item.bytes);
          // Time xterm.js sat with nothing to write while the session had more: flow control's cost.
          if (this.pendingWrites === 0 && this.idleSince >= 0) {
            this.stats.starvedMs += performance.now() - this.idleSince;
            this.stats.starvedTimes++;
          }
          this.idleSince = -1;
          this.stats.bytes += item.bytes.length;
          this.pendingWrites++;
          this.term.write(item.bytes, () => {
            if (generation !== this.generation) return;
            this.pendingWrites--;
            this.processed = end;
            if (this.pendingWrites === 0) this.idleSince = performance.now();
            this.maybeAck();
            this.scheduleSnapshot();
          });
          break;
        }
        case RESIZE:
          this.term.resize(Math.max(1, item.cols), Math.max(1, item.rows));
          break;
        case EXIT:
          this.ended = true;
          this.exit = item;
          if (!this.live) {
            // The end of the recording: the clock stops there, and Play starts over.
            this.anchorPlayNs = Math.max(item.timeNs, Math.min(this.playNs(), this.durationMs() * 1e6));
            this.anchorWallMs = performance.now();
            this.playing = false;
          }
          $('view-state').textContent = item.signal ? 'killed by signal ' + item.signal :
            'exited with code ' + item.code;
          break;
        default:
          break;
      }
    }

    maybeAck() {
      const idle = this.pendingWrites === 0;
      if (this.processed - this.acked >= ACK_EVERY_BYTES || (idle && this.processed > this.acked)) {
        if (this.ws && this.ws.isOpen() && this.processed <= this.received) {
          const ack = new DataView(new ArrayBuffer(9));
          ack.setUint8(0, C_ACK);
          ack.setBigInt64(1, BigInt(this.processed), true);
          this.ws.send(ack.buffer);
          this.acked = this.processed;
        }
      }
    }

    sendInput(bytes) {
      if (!this.writable || !this.ws || !this.ws.isOpen()) return;
      for (let offset = 0; offset < bytes.length; offset += MAX_INPUT) {
        const chunk = bytes.subarray(offset, offset + MAX_INPUT);
        const message = new Uint8Array(1 + chunk.length);
        message[0] = C_INPUT;
        message.set(chunk, 1);
        this.ws.send(message.buffer);
      }
    }

    sendFittedSize() {
      if (!this.writable || !this.ws || !this.ws.isOpen()) return;
      const size = this.fit.proposeDimensions();
      if (!size || !(size.cols > 0) || !(size.rows > 0)) return;
      if (size.cols === this.term.cols && size.rows === this.term.rows) return;
      const message = new DataView(new ArrayBuffer(5));
      message.setUint8(0, C_RESIZE);
      message.setUint16(1, Math.min(size.cols, 4096), true);
      message.setUint16(3, Math.min(size.rows, 4096), true);
      this.ws.send(message.buffer);
    }

    /** Drop the socket as a network failure would; the view reconnects and resumes. */
    dropSocket() {
      if (this.ws) this.ws.close();
    }

    reconnectNow() {
      const ws = this.ws;
      this.ws = null;
      if (ws) ws.close();
      this.connect();
    }

    onSessionInfo(session) {
      if (!session) return;
      this.session = session;
      if (this.live && session.state !== 'running' && !this.ended) {
        $('view-state').textContent = describeEnd(session);
      } else if (!this.ended) {
        $('view-state').textContent = describeEnd(session);
      }
    }

    durationMs() {
      const s = this.session;
      return s.endedAt && s.startedAt ? Math.max(0, s.endedAt - s.startedAt) : 0;
    }

    // ---- replay controls ----
    togglePlay() {
      if (this.live) return;
      if (!this.playing && this.ended && this.queueHead === this.queue.length) {
        this.playing = true;
        this.seek(0);
        return;
      }
      this.anchorPlayNs = this.playNs();
      this.anchorWallMs = performance.now();
      this.playing = !this.playing;
      this.pump();
      this.updateClock();
    }

    setSpeed(speed) {
      this.anchorPlayNs = this.playNs();
      this.anchorWallMs = performance.now();
      this.speed = speed;
      this.pump();
    }

    /** Jump to timeMs after the session's start: forward writes what lies between, backward starts over. */
    seek(timeMs) {
      const timeNs = timeMs * 1e6;
      if (timeNs >= this.playNs()) {
        this.anchorPlayNs = timeNs;
        this.anchorWallMs = performance.now();
        this.pump();
        return;
      }
      const ws = this.ws;
      this.ws = null;
      if (ws) ws.close();
      this.reset(timeNs);
      this.connect();
    }

    updateClock() {
      if (this.live) return;
      const duration = this.durationMs();
      const position = Math.min(duration, this.playNs() / 1e6);
      $('clock').textContent = formatTime(position) + ' / ' + formatTime(duration);
      $('play').textContent = this.playing ? 'Pause' : 'Play';
      if (document.activeElement !== $('seek')) {
        $('seek').value = duration ? Math.round(1000 * position / duration) : 0;
      }
    }

    notice(text) {
      $('notice').textContent = text;
    }

    close() {
      this.closed = true;
      this.saveSnapshot(true);
      if (this.timer) clearTimeout(this.timer);
      if (this.ws) this.ws.close();
      this.ws = null;
      this.term.dispose();
      $('view').hidden = true;
      $('notice').textContent = '';
    }

    snapshotStats() {
      return Object.assign({}, this.stats, {
        crcHex: (this.stats.crc >>> 0).toString(16).padStart(8, '0'), received: this.received,
        processed: this.processed, pendingWrites: this.pendingWrites, writable: this.writable, ended: this.ended,
        live: this.live, connected: !!(this.ws && this.ws.isOpen()),
        cols: this.term.cols, rows: this.term.rows, text: screenText(this.term),
      });
    }
  }

  function screenText(term) {
    const buffer = term.buffer.active;
    const lines = [];
    for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i).translateToString(true));
    return lines.join('\n');
  }

  function openFromHash() {
    const match = /session=(\d+)/.exec(location.hash);
    const id = match ? Number(match[1]) : null;
    if (view && view.id === id) return;
    if (view) { view.close(); view = null; }
    if (id === null) return;
    const session = sessions.find((s) => s.id === id);
    if (!session) { $('notice').textContent = 'no session ' + id + ' (yet)'; return; }
    $('notice').textContent = '';
    view = new View(session);
    renderList();
  }

  // ---- wiring ----
  $('token').value = token();
  $('access').textContent = token() ? 'token set' : 'read-only';
  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem('ptyq:token', $('token').value);
    if (view) view.reconnectNow();
  });
  $('play').addEventListener('click', () => view && view.togglePlay());
  $('speed').addEventListener('change', () => view && view.setSpeed(Number($('speed').value)));
  $('seek').addEventListener('change', () => {
    if (view) view.seek(view.durationMs() * Number($('seek').value) / 1000);
  });
  $('to-end').addEventListener('click', () => view && view.seek(Infinity));
  document.addEventListener('keydown', (event) => {
    // Replay keys, as in `ptyq replay`, when the terminal and the form do not want them.
    if (!view || view.live || event.target.closest('input, select, button, .xterm')) return;
    if (event.key === ' ') { event.preventDefault(); view.togglePlay(); }
    if (event.key === '+') { $('speed').value = String(Math.min(32, view.speed * 2)); view.setSpeed(Number($('speed').value) || view.speed); }
    if (event.key === '-') { $('speed').value = String(Math.max(0.25, view.speed / 2)); view.setSpeed(Number($('speed').value) || view.speed); }
  });
  window.addEventListener('hashchange', () => refreshList().then(openFromHash));
  window.addEventListener('resize', () => view && view.sendFittedSize());
  window.addEventListener('pagehide', () => view && view.saveSnapshot(true));
  setInterval(() => view && view.updateClock(), 250);
  setInterval(refreshList, LIST_INTERVAL_MS);
  refreshList().then(openFromHash);

  // For tests and the benchmark, which drive a real browser.
  window.ptyq = {
    stats: () => (view ? view.snapshotStats() : null),
    dropSocket: () => view && view.dropSocket(),
    view: () => view,
    sessions: () => sessions,
  };
})();
