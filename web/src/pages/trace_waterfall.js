// The admin page's trace waterfall: one row per span, children under their parents (by
// start), a bar placed at offset_ms and as wide as duration_ms on the trace's time scale.
// Input is GET /api/admin/traces/{trace_id}; spans arrive sorted by start.
import { h } from '../dom.js';

/** "12.5 ms", "1.20 s". */
export function duration(ms) {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Number(ms).toFixed(ms < 10 ? 2 : 1)} ms`;
}

/** Spans in tree order (depth-first, siblings by start) with their depth. */
function inTreeOrder(spans) {
  const ids = new Set(spans.map((span) => span.span_id));
  const children = new Map();
  const roots = [];
  for (const span of spans) {
    // A parent outside this trace's recorded spans (a caller's, or one evicted) makes a root.
    if (span.parent_span_id && ids.has(span.parent_span_id)) {
      if (!children.has(span.parent_span_id)) children.set(span.parent_span_id, []);
      children.get(span.parent_span_id).push(span);
    } else {
      roots.push(span);
    }
  }
  const ordered = [];
  const visit = (span, depth) => {
    ordered.push({ span, depth });
    for (const child of children.get(span.span_id) ?? []) visit(child, depth + 1);
  };
  for (const root of roots) visit(root, 0);
  return ordered;
}

function attributeText(span) {
  const lines = [`${span.name} (${span.kind}, ${span.scope})`];
  if (span.status_message) lines.push(`status: ${span.status_message}`);
  for (const [key, value] of Object.entries(span.attributes ?? {})) lines.push(`${key} = ${value}`);
  return lines.join('\n');
}

/** The waterfall of one trace; clicking a span shows its attributes under it. */
export function waterfall(trace) {
  const total = Math.max(...trace.spans.map((span) => span.offset_ms + span.duration_ms), 0) || 1;
  const rows = inTreeOrder(trace.spans).map(({ span, depth }) => {
    const details = h('pre.span-attributes', { hidden: true }, attributeText(span));
    const bar = h('div.bar', {});
    bar.style.left = `${(span.offset_ms / total) * 100}%`;
    bar.style.width = `max(1px, ${(span.duration_ms / total) * 100}%)`;
    return h(`div.span${span.error ? '.error' : ''}`, { dataset: { span: span.span_id } },
      h('div.span-row', { title: attributeText(span), onclick: () => { details.hidden = !details.hidden; } },
        h('div.span-label', { style: `padding-left: ${depth}rem` },
          h('span.span-name', {}, span.name), ' ', h('span.muted', {}, duration(span.duration_ms))),
        h('div.track', {}, bar)),
      details);
  });
  return h('div.waterfall', { dataset: { trace: trace.trace_id } },
    h('p.muted', {}, `Trace ${trace.trace_id}: ${trace.spans.length} spans in ${duration(total)}. Click a span for its attributes.`),
    rows);
}
