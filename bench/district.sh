#!/usr/bin/env bash
# District-scale benchmark (issue 17 item 2): generates a district and measures what grows with it, on a running dev
# stack (the demo school stays in it, so the small-data figures of the other benchmarks apply to the same stack).
# Not part of `make test` or `make bench`: it prints figures and never fails on a target.
#
#   deploy/dev/stack up; eval "$(deploy/dev/stack env)"; bench/district.sh
#
# Steps, each printed with its command and figure:
#   1. OneRoster CSV folders, one per school (bench/district_gen.py, streamed): students, a parent each, a teacher per
#      25 students, 6 enrolments per student, email for parents, teachers and a third of the students;
#   2. `catalystwells roster import` of every school (total wall time, peak RSS of the largest run), then a delta
#      of DISTRICT_DELTA changed students, then the same bulk files again (nothing changes);
#   3. one `catalystwells mail deliver` run on the set-password mails the import queued (mails/s);
#   4. apps, grants and tokens (most expired) and access-log rows, generated in SQL from seq tables;
#   5. the parent's access-log page and the school admin's CSV (their statements, timed in MariaDB);
#   6. `catalystwells purge` on that data (wall time, rows left), then an idle `catalystwells sync`.
#
# Scale (environment): DISTRICT_SCALE=full (200,000 people in 40 schools, 8,000 classes, 5,000,000 grants and
# tokens, 20,000,000 access-log rows, 2,000 apps) or small (default: 8 schools of 5,000 people, 1,600 classes,
# 500,000 grants and tokens, 2,000,000 log rows, 2,000 apps); each figure can be set: DISTRICT_SCHOOLS,
# DISTRICT_PEOPLE (per school), DISTRICT_CLASSES (per school), DISTRICT_GRANTS, DISTRICT_LOG_ROWS, DISTRICT_APPS,
# DISTRICT_DELTA (1,000). CW_BIN (default: the debug or release build by CW_BUILD_CONFIG), DISTRICT_DIR (the CSV
# folder, default .run/bench/district).
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
: "${CW_STACK_DIR:?run deploy/dev/stack up and eval \"\$(deploy/dev/stack env)\" first}"
: "${CW_MARIADB_SOCKET:?eval \"\$(deploy/dev/stack env)\" first}"
CONF="$CW_STACK_DIR/catalystwells.conf"
BIN="${CW_BIN:-$(cd "$REPO_DIR" && swift build -c "${CW_BUILD_CONFIG:-release}" --show-bin-path)/catalystwells}"
OUT="${DISTRICT_DIR:-$REPO_DIR/.run/bench/district}"

if [[ "${DISTRICT_SCALE:-small}" == full ]]; then
    SCHOOLS="${DISTRICT_SCHOOLS:-40}" GRANTS="${DISTRICT_GRANTS:-5000000}" LOG_ROWS="${DISTRICT_LOG_ROWS:-20000000}"
else
    SCHOOLS="${DISTRICT_SCHOOLS:-8}" GRANTS="${DISTRICT_GRANTS:-500000}" LOG_ROWS="${DISTRICT_LOG_ROWS:-2000000}"
fi
PEOPLE="${DISTRICT_PEOPLE:-5000}" CLASSES="${DISTRICT_CLASSES:-200}" APPS="${DISTRICT_APPS:-2000}" DELTA="${DISTRICT_DELTA:-1000}"
for name in SCHOOLS PEOPLE CLASSES GRANTS LOG_ROWS APPS DELTA; do
    [[ "${!name}" =~ ^[1-9][0-9]{0,8}$ ]] || { echo "district: $name '${!name}' is not a count" >&2; exit 64; }
done
[[ -x "$BIN" ]] || { echo "district: $BIN is not built" >&2; exit 66; }

sql() { mariadb --no-defaults --socket="$CW_MARIADB_SOCKET" -uroot catalyst_main "$@"; }
say() { printf '==> %s\n' "$*" >&2; }
now_ms() { date +%s%3N; }
# timed LABEL COMMAND…: runs it, prints "LABEL: wall s, peak RSS MB" and the command.
timed() {
    local label="$1" log
    shift
    log="$(mktemp)"
    /usr/bin/time -f '%e %M' -o "$log.time" "$@" >"$log" 2>&1 || { cat "$log" >&2; echo "district: $label failed" >&2; }
    read -r wall rss <"$log.time"
    printf '%-44s %8.2f s  peak RSS %6.1f MB   $ %s\n' "$label" "$wall" "$((rss))e-3" "${*/#$REPO_DIR\//}"
    LAST_LOG="$log"
}

echo "CatalystWells district benchmark: $SCHOOLS schools x $PEOPLE people, $CLASSES classes each, $GRANTS grants and tokens,"
echo "$LOG_ROWS access-log rows, $APPS apps; binary $BIN; $(nproc) CPUs; $(date -u +%FT%TZ)"

say "1. generating the CSV folders in $OUT"
rm -rf "$OUT"
start=$(now_ms)
people=$(python3 "$REPO_DIR/bench/district_gen.py" "$OUT" "$SCHOOLS" "$PEOPLE" "$CLASSES" --delta "$DELTA")
printf '%-44s %8.2f s  (%s people)\n' "generate CSV" "$((($(now_ms) - start)))e-3" "$people"

say "2. importing"
outbox_before=$(sql -N -e "SELECT COUNT(*) FROM mail_outbox")
total_ms=0
peak=0
for folder in "$OUT"/dist-s*; do
    start=$(now_ms)
    /usr/bin/time -f '%M' -o "$OUT/.rss" "$BIN" roster import "$folder" --config "$CONF" >"$OUT/.import.log" 2>&1 ||
        { cat "$OUT/.import.log" >&2; echo "district: import of $folder failed" >&2; exit 1; }
    total_ms=$((total_ms + $(now_ms) - start))
    rss=$(tail -1 "$OUT/.rss")
    ((rss > peak)) && peak=$rss
done
printf '%-44s %8.2f s  peak RSS %6.1f MB   $ catalystwells roster import DIR (x%s)\n' \
    "import of the whole district ($people people)" "${total_ms}e-3" "${peak}e-3" "$SCHOOLS"
queued=$(($(sql -N -e "SELECT COUNT(*) FROM mail_outbox") - outbox_before))
echo "set-password mails queued by the imports: $queued"
timed "delta import ($DELTA changed students)" "$BIN" roster import "$OUT/delta" --school dist-s01 --config "$CONF"
timed "the same bulk files again (nothing changes)" "$BIN" roster import "$OUT/dist-s01" --config "$CONF"

say "3. one mail run"
timed "mail deliver (one run, 30 s budget)" "$BIN" mail deliver --site app --seconds 30 --config "$CONF"
echo "    $(tail -1 "$LAST_LOG")"

say "4. generating apps, grants, tokens and access-log rows in SQL"
start=$(now_ms)
sql >/dev/null <<SQL
SET @now = UTC_TIMESTAMP(6);
INSERT IGNORE INTO oauth_clients (client_id, name, developer_name, kind, allowed_scopes, created_at, updated_at)
SELECT CONCAT('district-app-', seq), CONCAT('District app ', seq), 'Bench', 'confidential', 'openid parent.grades.read', @now, @now
FROM seq_1_to_$APPS;
SELECT MIN(id), MAX(id) INTO @c0, @c1 FROM oauth_clients WHERE client_id LIKE 'district-app-%';
SELECT MIN(id), MAX(id) INTO @u0, @u1 FROM users WHERE sourced_id LIKE 'dist-s%';
INSERT INTO oauth_grants (client_pk, user_id, scopes, created_at, expires_at)
SELECT @c0 + seq % (@c1 - @c0 + 1), @u0 + seq % (@u1 - @u0 + 1), 'openid', @now - INTERVAL (seq % 700) DAY,
       IF(seq % 20 = 0, @now + INTERVAL 30 DAY, @now - INTERVAL (seq % 600) DAY)
FROM seq_1_to_$GRANTS;
INSERT INTO oauth_tokens (token_digest, kind, grant_id, issued_at, expires_at)
SELECT UNHEX(SHA2(CONCAT('district-', g.id), 256)), 'access', g.id, g.created_at, g.expires_at
FROM oauth_grants g JOIN oauth_clients c ON c.id = g.client_pk WHERE c.client_id LIKE 'district-app-%';
INSERT INTO data_access_log (occurred_at, client_id, actor_user_id, subject_user_id, school_id, operation, request, status)
SELECT @now - INTERVAL (s.seq % 730) DAY - INTERVAL (s.seq % 86400) SECOND, CONCAT('district-app-', 1 + s.seq % $APPS),
       @u0 + s.seq % (@u1 - @u0 + 1), u.id, u.school_id, 'grades.read', 'GET /api/v1/me/grades', 200
FROM seq_1_to_$LOG_ROWS s JOIN users u ON u.id = @u0 + (s.seq * 7) % (@u1 - @u0 + 1);
ANALYZE TABLE oauth_grants, oauth_tokens, data_access_log;
SQL
printf '%-44s %8.2f s\n' "generate apps, grants, tokens, log rows" "$((($(now_ms) - start)))e-3"

say "5. access-log page and CSV"
child=$(sql -N -e "SELECT student_id FROM guardianships g JOIN users u ON u.id = g.parent_id WHERE u.sourced_id = 'dist-s01-p5'")
school=$(sql -N -e "SELECT id FROM schools WHERE sourced_id = 'dist-s01'")
columns="l.occurred_at, l.client_id, l.actor_user_id, l.subject_user_id, l.school_id, l.operation, l.request, l.status, c.name, CONCAT(u.given_name, ' ', u.family_name)
 FROM data_access_log l LEFT JOIN oauth_clients c ON c.client_id = l.client_id LEFT JOIN users u ON u.id = l.subject_user_id"
for label in "parent's access-log page (100 rows)" "school admin's CSV (a year, 10,000 rows)"; do
    if [[ "$label" == parent* ]]; then
        query="SELECT $columns WHERE l.subject_user_id IN ($child) ORDER BY l.occurred_at DESC, l.id DESC LIMIT 100"
    else
        query="SELECT $columns WHERE l.school_id = $school AND l.occurred_at > UTC_TIMESTAMP() - INTERVAL 1 YEAR ORDER BY l.occurred_at DESC, l.id DESC LIMIT 10000"
    fi
    times=()
    for _ in $(seq 20); do
        start=$(date +%s%N)
        sql -N -e "$query" >/dev/null
        times+=($((($(date +%s%N) - start) / 1000)))
    done
    sorted=($(printf '%s\n' "${times[@]}" | sort -n))
    printf '%-44s p50 %7.1f ms  max %7.1f ms (20 runs, mariadb client, statement of MariaDataAccessLogStore)\n' \
        "$label" "${sorted[9]}e-3" "${sorted[19]}e-3"
done

say "6. purge and sync"
before=$(sql -N -e "SELECT (SELECT COUNT(*) FROM oauth_tokens), (SELECT COUNT(*) FROM oauth_grants), (SELECT COUNT(*) FROM data_access_log)")
timed "purge" "$BIN" purge --config "$CONF"
after=$(sql -N -e "SELECT (SELECT COUNT(*) FROM oauth_tokens), (SELECT COUNT(*) FROM oauth_grants), (SELECT COUNT(*) FROM data_access_log)")
echo "    tokens/grants/log rows before: $before; after: $after"
timed "sync (after the generated data)" "$BIN" sync --config "$CONF"
timed "sync again (idle)" "$BIN" sync --config "$CONF"
