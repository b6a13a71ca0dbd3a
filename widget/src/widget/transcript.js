// The customer's copy of the conversation, made in the browser as a plain text file.

import { clock } from "../shared/linkify.js";

export function transcriptText(messages, t, lang) {
  const lines = [`${t.transcriptHeader} — ${new Date().toLocaleDateString(lang === "es" ? "es-US" : "en-US")}`, ""];
  for (const m of messages) {
    const who = m.sender === "customer" ? t.you : m.sender === "rep" ? m.rep_name || t.repFallback
      : m.sender === "system" ? t.system : t.assistant;
    lines.push(`[${clock(m.created_at, lang)}] ${who}: ${m.text}`);
  }
  return `${lines.join("\n")}\n`;
}

export function downloadTranscript(messages, t, lang) {
  const blob = new Blob([transcriptText(messages, t, lang)], { type: "text/plain;charset=utf-8" });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = `transcript-${new Date().toISOString().slice(0, 10)}.txt`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}
