// Inline SVG icons built with createElementNS from constant path data (no markup parsing).

const PATHS = {
  chat: "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z",
  close: "M6 6l12 12M18 6L6 18",
  minimize: "M6 9l6 6 6-6",
  send: "M4 12l16-8-6 16-2.5-6.5z",
  more: "M12 6h.01M12 12h.01M12 18h.01",
  drop: "M12 3c-3.5 4.4-6 7.9-6 11a6 6 0 0 0 12 0c0-3.1-2.5-6.6-6-11z",
};

export function icon(name, { stroke = 2, fill = "none" } = {}) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", PATHS[name]);
  path.setAttribute("fill", fill);
  path.setAttribute("stroke", "currentColor");
  path.setAttribute("stroke-width", name === "more" ? "3" : String(stroke));
  path.setAttribute("stroke-linecap", "round");
  path.setAttribute("stroke-linejoin", "round");
  svg.append(path);
  return svg;
}
