// Turns message text into DOM nodes: plain text nodes plus <a> for detected links.
// Message data never goes through innerHTML, so no markup in a message can run.

const CANDIDATE = /\b(?:https?:\/\/|mailto:|www\.)[^\s<>"]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+/gi;
const ALLOWED = new Set(["http:", "https:", "mailto:"]);
const TRAILING = /[.,;:!?'")\]]+$/;

/** The safe href for a candidate, or null when it is not an http/https/mailto link. */
export function safeHref(raw) {
  let candidate = raw;
  if (/^www\./i.test(candidate)) candidate = `https://${candidate}`;
  else if (!/^[a-z][a-z0-9+.-]*:/i.test(candidate) && candidate.includes("@")) {
    candidate = `mailto:${candidate}`;
  }
  try {
    const url = new URL(candidate);
    return ALLOWED.has(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

/** A fragment for `text`: text nodes and sanitised links (rel=noopener noreferrer). */
export function linkify(text, doc = document) {
  const frag = doc.createDocumentFragment();
  const source = String(text ?? "");
  let last = 0;
  for (const match of source.matchAll(CANDIDATE)) {
    let raw = match[0];
    // Sentence punctuation after a link belongs to the sentence, not the link.
    const tail = raw.match(TRAILING);
    if (tail) raw = raw.slice(0, -tail[0].length);
    const href = raw && safeHref(raw);
    if (!href) continue;
    if (match.index > last) frag.append(doc.createTextNode(source.slice(last, match.index)));
    const a = doc.createElement("a");
    a.href = href;
    a.textContent = raw;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    frag.append(a);
    last = match.index + raw.length;
  }
  if (last < source.length) frag.append(doc.createTextNode(source.slice(last)));
  return frag;
}

/** A random id for a client message (crypto.randomUUID is missing on plain http in old browsers). */
export function clientId() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** "3:05 PM" style time in the given language. */
export function clock(iso, lang) {
  const date = iso ? new Date(iso) : new Date();
  if (Number.isNaN(date.getTime())) return "";
  return date.toLocaleTimeString(lang === "es" ? "es-US" : "en-US", { hour: "numeric", minute: "2-digit" });
}

/** A tiny element builder: h("div", {class: "x"}, child, "text"). Strings become text nodes.
 * `style` takes an object ({width: "40%"}), set through the CSSOM: the pages' CSP has no
 * 'unsafe-inline', so a style="..." attribute would be blocked. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "text") el.textContent = value;
    else if (key === "style") setStyle(el, value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return el;
}

function setStyle(el, style) {
  if (typeof style !== "object") throw new TypeError("h(): style takes an object, not a string (CSP blocks style attributes)");
  for (const [prop, value] of Object.entries(style)) {
    if (value == null) continue;
    if (prop.includes("-")) el.style.setProperty(prop, String(value));
    else el.style[prop] = String(value);
  }
}
