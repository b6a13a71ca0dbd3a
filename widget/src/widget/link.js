// A leak alert's signed chat link: the page opens as /?chat=<token>. The widget takes the token
// once, removes it from the address bar (so it isn't bookmarked, shared or kept in history),
// and presents it only when it starts a new conversation; the hub checks it.

export const LINK_PARAM = "chat";

/** The link token in the page URL, or null; the URL is left without it either way. */
export function takeChatLink(loc = globalThis.location, hist = globalThis.history) {
  let url;
  try {
    url = new URL(loc.href);
  } catch {
    return null;
  }
  if (!url.searchParams.has(LINK_PARAM)) return null;
  const token = url.searchParams.get(LINK_PARAM);
  url.searchParams.delete(LINK_PARAM);
  try {
    hist.replaceState(hist.state, "", `${url.pathname}${url.search}${url.hash}`);
  } catch {
    /* a sandboxed page may refuse; the chat still opens */
  }
  return token ? token.slice(0, 4096) : null;
}
