// A terminal's WebSocket, run in a worker so that reading it never waits for the page to draw.
// Chromium hands a page only about 64 KiB of a WebSocket's messages per turn of its main
// thread, and a turn that draws a terminal takes tens of milliseconds; output coming faster
// than that piled up in the network instead of in the page, and xterm.js drew it in many
// small writes, each paying a full refresh (bench/browser/draw.mjs). Here the socket is read
// as fast as it delivers, consecutive output frames are merged, and the page takes what has
// accumulated whenever it is ready for more (`pull`). Control messages keep their place:
// output received before one is delivered first.
//
// Page → worker: {open: url} | {send: string | ArrayBuffer} | {close: true} | {pull: true}
// Worker → page: {opened} | {message: string | ArrayBuffer} | {closed: code}

let socket = null;
let pending = [];        // output frames received and not yet delivered, in order
let pendingBytes = 0;
let wanted = false;      // the page asked for output and got none yet
let gatherTimer = null;

const full_frame_bytes = 64 * 1024;  // the server's largest output frame (max_frame_bytes)
const gather_bytes = 2 * 1024 * 1024;  // deliver a burst once this much has gathered...
const gather_ms = 15;                // ...or once no frame came for this long

function offsetOf(frame) {
  const view = new DataView(frame);
  return view.getUint32(0) * 2 ** 32 + view.getUint32(4);
}

/** The pending frames as one frame (they are contiguous: the protocol sends them in order). */
function merged() {
  if (pending.length === 1) return pending[0];
  const out = new Uint8Array(8 + pendingBytes);
  out.set(new Uint8Array(pending[0], 0, 8), 0);
  let at = 8;
  for (const frame of pending) {
    out.set(new Uint8Array(frame, 8), at);
    at += frame.byteLength - 8;
  }
  return out.buffer;
}

function deliver() {
  clearTimeout(gatherTimer);
  if (pending.length === 0) return;
  const frame = merged();
  pending = [];
  pendingBytes = 0;
  wanted = false;
  postMessage({ message: frame }, [frame]);
}

function onOutput(frame) {
  if (pending.length > 0) {
    const last = pending[pending.length - 1];
    // Not contiguous (never from a correct server): keep the page's own check in charge.
    if (offsetOf(frame) !== offsetOf(last) + last.byteLength - 8) deliver();
  }
  pending.push(frame);
  pendingBytes += frame.byteLength - 8;
  if (!wanted) return;
  // A full frame means the server had more: gather it first, or the page draws one frame,
  // pays a whole refresh for it, and only then the rest. Anything shorter (an echo, the end
  // of a burst) goes at once.
  if (frame.byteLength - 8 < full_frame_bytes || pendingBytes >= gather_bytes) {
    deliver();
  } else {
    clearTimeout(gatherTimer);
    gatherTimer = setTimeout(deliver, gather_ms);
  }
}

onmessage = ({ data }) => {
  if (data.open) {
    socket = new WebSocket(data.open);
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => postMessage({ opened: true });
    socket.onmessage = ({ data: message }) => {
      if (message instanceof ArrayBuffer) {
        onOutput(message);
      } else {
        deliver();
        postMessage({ message });
      }
    };
    socket.onclose = ({ code }) => {
      deliver();
      postMessage({ closed: code });
      close();
    };
  } else if (data.send !== undefined) {
    if (socket?.readyState === WebSocket.OPEN) socket.send(data.send);
  } else if (data.pull) {
    wanted = true;
    deliver();
  } else if (data.close) {
    socket?.close();
  }
};
