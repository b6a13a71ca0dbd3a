#!/usr/bin/env bash
# Times ./scripts/run to the first bot answer: a cold start from empty caches, then a warm start
# (the same run again with everything cached), phase by phase.
#
#   bench/cold_start.sh            cold, then warm (a cold start is about 12 minutes of both cores)
#   bench/cold_start.sh --warm     warm only: two runs on your own cache (~/.cache/waterdesk or
#                                  $WATERDESK_CACHE); the first fills what is missing, the second
#                                  is the figure
#   --keep                         keep the temporary folder (logs, caches) and say where
#
# Each run happens in a fresh copy of this working tree as git sees it (tracked and untracked
# files, nothing git ignores: no .venvs, var, models, Rasa's .rasa cache or widget/dist), with
# its own DATA_DIR and free ports. The cold start gets an empty WATERDESK_CACHE in the temporary
# folder (environments, web bundle, models), so the real cache is never touched; the download
# caches of uv (~/.cache/uv), pip and npm are kept, so nothing is downloaded twice: a machine
# that has never downloaded the packages adds that time to the environments.
# The first answer: once the backend's health check and Rasa's /status answer, "hi" goes through
# the hub's REST API (POST /api/v1/conversations, then …/messages) and must come back from the bot.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
echo "# bench/cold_start.sh $*"
echo "# $(date -u +%FT%TZ) $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
WARM_ONLY=0 KEEP=0
for arg in "$@"; do
  case $arg in
    --warm) WARM_ONLY=1 ;;
    --keep) KEEP=1 ;;
    *) echo "usage: bench/cold_start.sh [--warm] [--keep]" >&2; exit 2 ;;
  esac
done
TMP=$(mktemp -d "${TMPDIR:-/tmp}/waterdesk-cold.XXXX")
RUN_PID=""
cleanup() {
  if [ -n "$RUN_PID" ] && kill -0 "$RUN_PID" 2>/dev/null; then
    kill -TERM -- "-$RUN_PID" 2>/dev/null || kill -TERM "$RUN_PID" 2>/dev/null || true
    wait "$RUN_PID" 2>/dev/null || true
  fi
  if [ "$KEEP" = 1 ]; then echo "# kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

TREE=$TMP/waterdesk
mkdir -p "$TREE"
# A deleted file still in the index is skipped, not an error.
(cd "$ROOT" && git ls-files --cached --others --exclude-standard -z \
  | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done \
  | tar --null -T - -cf -) | tar -xf - -C "$TREE"
if [ "$WARM_ONLY" = 1 ]; then
  CACHE=${WATERDESK_CACHE:-$HOME/.cache/waterdesk}
else
  CACHE=$TMP/cache
fi
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=$(free_port) RASA=$(free_port) ACTIONS=$(free_port) SMTP=$(free_port)

now() { date +%s.%N; }
since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$@"; }
at() {  # the time of the first output line holding $2, from the timestamped output $1; or ""
  grep -m1 -F -- "$2" "$1" | cut -d' ' -f1 || true
}
post() { curl -sf --noproxy '*' -m 120 -X POST -H "Authorization: Bearer dev-only-service-token" \
           -H 'Content-Type: application/json' "$@"; }

# One run of ./scripts/run: waits for the first bot answer, prints the phases, stops it.
run_once() {  # $1 = a short name, $2 = what it is
  local label=$2 out="$TMP/$1.out" t0 t_answer conv reply first ready start t
  echo "## $label"
  t0=$(now)
  # In a session of its own: the supervisor it becomes gets Ctrl-C alone, and the whole group
  # can be stopped if this script is.
  (cd "$TREE" && exec setsid env -u REDIS_URL -u DATABASE_URL -u RASA_PROCESSES -u RASA_URL \
      WATERDESK_CACHE="$CACHE" DATA_DIR="$TMP/data" WATERDESK_PORT="$PORT" RASA_PORT="$RASA" \
      ACTIONS_PORT="$ACTIONS" SMTP_LISTEN_PORT="$SMTP" ENVIRONMENT=development \
      ./scripts/run) > >(while IFS= read -r line; do printf '%s %s\n' "$(now)" "$line"; done >"$out") 2>&1 &
  RUN_PID=$!
  until curl -sf --noproxy '*' -m 2 "http://127.0.0.1:$PORT/api/v1/utils/health-check" >/dev/null &&
        curl -sf --noproxy '*' -m 2 "http://127.0.0.1:$RASA/status?token=dev-only-rasa-token" >/dev/null; do
    if ! kill -0 "$RUN_PID" 2>/dev/null; then
      echo "scripts/run exited before answering; its output:"; cut -d' ' -f2- "$out"; exit 1
    fi
    if [ "$(since "$t0" "$(now)" | cut -d. -f1)" -gt 2400 ]; then echo "no answer in 40 minutes"; exit 1; fi
    sleep 0.5
  done
  conv=$(post "http://127.0.0.1:$PORT/api/v1/conversations" | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
  reply=$(post "http://127.0.0.1:$PORT/api/v1/conversations/$conv/messages" -d '{"text": "hi"}')
  t_answer=$(now)
  first=$(printf '%s' "$reply" | python3 -c 'import json, sys; r = json.load(sys.stdin); print(r["status"], "|", (r["replies"] or [{}])[0].get("text", "(no reply)")[:70])')
  case $first in bot*) ;; *) echo "the first answer did not come from the bot: $first"; exit 1 ;; esac
  sleep 1  # the ready line follows the same probes within a second
  start=$(at "$out" "[waterdesk] starting backend")
  ready=$(at "$out" "[waterdesk] ready in")
  phase() { printf '  %-44s %8s\n' "$1" "$2"; }
  t=$(at "$out" "[bootstrap] building the bot environment")
  local train_start train_end
  train_start=$(at "$out" "[train] training the Rasa model")
  train_end=$(at "$out" "[train] trained in")
  if [ -n "$t" ] && [ -n "$train_start" ]; then phase "bot environment (before training)" "$(since "$t0" "$train_start")s"; fi
  if [ -n "$train_start" ] && [ -n "$train_end" ]; then
    phase "training" "$(since "$train_start" "$train_end")s"
  else
    phase "environments and model checked (all cached)" "$(since "$t0" "$(at "$out" "[train] inputs unchanged")")s"
  fi
  for marker in "app environment:envs/app-*/.complete" "web bundle:web-*/.complete" \
                "bytecode (app):envs/app-*/.bytecode" "bytecode (bot):envs/bot-*/.bytecode"; do
    local name=${marker%%:*} file
    file=$(ls -t $CACHE/${marker#*:} 2>/dev/null | head -1)
    if [ -n "$file" ] && [ "$(stat -c %Y "$file")" -ge "${t0%.*}" ]; then
      phase "  beside it: $name done at" "$(since "$t0" "$(stat -c %Y "$file")")s"
    fi
  done
  t=${train_end:-$(at "$out" "[train] inputs unchanged")}
  phase "then waiting for the app env and the database" "$(since "$t" "$start")s"
  phase "services up (start to the ready line)" "$(since "$start" "${ready:-$t_answer}")s"
  phase "first bot answer, from ./scripts/run" "$(since "$t0" "$t_answer")s"
  echo "  ready line: $(grep -m1 -F "[waterdesk] ready in" "$out" | cut -d' ' -f2- | cut -c1-60)…"
  echo "  answer: $first"
  kill -INT "$RUN_PID"
  wait "$RUN_PID" || true
  RUN_PID=""
}

if [ "$WARM_ONLY" = 1 ]; then
  run_once first "first run on $CACHE"
else
  echo "# WATERDESK_CACHE=$CACHE (empty); uv, pip and npm download caches kept"
  run_once cold "cold start"
fi
run_once warm "warm start"
echo "# load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
