// Tiny hand-written SVG charts for the supervisor screens (no chart library).
// barChart({ labels, series, height }) → <svg>: one group of bars per label, one bar per series.
// lineChart({ labels, series, height }) → <svg>: one polyline per series.
// series: [{ name, values: [number|null, ...] }]; a null value is drawn as nothing.
// Colours come from CSS classes (.chart-s0, .chart-s1, ...), never inline styles (the CSP forbids them).

const NS = "http://www.w3.org/2000/svg";
const PAD = { top: 8, right: 6, bottom: 18, left: 34 };

function el(tag, attrs = {}, ...children) {
  const node = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs)) if (value != null) node.setAttribute(key, String(value));
  for (const child of children) node.append(typeof child === "string" ? document.createTextNode(child) : child);
  return node;
}

function fmt(value) {
  if (value == null) return "";
  if (Number.isInteger(value) || Math.abs(value) >= 10) return String(Math.round(value));
  return value.toFixed(value < 1 ? 2 : 1);
}

// The frame both charts share: the svg, its scales and the axis labels (max, 0, first and last label).
// The viewBox is about the size it is drawn at (CSS: width 100%, height auto), so text isn't stretched.
function frame({ labels, series, height = 130, width = 560, max }) {
  const values = series.flatMap((s) => s.values).filter((v) => v != null);
  const top = max ?? (Math.max(0, ...values) || 1); // all zero or empty: a 0..1 frame
  const w = width - PAD.left - PAD.right;
  const hgt = height - PAD.top - PAD.bottom;
  const svg = el("svg", { class: "chart", viewBox: `0 0 ${width} ${height}`, role: "img",
    "aria-label": series.map((s) => s.name).join(", ") });
  const y = (v) => PAD.top + hgt - (v / top) * hgt;
  svg.append(
    el("line", { class: "chart-axis", x1: PAD.left, x2: width - PAD.right, y1: y(0), y2: y(0) }),
    el("text", { class: "chart-tick", x: PAD.left - 4, y: PAD.top + 8, "text-anchor": "end" }, fmt(top)),
    el("text", { class: "chart-tick", x: PAD.left - 4, y: y(0), "text-anchor": "end" }, "0"),
  );
  if (labels.length) {
    svg.append(el("text", { class: "chart-tick", x: PAD.left, y: height - 4 }, labels[0]));
    if (labels.length > 1) {
      svg.append(el("text", { class: "chart-tick", x: width - PAD.right, y: height - 4, "text-anchor": "end" }, labels[labels.length - 1]));
    }
  }
  return { svg, y, w, step: w / Math.max(1, labels.length) };
}

/** Grouped bars, one group per label. */
export function barChart({ labels, series, height, width, max }) {
  const { svg, y, step } = frame({ labels, series, height, width, max });
  const bar = (step * 0.8) / Math.max(1, series.length);
  series.forEach((s, si) => {
    s.values.forEach((v, i) => {
      if (!v) return; // null or 0: nothing to draw (a zero-height bar can't be hovered anyway)
      const x = PAD.left + i * step + step * 0.1 + si * bar;
      svg.append(el("rect", { class: `chart-bar chart-s${si}`, x, y: y(v), width: Math.max(1, bar), height: Math.max(0, y(0) - y(v)) },
        el("title", {}, `${labels[i]} · ${s.name}: ${fmt(v)}`)));
    });
  });
  return svg;
}

/** One line per series, a dot per known value (gaps where the value is null). */
export function lineChart({ labels, series, height, width, max }) {
  const { svg, y, step } = frame({ labels, series, height, width, max });
  series.forEach((s, si) => {
    let points = [];
    const flush = () => {
      if (points.length > 1) svg.append(el("polyline", { class: `chart-line chart-s${si}`, points: points.join(" ") }));
      points = [];
    };
    s.values.forEach((v, i) => {
      if (v == null) return flush();
      const x = PAD.left + i * step + step / 2;
      points.push(`${x.toFixed(1)},${y(v).toFixed(1)}`);
      svg.append(el("circle", { class: `chart-dot chart-s${si}`, cx: x.toFixed(1), cy: y(v).toFixed(1), r: 2 },
        el("title", {}, `${labels[i]} · ${s.name}: ${fmt(v)}`)));
    });
    flush();
  });
  return svg;
}

/** A legend for a chart's series, matching the colour classes. */
export function legend(series) {
  const box = document.createElement("div");
  box.className = "chart-legend";
  series.forEach((s, si) => {
    const item = document.createElement("span");
    const swatch = document.createElement("i");
    swatch.className = `chart-swatch chart-s${si}`;
    item.append(swatch, document.createTextNode(s.name));
    box.append(item);
  });
  return box;
}
