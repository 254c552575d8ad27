// Opens a terminal's WebSocket in socket_worker.js (see there why) behind the WebSocket
// interface connection.js uses — readyState, send, close, onmessage, onclose — plus pull(),
// which asks for the output accumulated since the last pull. Where no worker can run (an
// old browser, a worker that failed to load) it is a plain WebSocket whose pull does nothing.
/* global SOCKET_WORKER_URL */

let workersFail = typeof Worker === 'undefined' || typeof SOCKET_WORKER_URL === 'undefined';

class WorkerSocket {
  constructor(url) {
    this.readyState = WebSocket.CONNECTING;
    this.inWorker = true;  // tests check the page really reads its socket off the main thread
    this.onmessage = null;
    this.onclose = null;
    this.worker = new Worker(SOCKET_WORKER_URL, { type: 'module' });
    this.worker.onmessage = ({ data }) => {
      if (data.opened) {
        this.readyState = WebSocket.OPEN;
      } else if (data.message !== undefined) {
        this.onmessage?.({ data: data.message });
      } else if (data.closed !== undefined) {
        this.ended(data.closed);
      }
    };
    this.worker.onerror = (event) => {
      event.preventDefault();
      if (this.readyState === WebSocket.CONNECTING) workersFail = true;  // plain sockets from now on
      this.ended(1006);
    };
    this.worker.postMessage({ open: url });
  }

  ended(code) {
    if (this.readyState === WebSocket.CLOSED) return;
    this.readyState = WebSocket.CLOSED;
    this.worker.terminate();
    this.onclose?.({ code });
  }

  send(payload) {
    if (this.readyState === WebSocket.OPEN) this.worker.postMessage({ send: payload });
  }

  close() {
    this.worker.postMessage({ close: true });
  }

  pull() {
    this.worker.postMessage({ pull: true });
  }
}

/** A WebSocket to `url` (absolute ws: or wss:) delivering binary messages as ArrayBuffers. */
export function openSocket(url) {
  if (!workersFail) return new WorkerSocket(url);
  const socket = new WebSocket(url);
  socket.binaryType = 'arraybuffer';
  socket.pull = () => {};
  return socket;
}
