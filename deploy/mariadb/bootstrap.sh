#!/usr/bin/env bash
# Create the CatalystWells databases and MariaDB accounts (least privilege, DESIGN.md §4).
# Idempotent: safe to re-run; it sets the passwords from the secret files every time.
# Used by deploy/dev/stack and, once, by a production install.
set -euo pipefail
shopt -s inherit_errexit

readonly MIGRATOR_USER="catalyst_migrator"
readonly APP_USER="catalyst_app"
readonly DEVELOPERS_USER="catalyst_dev"
# The host part of the three accounts: localhost (socket, or TCP from this machine), or with --account-host the
# app hosts of a cluster (e.g. 10.0.3.%). Set once from the options, before any SQL is built.
ACCOUNT_HOST="localhost"
REQUIRE_TLS="no"

usage() {
    cat <<'EOF'
Usage: bootstrap.sh --socket PATH --secrets DIR [--main-db NAME] [--developers-db NAME]
                    [--reset-grants] [--account-host HOST] [--require-tls]

Connects as the MariaDB root account over the unix socket (run it as the OS root user:
Debian's root@localhost authenticates by unix_socket) and creates:
  databases  catalyst_main, catalyst_developers (utf8mb4, utf8mb4_unicode_ci)
  accounts   catalyst_migrator@localhost  ALL on both databases (runs `catalystwells migrate`)
             catalyst_app@localhost       SELECT, INSERT, UPDATE, DELETE, EXECUTE,
                                          CREATE TEMPORARY TABLES, LOCK TABLES on main only
             catalyst_dev@localhost       per-table grants on developers only: what the
                                          portal's code runs (DEVELOPERS_GRANTS below), and
                                          never UPDATE or DELETE on the review log
Passwords are read from DIR/db-migrator.password, DIR/db-app.password and
DIR/db-developers.password (16+ characters of A-Z a-z 0-9 _ -).

Options:
  --socket PATH         MariaDB server socket (production: /run/mysqld/mysqld.sock)
  --secrets DIR         directory holding the three password files
  --main-db NAME        default catalyst_main
  --developers-db NAME  default catalyst_developers
  --reset-grants        first revoke every privilege of the three accounts, so that they
                        end up with exactly the grants above (default: grants are only
                        added; privileges granted elsewhere are kept). catalyst_dev's
                        grants are always reset: the public portal's account never keeps
                        a privilege this script does not list.
  --account-host HOST   the accounts' host part instead of localhost: where the pools connect
                        from on a cluster (an address, a name, or a pattern such as 10.0.3.%;
                        see deploy/cluster/README.md). Run it on one Galera node: accounts replicate.
  --require-tls         the accounts may only connect over TLS (ALTER USER ... REQUIRE SSL); set
                        database.tls_ca_file in catalystwells.conf to match
EOF
}

die() {
    echo "bootstrap: $*" >&2
    exit 2
}

check_db_name() {
    [[ "$2" =~ ^[A-Za-z0-9_]{1,64}$ ]] || die "$1: '$2' is not a plain database name"
}

# read_password FILE VAR: stores the password held in FILE in VAR after checking that it
# is safe inside a SQL string literal: only [A-Za-z0-9_-], at least 16 characters.
# Runs in the main shell (not in a command substitution) so that die stops the script.
read_password() {
    local file="$1" var="$2" password
    [[ -f "$file" && -r "$file" ]] || die "cannot read password file $file"
    if [[ -n "$(find "$file" -perm /o=r 2>/dev/null)" ]]; then
        echo "bootstrap: warning: $file is readable by every user; chmod o-r it" >&2
    fi
    password="$(<"$file")"
    [[ "$password" =~ ^[A-Za-z0-9_-]{16,}$ ]] ||
        die "$file must hold one line of at least 16 characters from A-Z a-z 0-9 _ - (refusing to use it)"
    printf -v "$var" '%s' "$password"
}

account_sql() {
    local user="$1" password="$2" reset="$3"
    printf "CREATE USER IF NOT EXISTS '%s'@'%s' IDENTIFIED BY '%s';\n" "$user" "$ACCOUNT_HOST" "$password"
    printf "ALTER USER '%s'@'%s' IDENTIFIED BY '%s';\n" "$user" "$ACCOUNT_HOST" "$password"
    # Only ever tightened here: a REQUIRE SSL set by hand is kept when the script runs without the option.
    if [[ "$REQUIRE_TLS" == yes ]]; then
        printf "ALTER USER '%s'@'%s' REQUIRE SSL;\n" "$user" "$ACCOUNT_HOST"
    fi
    if [[ "$reset" == yes ]]; then
        printf "REVOKE ALL PRIVILEGES, GRANT OPTION FROM '%s'@'%s';\n" "$user" "$ACCOUNT_HOST"
    fi
}

grant_sql() {
    local privileges="$1" database="$2" user="$3"
    printf "GRANT %s ON \`%s\`.* TO '%s'@'%s';\n" "$privileges" "$database" "$user" "$ACCOUNT_HOST"
}

# The app pool's narrow grants on the developers database (DESIGN §4): the review panel reads submissions
# and records decisions, sync reads approved apps with their secret and key digests and writes usage
# figures and webhook deliveries, staff answer tickets. Column lists keep developers' password hashes,
# TOTP seeds and webhook signing secrets out of its reach. "table|privileges", applied to the tables that
# exist (table grants need their table: run this script again after `catalystwells migrate`).
readonly APP_DEVELOPERS_GRANTS=(
    "developers|SELECT (id, name, email, company, state, created_at, preferred_language), UPDATE (state, updated_at)"
    "developer_sessions|SELECT (developer_id), DELETE"
    "developer_account_transitions|SELECT, INSERT"
    "applications|SELECT, UPDATE (status, reason, name, description, homepage_url, privacy_policy_url, terms_url, logo_sha256, redirect_uris, requested_scopes, client_type, granted_scopes, approved_at, change_stage, change_reason, change_name, change_description, change_homepage_url, change_privacy_policy_url, change_terms_url, change_logo_sha256, change_redirect_uris, change_requested_scopes, change_client_type, data_declarations, change_data_declarations, client_authentication, change_client_authentication, openid_settings, change_openid_settings, lti_tool, change_lti_tool, version, sync_requested_at, updated_at)"
    "application_transitions|SELECT, INSERT"
    "application_logos|SELECT"
    "application_client_secrets|SELECT, UPDATE (last_used_at, attested_at)"
    "api_keys|SELECT, UPDATE (last_used_at, request_count, attested_at)"
    "webhook_endpoints|SELECT (id, application_id, events, enabled)"
    "webhook_deliveries|SELECT, INSERT"
    "application_daily_stats|SELECT, INSERT, UPDATE"
    "support_tickets|SELECT, UPDATE (status, updated_at)"
    "support_ticket_messages|SELECT, INSERT"
    "application_backchannel_logouts|SELECT, INSERT, UPDATE, DELETE"
)

# The developers pool's grants (DESIGN §4, issue 13 item 7): exactly what the portal, its sign-in, its
# second factor, the support desk and `webhooks deliver` run (the SQL of the MariaStore stores that
# CompositionRoot.portal builds: Maria{DeveloperAccount,DeveloperSession,DeveloperLink,DeveloperThrottle,
# Passkey (developer tables),Application,ApplicationLogo,ApplicationCredential,APIKey,Webhook,Analytics,SupportTicket,Health}Store).
# - The review log (application_transitions) is append-only: INSERT, never UPDATE or DELETE, and no DELETE on
#   applications or developers, whose deletion would cascade into the logs. developer_account_transitions
#   (suspensions) is written and read by the review panel only: no grant at all.
# - Credentials: a secret or key is inserted with its digest and never changed afterwards but for its
#   revocation; attested_at (the admin's confirmation, for display) is not the portal's to write. What main
#   accepts is decided in catalyst_main, which this account cannot reach.
# - applications: every state column, since a save replaces the reviewed state whole (ApplicationStateColumns);
#   never developer_id, client_id or created_at. Main trusts none of it without a review attestation.
# - INSERT … ON DUPLICATE KEY UPDATE needs UPDATE on every inserted column: the sign-in throttle's counters
#   (nothing in them is worth protecting) get table UPDATE; logos are inserted, then dated, in two statements.
# - DELETE only where the code deletes: sessions (sign-out, password change), sign-in throttle counters
#   (cleared on success), recovery codes (replaced), webhook endpoints (with their deliveries, by cascade), and
#   what `catalystwells purge --site developers` deletes: spent links and unreferenced logos (a logo an
#   application refers to cannot be deleted: the foreign keys refuse it).
# - teams (developers 0017): organisations are created, renamed by their owner or an admin (name) and stop
#   being personal (personal_of), but are never deleted here; members are added, change role and are removed; an invitation is only spent or
#   cancelled. The activity logs (developers 0020: application_events, organisation_events) are append-only:
#   INSERT and SELECT, never UPDATE or DELETE.
#   applications.organisation_id is set at creation and never updated: no app moves to another organisation.
# - leases: the developers site's cron jobs (webhooks, mail, purge) take, renew and release their lease there
#   (issue 18); rows are never deleted, so a fence never goes back.
readonly DEVELOPERS_GRANTS=(
    "schema_migrations|SELECT"
    "developers|SELECT, INSERT, UPDATE (state, password_hash, totp_secret_sealed, totp_enabled_at, totp_last_used_step, preferred_language, updated_at)"
    "developer_sessions|SELECT, INSERT, UPDATE (last_seen_at), DELETE"
    "developer_sign_in_throttle|SELECT, INSERT, UPDATE, DELETE"
    "developer_links|SELECT, INSERT, UPDATE (used_at), DELETE"
    "mail_outbox|SELECT, INSERT, UPDATE (next_attempt_at, attempts, last_error), DELETE"
    "leases|SELECT, INSERT, UPDATE"
    "developer_recovery_codes|SELECT, INSERT, UPDATE (used_at), DELETE"
    "developer_passkey_handles|SELECT, INSERT"
    "developer_passkeys|SELECT, INSERT, UPDATE (sign_count, backed_up, last_used_at), DELETE"
    "developer_passkey_challenge_uses|SELECT, INSERT, DELETE"
    "application_logos|SELECT, INSERT, UPDATE (uploaded_at, uploaded_by), DELETE"
    "applications|SELECT, INSERT, UPDATE (status, reason, name, description, homepage_url, privacy_policy_url, terms_url, logo_sha256, redirect_uris, requested_scopes, client_type, granted_scopes, approved_at, change_stage, change_reason, change_name, change_description, change_homepage_url, change_privacy_policy_url, change_terms_url, change_logo_sha256, change_redirect_uris, change_requested_scopes, change_client_type, data_declarations, change_data_declarations, client_authentication, change_client_authentication, openid_settings, change_openid_settings, lti_tool, change_lti_tool, version, sync_requested_at, updated_at)"
    "application_transitions|SELECT, INSERT"
    "application_client_secrets|SELECT, INSERT (application_id, secret_digest, created_at, created_by), UPDATE (revoked_at)"
    "api_keys|SELECT, INSERT (application_id, name, visible_prefix, key_digest, scopes, created_at, created_by), UPDATE (revoked_at)"
    "organisations|SELECT, INSERT, UPDATE (name, personal_of)"
    "organisation_members|SELECT, INSERT, UPDATE (role), DELETE"
    "organisation_invitations|SELECT, INSERT, UPDATE (accepted_at, accepted_by, cancelled_at, cancelled_by)"
    "application_events|SELECT, INSERT"
    "organisation_events|SELECT, INSERT"
    "webhook_endpoints|SELECT, INSERT, UPDATE (url, events, enabled, disabled_reason, failing_since, updated_at), DELETE"
    "webhook_deliveries|SELECT, INSERT, UPDATE (status, attempts, last_response_status, latency_ms, next_attempt_at, updated_at)"
    "webhook_delivery_attempts|SELECT, INSERT"
    "application_daily_stats|SELECT"
    "support_tickets|SELECT, INSERT, UPDATE (status, updated_at)"
    "support_ticket_messages|SELECT, INSERT"
    "application_backchannel_logouts|SELECT"
)

# Filled by main: "table.column" of every column the developers database has now.
declare -A EXISTING_COLUMNS=()

# existing_columns_only TABLE PRIVILEGES: PRIVILEGES ("SELECT, UPDATE (a, b)") less the columns TABLE does not have
# yet. The lists are written for the newest schema, and this script runs before `migrate` too (on an upgrade, or
# `deploy/dev/stack up` on an older stack): a grant naming a column a later migration adds would fail. A column
# privilege left with no column is dropped; the run after `migrate` grants the rest. Notes go to stderr.
existing_columns_only() {
    local table="$1" rest="$2" out="" name columns column kept missing="" list
    while [[ "$rest" =~ ^[[:space:]]*([^,\(]*[^,\([:space:]])[[:space:]]*(\(([^\)]*)\))?[[:space:]]*(,(.*))?$ ]]; do
        name="${BASH_REMATCH[1]}" columns="${BASH_REMATCH[3]}" rest="${BASH_REMATCH[5]}"
        if [[ -z "${BASH_REMATCH[2]}" ]]; then
            out+="${out:+, }$name"
        else
            kept=""
            IFS=',' read -ra list <<<"$columns"
            for column in "${list[@]}"; do
                column="${column//[[:space:]]/}"
                if [[ -n "${EXISTING_COLUMNS[$table.$column]:-}" ]]; then
                    kept+="${kept:+, }$column"
                else
                    missing+=" $column"
                fi
            done
            [[ -z "$kept" ]] || out+="${out:+, }$name ($kept)"
        fi
        [[ -n "$rest" ]] || break
    done
    if [[ -n "$missing" ]]; then
        echo "bootstrap: note: $table has no column${missing} yet; run this again after catalystwells migrate" >&2
    fi
    printf '%s' "$out"
}

# table_grants_sql USER DEV_DB EXISTING_TABLES... (the entries of APP_DEVELOPERS_GRANTS or DEVELOPERS_GRANTS)
table_grants_sql() {
    local user="$1" dev_db="$2" entry table privileges
    shift 2
    local -A existing=()
    for table in "$@"; do existing[$table]=1; done
    local list="APP_DEVELOPERS_GRANTS"
    if [[ "$user" == "$DEVELOPERS_USER" ]]; then
        list="DEVELOPERS_GRANTS"
        # The public portal's account starts from nothing every time, in the same batch as its grants, so an
        # install upgraded from database-wide grants loses them and nothing granted by hand survives.
        printf "REVOKE ALL PRIVILEGES, GRANT OPTION FROM '%s'@'%s';\n" "$user" "$ACCOUNT_HOST"
    fi
    local -n grants="$list"
    for entry in "${grants[@]}"; do
        table="${entry%%|*}"
        privileges="${entry#*|}"
        [[ -n "${existing[$table]:-}" ]] || continue
        privileges="$(existing_columns_only "$table" "$privileges")"
        [[ -n "$privileges" ]] || continue
        printf "GRANT %s ON \`%s\`.\`%s\` TO '%s'@'%s';\n" "$privileges" "$dev_db" "$table" "$user" "$ACCOUNT_HOST"
    done
}

# build_sql MAIN_DB DEV_DB RESET MIGRATOR_PW APP_PW DEV_PW (all already validated)
build_sql() {
    local main_db="$1" dev_db="$2" reset="$3" migrator_pw="$4" app_pw="$5" dev_pw="$6"
    local db
    for db in "$main_db" "$dev_db"; do
        printf 'CREATE DATABASE IF NOT EXISTS `%s` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;\n' "$db"
    done
    account_sql "$MIGRATOR_USER" "$migrator_pw" "$reset"
    account_sql "$APP_USER" "$app_pw" "$reset"
    account_sql "$DEVELOPERS_USER" "$dev_pw" "$reset"

    grant_sql "ALL PRIVILEGES" "$main_db" "$MIGRATOR_USER"
    grant_sql "ALL PRIVILEGES" "$dev_db" "$MIGRATOR_USER"
    # The app pool: full data rights on main. Its narrow table grants on the developers
    # database (read submissions, record review decisions, write analytics) are added
    # when those tables exist.
    grant_sql "SELECT, INSERT, UPDATE, DELETE, EXECUTE, CREATE TEMPORARY TABLES, LOCK TABLES" \
        "$main_db" "$APP_USER"
    # The developers pool: per-table grants on the developers database only (DEVELOPERS_GRANTS, added
    # when the tables exist); a breach of the public portal must not reach student data.
}

main() {
    local socket="" secrets="" main_db="catalyst_main" dev_db="catalyst_developers" reset="no"
    while (($#)); do
        case "$1" in
            -h | --help) usage; exit 0 ;;
            --reset-grants) reset="yes"; shift ;;
            --require-tls) REQUIRE_TLS="yes"; shift ;;
            --account-host)
                (($# >= 2)) || die "$1 needs a value"
                [[ "$2" =~ ^[A-Za-z0-9.%_:-]{1,255}$ ]] || die "--account-host: '$2' is not a host name, address or pattern"
                ACCOUNT_HOST="$2"
                shift 2
                ;;
            --socket | --secrets | --main-db | --developers-db)
                (($# >= 2)) || die "$1 needs a value"
                case "$1" in
                    --socket) socket="$2" ;;
                    --secrets) secrets="$2" ;;
                    --main-db) main_db="$2" ;;
                    --developers-db) dev_db="$2" ;;
                esac
                shift 2
                ;;
            *) usage >&2; die "unknown argument: $1" ;;
        esac
    done
    [[ -n "$socket" ]] || die "--socket is required (see --help)"
    [[ -n "$secrets" ]] || die "--secrets is required (see --help)"
    [[ -S "$socket" ]] || die "no MariaDB socket at $socket (is the server running?)"
    [[ -d "$secrets" ]] || die "secrets directory $secrets does not exist"
    check_db_name --main-db "$main_db"
    check_db_name --developers-db "$dev_db"
    [[ "$main_db" != "$dev_db" ]] || die "--main-db and --developers-db must differ"

    local migrator_pw="" app_pw="" dev_pw="" sql
    read_password "$secrets/db-migrator.password" migrator_pw
    read_password "$secrets/db-app.password" app_pw
    read_password "$secrets/db-developers.password" dev_pw
    sql="$(build_sql "$main_db" "$dev_db" "$reset" "$migrator_pw" "$app_pw" "$dev_pw")"
    # The SQL goes through stdin, so no password appears in a process list.
    if ! mariadb --no-defaults --socket="$socket" -u root --batch <<<"$sql"; then
        die "MariaDB refused the bootstrap SQL (run this as the OS root user?)"
    fi
    local tables
    tables="$(mariadb --no-defaults --socket="$socket" -u root --batch --skip-column-names \
        -e "SELECT table_name FROM information_schema.tables WHERE table_schema = '$dev_db'")"
    local column
    while read -r column; do
        [[ -z "$column" ]] || EXISTING_COLUMNS[$column]=1
    done < <(mariadb --no-defaults --socket="$socket" -u root --batch --skip-column-names \
        -e "SELECT CONCAT(table_name, '.', column_name) FROM information_schema.columns WHERE table_schema = '$dev_db'")
    # shellcheck disable=SC2086 # one table name per word
    sql="$(table_grants_sql "$APP_USER" "$dev_db" $tables)"
    if [[ -n "$sql" ]] && ! mariadb --no-defaults --socket="$socket" -u root --batch <<<"$sql"; then
        die "MariaDB refused the app pool's grants on $dev_db"
    fi
    local dev_sql
    # shellcheck disable=SC2086 # one table name per word
    dev_sql="$(table_grants_sql "$DEVELOPERS_USER" "$dev_db" $tables)"
    if ! mariadb --no-defaults --socket="$socket" -u root --batch <<<"$dev_sql"; then
        die "MariaDB refused the developers pool's grants on $dev_db"
    fi

    echo "bootstrap: databases $main_db, $dev_db (utf8mb4_unicode_ci)"
    echo "bootstrap: $MIGRATOR_USER@$ACCOUNT_HOST: ALL on $main_db, $dev_db"
    echo "bootstrap: $APP_USER@$ACCOUNT_HOST: data rights on $main_db; $(grep -c . <<<"$sql") table grants on $dev_db"
    echo "bootstrap: $DEVELOPERS_USER@$ACCOUNT_HOST: $(grep -c '^GRANT' <<<"$dev_sql") table grants on $dev_db only"
    if [[ "$reset" == yes ]]; then
        echo "bootstrap: grants reset to exactly the above"
    fi
}

main "$@"
