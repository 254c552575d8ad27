// One terminal's link to its session: the WebSocket protocol of docs/protocol.md with
// resume from the last rendered byte, flow-control acks, heartbeat and reconnect with
// backoff. `rendered` only advances in xterm.js write callbacks, so a reconnect asks for
// exactly the first byte the user has not seen: nothing is skipped, nothing repeated.
import { ApiError, get } from '../api.js';
import { openSocket } from './worker_socket.js';

const ack_interval = 64000;          // bytes rendered between acks (≤ the server's low watermark)
const ping_interval_ms = 15000;      // a ping every 15 s of the connection's life
const silence_limit_ms = 30000;      // nothing at all for 30 s: the socket is half-open
const backoff_first_ms = 500;
const backoff_max_ms = 10000;
const full_replay_limit = 512 * 1024; // a fresh page replays every byte up to this much output
// The server closes a terminal with this code when the credentials it was opened with are
// revoked (logout, a disabled account, a changed role or password, a revoked API token) or
// reach their own end (the session's lifetime, a token's expiry): reconnecting would be
// refused or would act under a role the page no longer matches.
const close_credentials_revoked = 4401;

/** The parts as one array. */
function joined(parts) {
  const all = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return all;
}

export class SessionConnection {
  /**
   * term: an xterm.js Terminal; onState(state, detail) is told 'connecting', 'connected',
   * 'reconnecting', 'exited', 'forbidden', 'gone' or 'revoked'; fitAndReport() fits the
   * terminal to its element and returns {cols, rows}.
   */
  constructor({ workspaceId, sessionId, term, onState, fit }) {
    this.workspaceId = workspaceId;
    this.sessionId = sessionId;
    this.term = term;
    this.onState = onState;
    this.fit = fit;
    this.socket = null;
    this.rendered = null;   // offset just past the last byte drawn; null: no screen yet
    this.expected = null;   // offset the next output frame must start at
    this.queued = [];       // received, not yet handed to xterm.js (see draw)
    this.queuedEnd = null;  // output offset the queued bytes reach
    this.drawing = false;   // an xterm.js write is being parsed
    this.connectWhenDrawn = false;
    this.start = 0;
    this.acked = 0;
    this.lastFrame = 0;
    this.backoff = backoff_first_ms;
    this.retryTimer = null;
    this.finished = false;
    this.closed = false;
    this.encoder = new TextEncoder();
    this.heartbeat = setInterval(() => this.checkHeartbeat(), ping_interval_ms);
    this.onVisible = () => {
      if (document.visibilityState === 'visible') this.reconnectNow();
    };
    this.onOnline = () => this.reconnectNow();
    document.addEventListener('visibilitychange', this.onVisible);
    window.addEventListener('online', this.onOnline);
  }

  get url() {
    return `/api/workspaces/${this.workspaceId}/sessions/${this.sessionId}`;
  }

  /** Decides where to start (every byte for a short session, a snapshot otherwise), then connects. */
  async open() {
    this.onState('connecting');
    try {
      const session = await get(this.url);
      if (session.output_bytes <= full_replay_limit) this.rendered = 0;
    } catch (error) {
      if (this.stopOn(error)) return;
    }
    this.connect();
  }

  connect() {
    if (this.closed || this.finished) return;
    clearTimeout(this.retryTimer);
    // `from` must be the first byte not yet drawn: wait for the queue of the last connection.
    this.connectWhenDrawn = this.drawing || this.queued.length > 0;
    if (this.connectWhenDrawn) return;
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const from = this.rendered === null ? '' : `?from=${this.rendered}`;
    const socket = openSocket(`${scheme}://${location.host}${this.url}/ws${from}`);
    this.socket = socket;
    socket.pull();
    this.lastFrame = Date.now();
    socket.onmessage = ({ data }) => {
      if (socket !== this.socket) return;
      this.lastFrame = Date.now();
      if (data instanceof ArrayBuffer) this.output(data);
      else this.control(JSON.parse(data));
    };
    socket.onclose = ({ code }) => {
      if (socket !== this.socket) return;
      this.socket = null;
      if (code === close_credentials_revoked) this.revoked();
      else if (!this.closed && !this.finished) this.retry();
    };
  }

  output(data) {
    const view = new DataView(data);
    const offset = view.getUint32(0) * 2 ** 32 + view.getUint32(4);
    const bytes = new Uint8Array(data, 8);
    if (offset !== this.expected) {
      // A gap or an overlap would corrupt the screen: start over from what is drawn.
      console.warn(`berth: output at ${offset}, expected ${this.expected}; reconnecting`);
      this.socket?.close();
      return;
    }
    this.expected = offset + bytes.length;
    this.draw(bytes, this.expected);
  }

  /**
   * Queues bytes for xterm.js and writes everything queued as one write once the previous
   * write is parsed, then pulls what the socket worker gathered meanwhile. xterm.js pays a
   * fixed cost per write (a refresh of the viewport): 64 KiB frames written one by one drew
   * ten times slower than the same bytes in writes of 1 MiB (bench/browser/draw.mjs).
   * `end` is the output offset the bytes reach, or null for text of the page's own (a notice
   * after the output).
   */
  draw(bytes, end) {
    this.queued.push(bytes);
    if (end !== null) this.queuedEnd = end;
    this.writeQueued();
  }

  writeQueued() {
    if (this.drawing || this.queued.length === 0) return;
    const parts = this.queued;
    const reached = this.queuedEnd;
    this.queued = [];
    this.queuedEnd = null;
    this.drawing = true;
    this.term.write(parts.length === 1 ? parts[0] : joined(parts), () => {
      this.drawing = false;
      if (reached !== null) {
        this.rendered = reached;
        this.ack();
      }
      this.writeQueued();
      if (this.drawing) return;
      if (this.connectWhenDrawn) this.connect();
      else this.socket?.pull();  // ready for whatever arrived meanwhile
    });
  }

  control(message) {
    switch (message.type) {
      case 'attached':
        this.backoff = backoff_first_ms;
        this.start = this.acked = this.expected = message.from;
        if (message.snapshot) this.term.reset();
        if (message.cols !== this.term.cols || message.rows !== this.term.rows) {
          this.term.resize(message.cols, message.rows);
        }
        if (!message.snapshot) {
          this.rendered = this.start;
          this.reportSize();
        }
        this.onState('connected');
        break;
      case 'snapshot':
        this.term.write(message.data, () => {
          this.rendered = this.start;
          this.reportSize();
        });
        break;
      case 'status':
        // `recovering` comes before `attached` while the server rebuilds the session after a
        // restart; `reconnecting` while it re-attaches to the shell.
        this.onState(['recovering', 'reconnecting'].includes(message.state) ? message.state : 'connected', message);
        break;
      case 'exit':
        this.finished = true;
        this.draw(this.encoder.encode(`\r\n\x1b[2m[session ended: ${message.signaled ? 'signal ' : 'exit status '}${message.status}]\x1b[0m\r\n`), null);
        this.onState('exited', message);
        break;
      case 'error':
        if (message.code === 'offset_ahead') this.rendered = null;
        console.warn('berth:', message.code, message.message);
        break;
      default:
        break;
    }
  }

  ack() {
    if (this.rendered - this.acked >= ack_interval) this.sendAck();
  }

  sendAck() {
    if (this.rendered === null || this.rendered <= this.acked) return;
    this.acked = this.rendered;
    this.sendJson({ type: 'ack', offset: this.acked });
  }

  reportSize() {
    const size = this.fit();
    if (size) this.sendJson({ type: 'resize', cols: size.cols, rows: size.rows });
  }

  /** Sends keyboard input (a string from xterm's onData). */
  input(text) {
    const bytes = this.encoder.encode(text);
    for (let at = 0; at < bytes.length; at += 65536) this.send(bytes.subarray(at, at + 65536));
  }

  /** Sends raw bytes (xterm's onBinary: one char per byte). */
  binary(text) {
    this.send(Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff));
  }

  resize(cols, rows) {
    this.sendJson({ type: 'resize', cols, rows });
  }

  send(payload) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(payload);
  }

  sendJson(message) {
    this.send(JSON.stringify(message));
  }

  checkHeartbeat() {
    if (this.socket?.readyState !== WebSocket.OPEN) return;
    if (Date.now() - this.lastFrame > silence_limit_ms) this.socket.close();
    else this.sendJson({ type: 'ping' });
  }

  /** After a drop: asks over REST whether reconnecting makes sense, then waits and tries. */
  async retry() {
    this.onState('reconnecting');
    const delay = this.backoff * (0.5 + Math.random());
    this.backoff = Math.min(this.backoff * 2, backoff_max_ms);
    this.retryTimer = setTimeout(async () => {
      try {
        await get(this.url);
      } catch (error) {
        if (this.stopOn(error)) return;
        if (error.status === 0 || error.status >= 500) {
          this.retry();  // the server is down or restarting: keep trying
          return;
        }
      }
      this.connect();
    }, delay);
  }

  /** Reconnects at once (the tab became visible, the network came back). */
  reconnectNow() {
    if (this.closed || this.finished || this.socket) return;
    this.backoff = backoff_first_ms;
    clearTimeout(this.retryTimer);
    this.connect();
  }

  /** True when the error means the session cannot be reached again (signed out, refused, gone). */
  stopOn(error) {
    if (!(error instanceof ApiError)) return false;
    if (error.status === 401) {
      this.finished = true;
      location.assign(`/login?next=${encodeURIComponent(location.pathname)}`);
      return true;
    }
    if (error.status === 403 || error.status === 404) {
      this.finished = true;
      this.onState(error.status === 403 ? 'forbidden' : 'gone', error);
      return true;
    }
    return false;
  }

  /** The server ended the terminal because its credentials were revoked: stops for good. */
  revoked() {
    if (this.closed || this.finished) return;
    this.finished = true;
    clearTimeout(this.retryTimer);
    this.draw(this.encoder.encode('\r\n\x1b[33m[disconnected: your session ended or your access changed; log in again to continue]\x1b[0m\r\n'), null);
    this.onState('revoked');
  }

  /** Stops for good: the tab was closed or the page left. */
  close() {
    this.closed = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.retryTimer);
    document.removeEventListener('visibilitychange', this.onVisible);
    window.removeEventListener('online', this.onOnline);
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000);
  }
}
