#!/usr/bin/env bash
# Sync benchmark: how long `catalystwells sync` takes
#   - idle: nothing pending (the every-minute case; target under 50 ms), the median of BENCH_SYNC_IDLE_RUNS runs;
#   - loaded: BENCH_SYNC_APPS approved apps waiting to be carried into the main database and BENCH_SYNC_EVENTS
#     usage events (education API calls in the data-access log) of today to turn into daily analytics;
#   - then idle again, to show the loaded run left nothing behind.
# It prints the run's own JSON report (duration_ms is measured inside, around the locked work) and the wall time
# of the whole command (process start, config, connections).
#
# Uses a private dev stack (deploy/dev/stack) under BENCH_SYNC_DIR on its own ports, seeds it with SQL as the
# MariaDB root user, and stops the stack on exit. A benchmark, not a test: it never fails on a target.
#
# Settings (environment): BENCH_SYNC_APPS (default 1000), BENCH_SYNC_EVENTS (default 100000),
# BENCH_SYNC_IDLE_RUNS (default 15), BENCH_SYNC_DIR (default <repo>/.run/bench/sync), BENCH_SYNC_HTTPS_PORT
# (default 28743), BENCH_SYNC_HTTP_PORT (default 28383), CW_BIN (default <repo>/.build/release/catalystwells;
# built when missing).
set -euo pipefail
REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_DIR
APPS="${BENCH_SYNC_APPS:-1000}"
EVENTS="${BENCH_SYNC_EVENTS:-100000}"
IDLE_RUNS="${BENCH_SYNC_IDLE_RUNS:-15}"
export CW_STACK_DIR="${BENCH_SYNC_DIR:-$REPO_DIR/.run/bench/sync}"
export CW_HTTPS_PORT="${BENCH_SYNC_HTTPS_PORT:-28743}" CW_HTTP_PORT="${BENCH_SYNC_HTTP_PORT:-28383}" CW_ENVIRONMENT=test
BIN="${CW_BIN:-$REPO_DIR/.build/release/catalystwells}"
for name in APPS EVENTS IDLE_RUNS; do
    [[ "${!name}" =~ ^[1-9][0-9]{0,6}$ ]] || { echo "bench/sync: $name must be a positive count" >&2; exit 2; }
done

say() { printf '==> %s\n' "$*" >&2; }
if [[ ! -x "$BIN" ]]; then
    say "building $BIN"
    (cd "$REPO_DIR" && swift build -c release --product catalystwells >&2)
fi
export CW_BIN="$BIN" CW_SKIP_BUILD=1
trap '"$REPO_DIR/deploy/dev/stack" down >/dev/null 2>&1 || true' EXIT
say "starting a private stack in $CW_STACK_DIR"
"$REPO_DIR/deploy/dev/stack" up >"$CW_STACK_DIR.log" 2>&1 || { tail -20 "$CW_STACK_DIR.log" >&2; exit 1; }
SOCKET="$CW_STACK_DIR/mariadb/mysqld.sock"
CONF="$CW_STACK_DIR/catalystwells.conf"
sql() { mariadb --no-defaults --socket="$SOCKET" -u root --batch --skip-column-names "$@"; }

run_sync() {
    local started ended report
    started=$(date +%s%N)
    report="$("$BIN" sync --config "$CONF" 2>/dev/null)"
    ended=$(date +%s%N)
    printf '%s %s\n' "$(( (ended - started) / 1000000 ))" "$report"
}

idle_figures() {
    local label="$1" inner=() wall=() line
    for ((i = 0; i < IDLE_RUNS; i++)); do
        line="$(run_sync)"
        wall+=("${line%% *}")
        inner+=("$(sed -E 's/.*"duration_ms":([0-9]+).*/\1/' <<<"$line")")
    done
    printf '%-28s median %3s ms inside the lock, %3s ms wall (%d runs; target < 50 ms); inside: %s\n' "$label" \
        "$(printf '%s\n' "${inner[@]}" | sort -n | sed -n "$(( (IDLE_RUNS + 1) / 2 ))p")" \
        "$(printf '%s\n' "${wall[@]}" | sort -n | sed -n "$(( (IDLE_RUNS + 1) / 2 ))p")" "$IDLE_RUNS" "${inner[*]}"
}

say "draining what the stack start left pending"
run_sync >/dev/null
idle_figures "idle (nothing pending)"

say "seeding $APPS approved apps and $EVENTS usage events"
sql catalyst_developers <<SQL
INSERT IGNORE INTO developers (id, email, name, password_hash, state, terms_accepted_at, created_at, updated_at)
VALUES (900000, 'bench@bench.example', 'Bench Developer', '\$argon2id\$bench', 'active', NOW(6), NOW(6), NOW(6));
INSERT INTO applications (developer_id, client_id, status, name, description, homepage_url, privacy_policy_url,
    redirect_uris, requested_scopes, client_type, granted_scopes, approved_at, version, sync_requested_at, created_at, updated_at)
SELECT 900000, CONCAT('cw_app_bench', LPAD(seq, 7, '0'), '_', FLOOR(RAND() * 1e9)), 'approved', CONCAT('Bench app ', seq),
    'A benchmark app.', 'https://bench.example', 'https://bench.example/privacy', 'https://bench.example/cb',
    'openid profile.read', 'confidential', 'openid profile.read', NOW(6), 3, NOW(6), NOW(6), NOW(6)
FROM seq_1_to_${APPS};
INSERT INTO application_client_secrets (application_id, secret_digest, created_at)
SELECT id, UNHEX(SHA2(CONCAT('bench-secret-', id, '-', RAND()), 256)), NOW(6) FROM applications
WHERE developer_id = 900000 AND sync_requested_at IS NOT NULL;
SQL
clients="$(sql catalyst_developers -e "SELECT client_id FROM applications WHERE developer_id = 900000 ORDER BY id DESC LIMIT $APPS" | paste -sd, -)"
# Sync applies an approved app only as an admin approved it (Domain's ReviewAttestation): record the decisions
# the review panel would have recorded, with the same digest encoding.
sql catalyst_developers -e "SELECT id, client_id, client_type, name, description, homepage_url, privacy_policy_url,
    IFNULL(terms_url, ''), IFNULL(logo_sha256, ''), redirect_uris, granted_scopes
    FROM applications WHERE developer_id = 900000 AND sync_requested_at IS NOT NULL" | python3 -c '
import hashlib, struct, sys
def field(text):
    data = text.encode()
    return struct.pack(">I", len(data)) + data
def optional(text):
    return b"\x01" + field(text) if text else b"\x00"
def items(values):
    return struct.pack(">I", len(values)) + b"".join(field(v) for v in values)
rows = []
for line in sys.stdin.read().splitlines():
    app, client, kind, name, description, home, privacy, terms, logo, uris, scopes = line.split("\t")
    encoded = (field("catalystwells-review-attestation-v1") + field(client) + field(kind) + field(name) + field(description)
               + optional(home) + optional(privacy) + optional(terms) + optional(logo) + items(uris.split("\\n"))
               + items(sorted(scopes.split())))
    rows.append(f"({app}, \x27{client}\x27, UNHEX(\x27{hashlib.sha256(encoded).hexdigest()}\x27), 0, 1, NOW(6))")
for start in range(0, len(rows), 500):
    print("INSERT INTO review_attestations (developer_app_id, client_id, content_sha256, suspended, decided_by, decided_at) VALUES")
    print(",\n".join(rows[start:start + 500]) + ";")
' | sql catalyst_main
sql catalyst_main <<SQL
INSERT INTO data_access_log (occurred_at, client_id, actor_user_id, subject_user_id, school_id, operation, request, status)
SELECT NOW(6) - INTERVAL (seq MOD 3600) SECOND,
    ELT(1 + (seq MOD $APPS), $(sed -E "s/([^,]+)/'\1'/g" <<<"$clients")),
    5 + (seq MOD 60), 5 + (seq MOD 60), 1, 'students.grades', 'GET /api/v1/students/5/grades', IF(seq MOD 50 = 0, 404, 200)
FROM seq_1_to_${EVENTS};
SQL
# Sync counts usage rows once they are a few seconds old (SyncRun.usageSettleSeconds).
sleep 6
line="$(run_sync)"
printf '%-28s %s ms wall; report: %s\n' "loaded ($APPS apps, $EVENTS events)" "${line%% *}" "${line#* }"
idle_figures "idle again"
