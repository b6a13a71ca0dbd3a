// The customer's link to the hub (namespace "/"): session resume, ordered replay, an outbox that
// survives reloads and network drops. Every message carries a client_id, so resending is safe.
// Resuming needs the reconnect secret the server gave when the conversation opened: the id alone
// gets a new conversation.

import { io } from "socket.io-client";
import { clientId } from "../shared/linkify.js";

const ACK_TIMEOUT_MS = 10_000;

/** A `bot_uttered` as one flat message: Rasa's fields (text, quick_replies) on top, the hub's
 *  (seq, sender, created_at, rep_name) under `metadata`, where rasa-webchat ignores them. */
function fromBot({ metadata, ...rasa }) {
  return { ...(metadata || {}), text: rasa.text ?? "", quick_replies: rasa.quick_replies || rasa.buttons || [],
           sender: metadata?.sender || "bot" };
}

export class Connection {
  /** `on` holds callbacks: session, state, message, ack, rejected, handoff, typing, status, error. */
  constructor({ server, store, on, chatLink }) {
    this.store = store;
    this.on = on;
    // A signed chat link's token (link.js): sent with the request that starts the conversation,
    // kept in memory only, dropped once the server confirms a session.
    this.chatLink = chatLink || null;
    this.ready = false; // true once the server confirmed our session on this connection
    this.socket = io(server, { path: "/socket.io", transports: ["websocket", "polling"],
                               reconnectionDelayMax: 5_000 });
    const s = this.socket;
    s.on("connect", () => this.requestSession());
    s.on("disconnect", () => { this.ready = false; on.status("offline"); });
    s.on("connect_error", () => on.status("offline"));
    s.on("session_confirm", (data) => this.confirmed(typeof data === "string" ? data : data?.session_id));
    s.on("session_state", (state) => this.stated(state || {}));
    s.on("bot_uttered", (m) => this.received(fromBot(m || {})));
    s.on("customer_uttered", (m) => this.received({ ...m, sender: "customer" }));
    s.on("message_ack", (a) => this.acked(a));
    s.on("handoff", (h) => on.handoff(h || {}));
    s.on("typing", (t) => on.typing(t || {}));
    s.on("error", (e) => this.failed(e || {}));
  }

  requestSession(language) {
    const lang = language || this.store.get("language");
    const sessionId = this.chatLink ? null : this.store.get("session_id");
    this.socket.emit("session_request", {
      session_id: sessionId,
      ...(sessionId ? { session_secret: this.store.get("session_secret") } : {}),
      ...(this.chatLink ? { chat_link: this.chatLink } : {}),
      last_seq: this.store.get("last_seq") || 0,
      ...(lang ? { language: lang } : {}),
    });
  }

  confirmed(sessionId) {
    if (!sessionId) return;
    this.chatLink = null;
    const previous = this.store.get("session_id");
    if (previous && previous !== sessionId) {
      // The server did not give our session back (unknown, or no secret for it): start clean,
      // keep the outbox. The new conversation's secret comes in the session_state that follows.
      this.store.set({ session_secret: null, last_seq: 0, seen_seq: 0, messages: [] });
      this.on.session(sessionId, true);
    } else {
      this.on.session(sessionId, false);
    }
    this.store.set({ session_id: sessionId });
    this.ready = true;
    this.on.status("online");
    this.flush();
  }

  stated({ session_secret, ...state }) {
    // Only the request that opened the conversation gets its secret: keep it for reconnects.
    if (session_secret) this.store.set({ session_secret });
    this.on.state(state);
  }

  received(message) {
    if (typeof message.seq === "number" && message.seq > (this.store.get("last_seq") || 0)) {
      this.store.set({ last_seq: message.seq });
    }
    this.on.message(message);
  }

  /** Queue a message in the outbox and send it now if we can. Returns the outbox entry. */
  send(text, { label, language } = {}) {
    const entry = { client_id: clientId(), text, label: label || null, language: language || null,
                    created_at: new Date().toISOString() };
    const outbox = [...(this.store.get("outbox") || []), entry];
    this.store.set({ outbox });
    if (this.ready) this.emit(entry);
    return entry;
  }

  emit(entry) {
    const data = { message: entry.text, session_id: this.store.get("session_id"), client_id: entry.client_id };
    if (entry.language) data.customData = { language: entry.language };
    this.socket.timeout(ACK_TIMEOUT_MS).emit("user_uttered", data, (err, reply) => {
      if (err || !reply) return; // no answer: it stays in the outbox and goes again on reconnect
      if (reply.ok !== false) this.acked({ client_id: entry.client_id, seq: reply.seq });
      else if (reply.error === "rate_limited") this.retryLater(reply.retry_after);
      else if (reply.error === "bad_request") this.rejected(entry, reply);
    });
  }

  /** Refused for now (too fast): still in the outbox, sent again once the server allows. */
  retryLater(seconds) {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.ready) this.flush();
    }, Math.max(1, Number(seconds) || 5) * 1000);
  }

  /** The server will never take this one (unreadable text): out of the outbox, shown as failed. */
  rejected(entry, reply) {
    this.store.set({ outbox: (this.store.get("outbox") || []).filter((e) => e.client_id !== entry.client_id) });
    this.on.rejected(entry, reply);
  }

  /** Resend everything unsent, oldest first; the server drops repeats by client_id. */
  flush() {
    for (const entry of this.store.get("outbox") || []) this.emit(entry);
  }

  acked({ client_id, seq }) {
    const outbox = this.store.get("outbox") || [];
    const entry = outbox.find((e) => e.client_id === client_id);
    if (entry) this.store.set({ outbox: outbox.filter((e) => e !== entry) });
    // last_seq moves only with messages received, so nothing between is skipped on a replay.
    this.on.ack(client_id, seq, entry);
  }

  failed(error) {
    if (error.code === "unknown_session") {
      this.store.reset();
      this.requestSession();
    } else if (error.code === "rate_limited" && !this.ready) {
      // Too many new conversations from this network: ask again when allowed.
      setTimeout(() => { if (!this.ready && this.socket.connected) this.requestSession(); },
                 Math.max(1, Number(error.retry_after) || 30) * 1000);
    }
    this.on.error(error);
  }

  typing(isTyping) {
    const session_id = this.store.get("session_id");
    if (this.ready && session_id) this.socket.emit("typing", { session_id, typing: isTyping });
  }

  /** Emit with an ack, resolving to the server's reply ({ok, error}) or a timeout error. */
  request(event, data) {
    return new Promise((resolve) => {
      this.socket.timeout(ACK_TIMEOUT_MS).emit(event, { session_id: this.store.get("session_id"), ...data },
        (err, reply) => resolve(err ? { ok: false, error: "timeout" } : reply || { ok: true }));
    });
  }

  /** Start over with a new conversation (after one was closed). */
  restart(language) {
    this.store.reset();
    this.ready = false;
    this.requestSession(language);
  }
}
