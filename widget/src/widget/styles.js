// The widget's CSS, scoped by its shadow root: the host page can't restyle it and it can't leak.
// It goes in as a constructed stylesheet (adoptedStyleSheets), which a Content-Security-Policy
// without 'unsafe-inline' in style-src allows; a <style> element would be blocked by it.
// Palette: water blues on white; every text colour meets WCAG AA on its background.

export const CSS = `
:host { all: initial; position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; --blue: #0a58a0; --blue-dark: #083f75; --blue-soft: #e8f1fa; --ink: #15263a;
  --muted: #4c5d72; --line: #d5e0eb; --bg: #f5f8fb; --danger: #b3261e; }
*, *::before, *::after { box-sizing: border-box; }
/* Set on our own elements, not only :host: a page rule like "* { font: ... }" also hits the host. */
.panel, .launcher { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--ink); text-align: left; letter-spacing: normal; text-transform: none; }
[hidden] { display: none !important; }
button, input, textarea { font: inherit; color: inherit; }
:focus-visible { outline: 3px solid #f2a900; outline-offset: 2px; }
.sr-only { position: absolute; width: 1px; height: 1px; margin: -1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0; }

.launcher { position: relative; width: 60px; height: 60px; border-radius: 50%; border: 0;
  cursor: pointer; color: #fff; background: linear-gradient(145deg, #0d6bc0, var(--blue-dark));
  box-shadow: 0 6px 20px rgba(8, 63, 117, .35); display: grid; place-items: center;
  transition: transform .15s ease; margin-left: auto; }
.launcher:hover { transform: translateY(-2px); }
.launcher svg { width: 28px; height: 28px; }
.badge { position: absolute; top: -4px; right: -4px; min-width: 22px; height: 22px; padding: 0 6px;
  border-radius: 11px; background: var(--danger); color: #fff; font-size: 12px; font-weight: 700;
  line-height: 22px; text-align: center; border: 2px solid #fff; }

.panel { position: absolute; right: 0; bottom: 76px; width: 380px;
  height: min(620px, calc(100vh - 110px)); display: flex; flex-direction: column; background: #fff;
  border-radius: 16px; overflow: hidden; box-shadow: 0 18px 50px rgba(16, 42, 67, .28);
  border: 1px solid rgba(8, 63, 117, .12); }

header { background: linear-gradient(135deg, #0b63b1, var(--blue-dark)); color: #fff;
  padding: 14px 12px 14px 16px; display: flex; align-items: center; gap: 10px; }
.avatar { flex: none; width: 38px; height: 38px; border-radius: 50%; background: rgba(255,255,255,.16);
  display: grid; place-items: center; }
.avatar svg { width: 22px; height: 22px; }
.heading { flex: 1; min-width: 0; }
.heading h2 { margin: 0; font-size: 16px; font-weight: 650; letter-spacing: .01em; }
.heading p { margin: 1px 0 0; font-size: 12.5px; color: #dbe9f7; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; }
.heading .dot { display: inline-block; width: 8px; height: 8px; border-radius: 50%; background: #7be0a4;
  margin-right: 6px; vertical-align: 1px; }
.heading .dot.off { background: #ffb4a9; }
.icon-btn { flex: none; border: 0; background: transparent; color: #fff; border-radius: 8px;
  min-width: 36px; height: 36px; padding: 0 8px; cursor: pointer; display: grid; place-items: center;
  font-size: 13px; font-weight: 600; }
.icon-btn:hover { background: rgba(255,255,255,.16); }
.icon-btn svg { width: 20px; height: 20px; }

.menu { position: absolute; top: 62px; right: 12px; z-index: 2; background: #fff; border-radius: 10px;
  box-shadow: 0 10px 30px rgba(16,42,67,.22); border: 1px solid var(--line); padding: 6px; min-width: 230px; }
.menu button { display: block; width: 100%; text-align: left; border: 0; background: none;
  padding: 10px 12px; border-radius: 6px; cursor: pointer; }
.menu button:hover, .menu button:focus-visible { background: var(--blue-soft); }

.banner { padding: 10px 16px; background: var(--blue-soft); border-bottom: 1px solid var(--line);
  font-size: 14px; }
.banner strong { display: block; color: var(--blue-dark); font-size: 14px; margin-bottom: 2px; }
.banner.closed { background: #f1f3f5; }
.banner.away { background: #fff6e0; border-bottom-color: #f0dca8; }
.banner.away strong { color: #6b4a00; }
.banner .link-btn { margin-top: 6px; }
.banner.away .link-btn { color: #5c3f00; }

.log { flex: 1; overflow-y: auto; background: var(--bg); padding: 16px 14px 8px; margin: 0;
  list-style: none; display: flex; flex-direction: column; gap: 10px; overscroll-behavior: contain; }
.msg { display: flex; flex-direction: column; max-width: 85%; align-self: flex-start; }
.msg .who { font-size: 12px; color: var(--muted); margin: 0 4px 3px; }
.msg .bubble { padding: 9px 13px; border-radius: 16px 16px 16px 4px; background: #fff;
  border: 1px solid var(--line); white-space: pre-wrap; overflow-wrap: anywhere; }
.msg.customer { align-self: flex-end; align-items: flex-end; }
.msg.customer .bubble { background: var(--blue); color: #fff; border-color: var(--blue);
  border-radius: 16px 16px 4px 16px; }
.msg.customer .bubble a { color: #fff; }
.msg.rep .bubble { border-color: #9cc3e6; box-shadow: inset 3px 0 0 #0b63b1; }
.msg.system { align-self: center; max-width: 92%; }
.msg.system .bubble { background: transparent; border: 0; color: var(--muted); font-size: 13px;
  text-align: center; padding: 2px 8px; }
.msg .meta { font-size: 11.5px; color: var(--muted); margin: 3px 4px 0; }
.msg.pending .bubble { opacity: .75; }
.msg.failed .meta { color: var(--danger); }
.bubble a { color: var(--blue-dark); text-decoration: underline; }

.quick { display: flex; flex-wrap: wrap; gap: 8px; padding: 4px 14px 10px; background: var(--bg); }
.quick button { border: 1.5px solid var(--blue); color: var(--blue); background: #fff;
  border-radius: 18px; padding: 6px 14px; cursor: pointer; font-size: 14px; font-weight: 550; }
.quick button:hover { background: var(--blue-soft); }

.typing { padding: 0 18px 8px; background: var(--bg); font-size: 12.5px; color: var(--muted);
  display: flex; align-items: center; gap: 8px; }
.dots { display: inline-flex; gap: 3px; }
.dots i { width: 6px; height: 6px; border-radius: 50%; background: #6d8aa8; animation: blink 1.2s infinite; }
.dots i:nth-child(2) { animation-delay: .2s; } .dots i:nth-child(3) { animation-delay: .4s; }
@keyframes blink { 0%, 80%, 100% { opacity: .25; } 40% { opacity: 1; } }
@media (prefers-reduced-motion: reduce) { .dots i { animation: none; } .launcher { transition: none; } }

.offline { padding: 6px 14px; background: #fdecea; color: #7a1c16; font-size: 13px; text-align: center; }

form.composer { display: flex; align-items: flex-end; gap: 8px; padding: 10px 12px;
  border-top: 1px solid var(--line); background: #fff; }
textarea { flex: 1; resize: none; border: 1.5px solid #aebfd1; border-radius: 12px; padding: 9px 12px;
  max-height: 120px; min-height: 42px; line-height: 1.4; background: #fff; }
textarea:focus { border-color: var(--blue); outline: none; box-shadow: 0 0 0 3px rgba(10, 88, 160, .18); }
textarea:disabled { background: #f1f3f5; }
.send { flex: none; width: 42px; height: 42px; border-radius: 50%; border: 0; background: var(--blue);
  color: #fff; cursor: pointer; display: grid; place-items: center; }
.send:hover { background: var(--blue-dark); }
.send:disabled { background: #9fb3c8; cursor: default; }
.send svg { width: 20px; height: 20px; }

form.email { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 8px; align-items: center; }
form.email label { flex-basis: 100%; font-size: 13px; }
form.email input { flex: 1; min-width: 0; border: 1.5px solid #aebfd1; border-radius: 8px; padding: 7px 10px;
  background: #fff; }
.btn { border: 0; border-radius: 8px; padding: 8px 14px; background: var(--blue); color: #fff;
  cursor: pointer; font-weight: 600; }
.btn.ghost { background: transparent; color: var(--blue-dark); border: 1.5px solid #aebfd1; }
.link-btn { border: 0; background: none; color: var(--blue-dark); text-decoration: underline; padding: 0;
  cursor: pointer; font-weight: 600; }
.note { font-size: 13px; margin-top: 6px; }
.note.error { color: var(--danger); }
.sheet { padding: 12px 16px; border-top: 1px solid var(--line); background: #fff; }
footer { font-size: 11px; color: var(--muted); text-align: center; padding: 0 0 8px; background: #fff; }

@media (max-width: 480px) {
  :host { right: 12px; bottom: 12px; }
  .panel { position: fixed; inset: 0; width: auto; height: auto; border-radius: 0; border: 0; }
  .msg { max-width: 90%; }
  :host([data-open]) .launcher { display: none; } /* the header's minimize button closes it */
  header .avatar { display: none; }
  header { padding-left: 14px; }
  .heading h2 { font-size: 15px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
}
`;

let shared = null;

/** One constructed stylesheet, shared by every widget on the page; null where the browser
 * can't construct one (Safari before 16.4, Firefox before 101). */
function constructed() {
  if (shared === null && "adoptedStyleSheets" in ShadowRoot.prototype) {
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      shared = sheet;
    } catch {
      shared = false;
    }
  }
  return shared || null;
}

/** Styles a shadow root: adopts the constructed sheet, or falls back to a <style> element
 * (which only a policy allowing inline styles lets apply). */
export function applyStyles(root) {
  const sheet = constructed();
  if (sheet) {
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  } else {
    const style = document.createElement("style");
    style.textContent = CSS;
    root.append(style);
  }
}
