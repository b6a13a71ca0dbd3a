// What survives a page load: the session and its reconnect secret (the id alone opens nothing),
// the last message seen, the unsent outbox and a capped copy of the transcript (so a reload
// shows the conversation before the server replays).

const MAX_MESSAGES = 300;

export class SessionStore {
  constructor(server) {
    this.key = `waterdesk:${server}`;
    this.data = { session_id: null, session_secret: null, last_seq: 0, seen_seq: 0, outbox: [],
                  messages: [], language: null, open: false, labels: {} };
    try {
      Object.assign(this.data, JSON.parse(localStorage.getItem(this.key) || "{}"));
    } catch {
      /* storage blocked or corrupt: start fresh, the server still has the conversation */
    }
  }

  get(name) { return this.data[name]; }

  set(values) {
    Object.assign(this.data, values);
    this.save();
  }

  save() {
    if (this.data.messages.length > MAX_MESSAGES) this.data.messages = this.data.messages.slice(-MAX_MESSAGES);
    try {
      localStorage.setItem(this.key, JSON.stringify(this.data));
    } catch {
      /* private mode or full: the chat still works for this page */
    }
  }

  /** Forget the conversation (a closed one, or a session the server no longer knows). */
  reset() {
    this.set({ session_id: null, session_secret: null, last_seq: 0, seen_seq: 0, messages: [],
               labels: {} });
  }
}
