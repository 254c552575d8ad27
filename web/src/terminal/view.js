// An xterm.js terminal bound to one session: fit to its element, WebGL rendering when the
// browser has it (the DOM renderer otherwise, or after the GPU context is lost), clickable
// links, search, and copy/paste with Ctrl+Shift+C / Ctrl+Shift+V (plain Ctrl+C stays SIGINT).
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { WebglAddon } from '@xterm/addon-webgl';
import { Terminal } from '@xterm/xterm';

import { SessionConnection } from './connection.js';

const resize_debounce_ms = 100;

// Links in terminal output come from the container, whose user is untrusted (docs/security.md):
// an OSC 8 link may show one text and point elsewhere. Only http(s) opens, after the user
// confirms the real address, in a new tab with no opener and no referrer.
export function openTerminalLink(event, uri) {
  let url;
  try {
    url = new URL(uri);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (!window.confirm(`Open ${url.href} in a new tab?`)) return false;
  window.open(url.href, '_blank', 'noopener,noreferrer');
  return true;
}
const linkHandler = { activate: openTerminalLink, allowNonHttpProtocols: false };

function webglWorks() {
  try {
    return Boolean(document.createElement('canvas').getContext('webgl2'));
  } catch {
    return false;
  }
}

export class TerminalView {
  constructor({ element, workspaceId, sessionId, onState }) {
    this.element = element;
    this.term = new Terminal({
      cursorBlink: true,
      scrollback: 10000,
      fontFamily: '"DejaVu Sans Mono", "Menlo", "Consolas", monospace',
      fontSize: 14,
      allowProposedApi: false,
      linkHandler,
      theme: { background: '#10141a', foreground: '#d8dee9', cursor: '#f0c674', selectionBackground: '#3b4a5e' },
    });
    this.fitAddon = new FitAddon();
    this.search = new SearchAddon();
    this.term.loadAddon(this.fitAddon);
    this.term.loadAddon(this.search);
    this.term.loadAddon(new WebLinksAddon(openTerminalLink));
    this.term.open(element);
    this.loadWebgl();

    this.connection = new SessionConnection({
      workspaceId,
      sessionId,
      term: this.term,
      onState,
      fit: () => this.fit(),
    });
    this.term.onData((text) => this.connection.input(text));
    this.term.onBinary((text) => this.connection.binary(text));
    this.term.attachCustomKeyEventHandler((event) => this.clipboardKeys(event));
    this.term.onResize(({ cols, rows }) => {
      clearTimeout(this.resizeTimer);
      this.resizeTimer = setTimeout(() => this.connection.resize(cols, rows), resize_debounce_ms);
    });
    this.observer = new ResizeObserver(() => {
      if (this.element.offsetParent !== null) this.fit();
    });
    this.observer.observe(element);
    this.connection.open();
  }

  loadWebgl() {
    if (!webglWorks()) return;  // headless or no GPU: the DOM renderer stays
    try {
      const webgl = new WebglAddon();
      webgl.onContextLoss(() => webgl.dispose());  // back to the DOM renderer
      this.term.loadAddon(webgl);
    } catch (error) {
      console.warn('berth: WebGL renderer unavailable, using the DOM renderer', error);
    }
  }

  /** Fits the terminal to its element; returns the size, or null while hidden. */
  fit() {
    if (this.element.offsetParent === null) return null;
    const proposed = this.fitAddon.proposeDimensions();
    if (!proposed || !proposed.cols || !proposed.rows) return null;
    this.fitAddon.fit();
    return { cols: this.term.cols, rows: this.term.rows };
  }

  clipboardKeys(event) {
    if (event.type !== 'keydown' || !event.ctrlKey || !event.shiftKey) return true;
    const key = event.key.toLowerCase();
    if (key === 'c' && this.term.hasSelection()) {
      navigator.clipboard?.writeText(this.term.getSelection()).catch(() => {});
      return false;
    }
    if (key === 'v') {
      navigator.clipboard?.readText().then((text) => this.term.paste(text)).catch(() => {});
      return false;
    }
    return true;
  }

  focus() {
    this.term.focus();
  }

  dispose() {
    clearTimeout(this.resizeTimer);
    this.observer.disconnect();
    this.connection.close();
    this.term.dispose();
  }
}
