"""The whole original-design flow, end to end: a developer submits an app, a platform admin approves
it in the review panel, sync carries it into the main database, the developer generates a secret, and a real
OAuth client library completes the authorization-code flow with it. Then secret rotation, suspension,
idempotency, single-flight, a crash half-way, and analytics.
"""
import base64
import hashlib
import hmac
import os
import re
import subprocess
import time

import pytest

from two_step import pass_code_step

from oauth_client import REDIRECT_URI, DemoClient
from test_education_api import sql
from portal import APP, PASSWORD, create_app, csrf_of, declarations, multipart, png, post_form, sign_up_verified, wait_for_mail
from test_webhook_delivery import receiver  # noqa: F401 - the local HTTPS receiver fixture

SCOPE = "openid profile.read"
SECRET = re.compile(r'<code class="secret" id="new-secret">([^<]+)</code>')


def mariadb(stack, sql):
    out = subprocess.run(["mariadb", "--no-defaults", f"--socket={stack.mariadb_socket}", "-u", "root", "--batch",
                          "--skip-column-names", "-e", sql], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def cron(stack, path="/internal/cron/sync", secret=None):
    """POSTs to a cron endpoint as cron does: over loopback, with the bearer secret."""
    token = secret or (stack.dir / "secrets" / "cron.secret").read_text().strip()
    with stack.session() as s:
        return s.post(stack.url("app", path), headers={"Authorization": f"Bearer {token}"}, timeout=60)


def sync(stack):
    answer = cron(stack)
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.fixture(scope="module")
def admin(stack, demo):
    s = stack.session()
    answer = post_form(s, stack.url("app", "/login"), {"identifier": demo["platform_admin"]["email"],
                                                        "password": demo["platform_admin"]["password"]})
    answer = pass_code_step(stack, s, answer, demo["platform_admin"]["email"])
    assert answer.status_code == 303, answer.text
    return s


def decide(stack, admin, app_id, action, **fields):
    page = admin.get(stack.url("app", f"/platform/apps/{app_id}"))
    assert page.status_code == 200, page.text
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    return admin.post(stack.url("app", f"/platform/apps/{app_id}/{action}"),
                      data={"csrf": csrf_of(page.text), "version": version, **fields}, allow_redirects=False)


def submitted_app(stack, mail_dir, label, scopes=("openid", "profile.read"), logo=None):
    developer, address = sign_up_verified(stack, mail_dir, label)
    if logo:
        page = developer.get(stack.url("developers", "/apps/new"))
        created = developer.post(stack.url("developers", "/apps"), allow_redirects=False,
                                 files=multipart({**APP, **declarations(scopes), "csrf": csrf_of(page.text), "client_type": "confidential",
                                                  "redirect_uris": REDIRECT_URI, "scopes": list(scopes)})
                                 + [("logo", ("logo.png", logo, "image/png"))])
        assert created.status_code == 303, created.text
        path = created.headers["Location"].split("?")[0]
    else:
        path = create_app(developer, stack, redirect_uris=REDIRECT_URI, scopes=list(scopes), client_type="confidential")
    page = developer.get(stack.url("developers", path))
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    answer = developer.post(stack.url("developers", path + "/submit"), data={"csrf": csrf_of(page.text), "version": version},
                            allow_redirects=False)
    assert answer.status_code == 303, answer.text
    client_id = re.search(r"cw_app_[a-z2-7]+", developer.get(stack.url("developers", path)).text)
    return developer, address, path, int(path.rsplit("/", 1)[1])


def approved_app(stack, mail_dir, admin, label, scopes=("openid", "profile.read"), logo=None):
    developer, address, path, app_id = submitted_app(stack, mail_dir, label, scopes, logo)
    answer = decide(stack, admin, app_id, "approve", scopes=list(scopes))
    assert answer.status_code == 303, answer.text
    report = sync(stack)
    assert report["status"] == "ok"
    credentials = developer.get(stack.url("developers", path + "/credentials"))
    client_id = re.search(r'id="client-id">([^<]+)<', credentials.text).group(1)
    return developer, address, path, app_id, client_id


WAITING = re.compile(r'<tr data-credential="(\w+)-(\d+)"><td><a href="/platform/apps/(\d+)">.*?'
                     r'<form class="inline" method="post" action="([^"]+/confirm)">.*?name="digest" value="([0-9a-f]{64})"',
                     re.DOTALL)


def waiting_credentials(stack, admin):
    """The credentials the review panel lists for confirmation: (kind, id, app id, form action, digest)."""
    page = admin.get(stack.url("app", "/platform"))
    assert page.status_code == 200, page.text
    return [(kind, int(cid), int(app), action, digest) for kind, cid, app, action, digest in WAITING.findall(page.text)], page.text


def confirm_credentials(stack, admin, app_id):
    """A platform admin confirms every new secret and key of the app on the review panel."""
    waiting, page = waiting_credentials(stack, admin)
    mine = [w for w in waiting if w[2] == app_id]
    assert mine, f"nothing of app {app_id} waits for confirmation"
    for _, _, _, action, digest in mine:
        answer = admin.post(stack.url("app", action), data={"csrf": csrf_of(page), "digest": digest}, allow_redirects=False)
        assert answer.status_code == 303, answer.text
    return len(mine)


def new_secret(stack, developer, path, admin=None):
    """A new client secret, confirmed by the platform admin when one is given (so the next sync carries it)."""
    page = developer.get(stack.url("developers", path + "/credentials"))
    answer = developer.post(stack.url("developers", path + "/secrets"), data={"csrf": csrf_of(page.text)})
    assert answer.status_code == 200, answer.text
    if admin is not None:
        assert "waiting for confirmation" in answer.text
        confirm_credentials(stack, admin, int(path.rsplit("/", 1)[1]))
    return SECRET.search(answer.text).group(1)


def introspect(stack, client_id, secret, token):
    with stack.session() as s:
        return s.post(stack.url("app", "/api/oauth/introspect"), data={"token": token}, auth=(client_id, secret), timeout=10)


def person(demo, username):
    return next(p for p in demo["students"] if p["username"] == username)


def test_submit_approve_sync_and_sign_a_user_in_with_a_real_oauth_client(stack, demo, mail_dir, admin, browser, oauth):
    developer, address, path, app_id, client_id = approved_app(stack, mail_dir, admin, "flow", logo=png())
    # The developer was told by mail, and the review log shows the decision.
    mails = [m for m in mail_dir.glob("*.eml") if address in m.read_text(errors="replace")]
    assert any("is approved" in m.read_text(errors="replace") for m in mails)
    assert "submitted → approved" in developer.get(stack.url("developers", path)).text

    secret = new_secret(stack, developer, path, admin)
    assert secret.startswith("cw_cs_")
    assert sync(stack)["clients_changed"] >= 1

    client = DemoClient(client_id, secret, REDIRECT_URI)
    flow = oauth.flow(client, SCOPE)
    assert flow.open(browser, person(demo, "student20")), "the consent page was not shown"
    # The reviewed logo, served by the app site itself (its CSP allows only its own origin for images).
    logo = browser.find("#app-logo").get_attribute("src")
    assert logo.startswith(stack.app_url + "/logos/")
    with stack.session() as s:
        served = s.get(logo)
    assert served.status_code == 200 and served.headers["Content-Type"] == "image/png" and served.content == png()
    flow.answer(browser)
    token = flow.exchange()
    claims = oauth.verify_id_token(token["id_token"], client, flow.nonce)
    # A third-party app registered through the portal sees a pairwise subject (OIDC Core §8): 43 characters of
    # base64url, not the student's id, the same in the ID token and introspection.
    assert claims["aud"] == client_id
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", claims["sub"]) and claims["sub"] != str(person(demo, "student20")["id"])
    active = introspect(stack, client_id, secret, token["access_token"]).json()
    assert active["active"] is True and active["sub"] == claims["sub"]
    with stack.session() as s:
        info = s.get(stack.url("app", "/api/oauth/userinfo"), headers={"Authorization": f"Bearer {token['access_token']}"}, timeout=10)
    assert info.status_code == 200 and info.json()["sub"] == claims["sub"]
    assert sql(stack, f"SELECT subject_type FROM oauth_clients WHERE client_id = '{client_id}'") == [["pairwise"]]


def test_secret_rotation_keeps_both_secrets_working_then_only_the_new_one(stack, mail_dir, admin):
    developer, _, path, _, client_id = approved_app(stack, mail_dir, admin, "rotate")
    first = new_secret(stack, developer, path, admin)
    sync(stack)
    assert introspect(stack, client_id, first, "cw_at_unknown").status_code == 200
    second = new_secret(stack, developer, path, admin)
    sync(stack)
    # The credentials page tells which secret is still in use: the first was used (last use came back with
    # sync), the second not yet.
    rows = re.findall(r'<tr data-secret-id="\d+" class="active"><td>[^<]*</td>\s*<td>([^<]*)</td>',
                      developer.get(stack.url("developers", path + "/credentials")).text)
    assert len(rows) == 2 and rows[0] == "never" and rows[1] != "never", rows
    for secret in (first, second):
        assert introspect(stack, client_id, secret, "cw_at_unknown").status_code == 200
    # A third is refused while two are active.
    page = developer.get(stack.url("developers", path + "/credentials"))
    assert developer.post(stack.url("developers", path + "/secrets"), data={"csrf": csrf_of(page.text)}).status_code == 409
    # Revoke the first (the oldest row is listed last).
    secret_id = re.findall(r'data-secret-id="(\d+)"', page.text)[-1]
    revoked = post_form(developer, stack.url("developers", f"{path}/secrets/{secret_id}/revoke"), {},
                        page_url=stack.url("developers", path + "/credentials"))
    assert revoked.status_code == 303
    sync(stack)
    assert introspect(stack, client_id, first, "cw_at_unknown").status_code == 401
    assert introspect(stack, client_id, second, "cw_at_unknown").status_code == 200


def test_suspension_ends_every_token_of_the_app_within_one_sync(stack, demo, mail_dir, admin, browser, oauth):
    developer, _, path, app_id, client_id = approved_app(stack, mail_dir, admin, "suspend", scopes=("openid", "profile.read", "offline_access"))
    secret = new_secret(stack, developer, path, admin)
    sync(stack)
    # offline_access: the grant gets a refresh token too, which the suspension must end with the access token.
    flow = oauth.flow(DemoClient(client_id, secret, REDIRECT_URI), SCOPE + " offline_access")
    flow.authorize(browser, person(demo, "student21"))
    token = flow.exchange()
    with stack.session() as s:
        assert s.get(oauth["userinfo_endpoint"], headers={"Authorization": f"Bearer {token['access_token']}"}).status_code == 200

    assert decide(stack, admin, app_id, "suspend", reason="Sends pupils' data to an ad network.").status_code == 303
    report = sync(stack)
    assert report["tokens_revoked"] >= 2, report  # the access and the refresh token
    with stack.session() as s:
        answer = s.get(oauth["userinfo_endpoint"], headers={"Authorization": f"Bearer {token['access_token']}"})
    assert answer.status_code == 401
    assert "Suspended" in developer.get(stack.url("developers", path)).text

    # Reinstated: the client works again for new sign-ins (old tokens stay revoked).
    assert decide(stack, admin, app_id, "reinstate").status_code == 303
    sync(stack)
    assert introspect(stack, client_id, secret, token["access_token"]).json()["active"] is False


def test_a_decision_on_an_app_that_changed_meanwhile_is_a_conflict(stack, mail_dir, admin):
    developer, _, path, app_id = submitted_app(stack, mail_dir, "conflict")
    page = admin.get(stack.url("app", f"/platform/apps/{app_id}"))
    stale_version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    # The developer withdraws it meanwhile.
    dev_page = developer.get(stack.url("developers", path))
    version = re.search(r'name="version" value="(\d+)"', dev_page.text).group(1)
    assert developer.post(stack.url("developers", path + "/withdraw"), data={"csrf": csrf_of(dev_page.text), "version": version},
                          allow_redirects=False).status_code == 303
    answer = admin.post(stack.url("app", f"/platform/apps/{app_id}/approve"),
                        data={"csrf": csrf_of(page.text), "version": stale_version, "scopes": "openid"}, allow_redirects=False)
    assert answer.status_code == 409
    assert "changed since you opened it" in answer.text
    assert "draft" in developer.get(stack.url("developers", path)).text


def checksums(stack):
    return mariadb(stack, "CHECKSUM TABLE catalyst_main.oauth_clients, catalyst_main.oauth_client_redirect_uris, "
                          "catalyst_main.oauth_client_secrets, catalyst_main.api_keys, catalyst_main.oauth_tokens, "
                          "catalyst_main.oauth_grants, catalyst_main.sync_state, catalyst_main.webhook_outbox, "
                          "catalyst_developers.applications, catalyst_developers.application_daily_stats, "
                          "catalyst_developers.webhook_deliveries")


def main_client(stack, client_id):
    return mariadb(stack, "SELECT c.status, c.allowed_scopes, GROUP_CONCAT(u.uri ORDER BY u.position) "
                          "FROM catalyst_main.oauth_clients c JOIN catalyst_main.oauth_client_redirect_uris u ON u.client_pk = c.id "
                          f"WHERE c.client_id = '{client_id}' GROUP BY c.id")


def test_what_only_the_developers_database_says_never_reaches_main(stack, mail_dir, admin):
    developer, _, path, app_id, client_id = approved_app(stack, mail_dir, admin, "tamper")
    secret = new_secret(stack, developer, path, admin)
    sync(stack)
    assert introspect(stack, client_id, secret, "cw_at_unknown").status_code == 200
    approved = main_client(stack, client_id)
    assert approved == f"active\topenid profile.read\t{REDIRECT_URI}"
    # Someone who can write the developers database alone (a flaw in the portal, a hand edit) points the app's
    # codes at their own host, widens its scopes, and asks for a sync.
    mariadb(stack, "UPDATE catalyst_developers.applications SET redirect_uris = 'https://evil.example/cb', "
                   "granted_scopes = 'openid profile.read student.grades.read', sync_requested_at = NOW(6) "
                   f"WHERE id = {app_id}")
    report = sync(stack)
    assert (report["status"], report["apps_refused_unattested"], report["apps_applied"]) == ("partial", 1, 0), report
    assert main_client(stack, client_id) == approved
    assert "not the one last decided on here" in admin.get(stack.url("app", f"/platform/apps/{app_id}")).text
    # What only takes access away still goes through: the developer revokes the secret, and it stops working.
    page = developer.get(stack.url("developers", path + "/credentials"))
    secret_id = re.findall(r'data-secret-id="(\d+)"', page.text)[0]
    assert post_form(developer, stack.url("developers", f"{path}/secrets/{secret_id}/revoke"), {},
                     page_url=stack.url("developers", path + "/credentials")).status_code == 303
    assert sync(stack)["apps_refused_unattested"] == 1
    assert introspect(stack, client_id, secret, "cw_at_unknown").status_code == 401
    assert main_client(stack, client_id) == approved
    # A submitted app someone marked approved there never becomes a client at all.
    _, _, _, rogue_id = submitted_app(stack, mail_dir, "rogue")
    rogue_client = mariadb(stack, f"SELECT client_id FROM catalyst_developers.applications WHERE id = {rogue_id}")
    mariadb(stack, "UPDATE catalyst_developers.applications SET status = 'approved', granted_scopes = requested_scopes, "
                   f"approved_at = NOW(6), sync_requested_at = NOW(6) WHERE id = {rogue_id}")
    report = sync(stack)
    assert report["apps_refused_unattested"] == 2, report
    assert mariadb(stack, f"SELECT COUNT(*) FROM catalyst_main.oauth_clients WHERE client_id = '{rogue_client}'") == "0"
    # Nor can a "suspended" row that names the demo client's id touch the demo client.
    demo_client = "demo-confidential"
    before = mariadb(stack, f"SELECT status, IFNULL(developer_app_id, '-'), first_party FROM catalyst_main.oauth_clients "
                            f"WHERE client_id = '{demo_client}'")
    mariadb(stack, f"UPDATE catalyst_developers.applications SET status = 'suspended', reason = 'x', client_id = '{demo_client}', "
                   f"sync_requested_at = NOW(6) WHERE id = {rogue_id}")
    sync(stack)
    assert mariadb(stack, f"SELECT status, IFNULL(developer_app_id, '-'), first_party FROM catalyst_main.oauth_clients "
                          f"WHERE client_id = '{demo_client}'") == before
    mariadb(stack, f"UPDATE catalyst_developers.applications SET client_id = '{rogue_client}', status = 'approved', reason = NULL, "
                   f"sync_requested_at = NOW(6) WHERE id = {rogue_id}")
    # A suspension needs no decision to apply (it only takes access away): the admin suspends both from the
    # panel, sync applies it, and the refusals stop.
    for target in (app_id, rogue_id):
        assert decide(stack, admin, target, "suspend", reason="Changed outside review.").status_code == 303
    report = sync(stack)
    assert (report["status"], report["apps_refused_unattested"]) == ("ok", 0), report
    assert main_client(stack, client_id).startswith("suspended\t")
    assert "not the one last decided on here" not in admin.get(stack.url("app", f"/platform/apps/{app_id}")).text


def as_developers_pool(stack, sql):
    """Runs SQL as the developers pool's own MariaDB account: what whoever took the portal over can do."""
    password = (stack.dir / "secrets" / "db-developers.password").read_text().strip()
    return subprocess.run(["mariadb", "--no-defaults", f"--socket={stack.mariadb_socket}", "-u", "catalyst_dev", "--batch",
                           "--skip-column-names", "catalyst_developers", "-e", sql],
                          capture_output=True, text=True, timeout=30, env={**os.environ, "MYSQL_PWD": password})


def secret_digest(stack, secret):
    """HMAC-SHA256 of a client secret under the key derived from credentials.key, which the developers pool reads
    (HKDF-SHA256 without salt, as CredentialKeyMaterial derives it)."""
    ikm = bytes.fromhex((stack.dir / "secrets" / "credentials.key").read_text().strip())
    prk = hmac.new(b"\0" * 32, ikm, hashlib.sha256).digest()
    key = hmac.new(prk, b"catalystwells client-secret digests v1\x01", hashlib.sha256).digest()
    return hmac.new(key, secret.encode(), hashlib.sha256).hexdigest()


def test_a_taken_over_developers_pool_cannot_mint_a_secret_or_rewrite_the_review_log(stack, mail_dir, admin):
    developer, _, path, app_id, client_id = approved_app(stack, mail_dir, admin, "takeover")
    honest = new_secret(stack, developer, path, admin)
    sync(stack)
    assert introspect(stack, client_id, honest, "cw_at_unknown").status_code == 200
    # The attacker holds what the pool holds, the credential key included, so their digest is a correct one.
    stored = mariadb(stack, f"SELECT LOWER(HEX(secret_digest)) FROM catalyst_developers.application_client_secrets "
                            f"WHERE application_id = {app_id}")
    assert stored == secret_digest(stack, honest)
    forged = "cw_cs_" + base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
    out = as_developers_pool(stack, "INSERT INTO application_client_secrets (application_id, secret_digest, created_at) "
                                    f"VALUES ({app_id}, UNHEX('{secret_digest(stack, forged)}'), NOW(6)); "
                                    f"UPDATE applications SET sync_requested_at = NOW(6) WHERE id = {app_id}")
    assert out.returncode == 0, out.stderr
    report = sync(stack)
    assert (report["status"], report["credentials_unconfirmed"]) == ("ok", 1), report
    assert introspect(stack, client_id, forged, "cw_at_unknown").status_code == 401
    assert introspect(stack, client_id, honest, "cw_at_unknown").status_code == 200
    # It waits on the panel like any new secret; an admin who did not hear of it from the developer leaves it.
    waiting, page = waiting_credentials(stack, admin)
    mine = [w for w in waiting if w[2] == app_id]
    assert [w[0] for w in mine] == ["client_secret"]
    # A confirmation names the digest the admin was shown: another one (the row changed meanwhile) is refused,
    # and so is an unknown credential or kind.
    action = mine[0][3]
    for target, digest, status in ((action, "00" * 32, 409), (action, "not-hex", 409),
                                   ("/platform/credentials/client_secret/999999/confirm", mine[0][4], 409),
                                   ("/platform/credentials/password/1/confirm", mine[0][4], 404)):
        answer = admin.post(stack.url("app", target), data={"csrf": csrf_of(page), "digest": digest}, allow_redirects=False)
        assert answer.status_code == status, (target, answer.status_code, answer.text)
    sync(stack)
    assert introspect(stack, client_id, forged, "cw_at_unknown").status_code == 401
    # The pool's account cannot confirm it itself, rewrite or erase the review log (directly, or by deleting the
    # app it cascades from), read the suspension log, or reach the main database.
    log_before = mariadb(stack, f"SELECT COUNT(*), MAX(actor_kind) FROM catalyst_developers.application_transitions WHERE application_id = {app_id}")
    for sql in (f"UPDATE application_client_secrets SET attested_at = NOW(6) WHERE application_id = {app_id}",
                "INSERT INTO api_keys (application_id, name, visible_prefix, key_digest, scopes, created_at, attested_at) "
                f"VALUES ({app_id}, 'k', 'cw_key_x', UNHEX(REPEAT('ab', 32)), 'school.read', NOW(6), NOW(6))",
                f"UPDATE application_client_secrets SET secret_digest = UNHEX(REPEAT('cd', 32)) WHERE application_id = {app_id}",
                f"UPDATE application_transitions SET actor_kind = 'developer' WHERE application_id = {app_id}",
                f"DELETE FROM application_transitions WHERE application_id = {app_id}",
                f"DELETE FROM applications WHERE id = {app_id}",
                f"UPDATE applications SET client_id = 'demo-confidential' WHERE id = {app_id}",
                "SELECT COUNT(*) FROM developer_account_transitions",
                "SELECT COUNT(*) FROM catalyst_main.credential_attestations"):
        out = as_developers_pool(stack, sql)
        assert out.returncode != 0 and "denied" in out.stderr, (sql, out.stdout, out.stderr)
    assert mariadb(stack, f"SELECT COUNT(*), MAX(actor_kind) FROM catalyst_developers.application_transitions WHERE application_id = {app_id}") == log_before


def test_a_second_sync_with_nothing_new_changes_nothing(stack, mail_dir, admin):
    approved_app(stack, mail_dir, admin, "idem")
    sync(stack)
    # Earlier tests' API calls reach the usage figures only once settled: SyncRun.usageSettleSeconds (5) after their
    # access-log rows were written. Past it, a sync folds the last of them, and the run after it has nothing new
    # (without this wait the rows that settled between the two runs made it flaky).
    time.sleep(6)
    sync(stack)
    before = checksums(stack)
    report = sync(stack)
    assert (report["apps_applied"], report["clients_changed"], report["deliveries_queued"]) == (0, 0, 0), report
    assert checksums(stack) == before


def test_a_sync_while_another_host_holds_the_lease_answers_200_skipped_at_once(stack):
    # Another host's run holds the sync lease (main's leases table, issue 18), as a run in progress would.
    mariadb(stack, "INSERT INTO catalyst_main.leases (name, holder, fence, acquired_at, expires_at, duration_ms) "
                   "VALUES ('sync', 'other-host/1/e2e', 1, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) + INTERVAL 30 SECOND, 30000) "
                   "ON DUPLICATE KEY UPDATE holder = 'other-host/1/e2e', fence = fence + 1, "
                   "expires_at = UTC_TIMESTAMP(6) + INTERVAL 30 SECOND")
    fence = int(mariadb(stack, "SELECT fence FROM catalyst_main.leases WHERE name = 'sync'"))
    try:
        started = time.monotonic()
        busy = cron(stack)
        # cron may call every host: the loser answers 200 at once and does nothing.
        assert busy.status_code == 200, busy.text
        assert busy.json()["status"] == "skipped" and busy.json()["reason"] == "lease_held", busy.json()
        assert time.monotonic() - started < 3, "a busy sync must answer at once, not wait for the lease"
    finally:
        mariadb(stack, "UPDATE catalyst_main.leases SET expires_at = UTC_TIMESTAMP(6) WHERE name = 'sync'")
    assert "apps_applied" in sync(stack)
    # The next run took the lease with a greater fence, and released it.
    assert int(mariadb(stack, "SELECT fence FROM catalyst_main.leases WHERE name = 'sync'")) == fence + 1
    assert mariadb(stack, "SELECT expires_at <= UTC_TIMESTAMP(6) FROM catalyst_main.leases WHERE name = 'sync'") == "1"


def test_cron_endpoints_answer_404_without_the_secret(stack):
    assert cron(stack, secret="not-the-secret-" + "x" * 40).status_code == 404
    with stack.session() as s:
        assert s.post(stack.url("app", "/internal/cron/sync")).status_code == 404


def test_a_sync_killed_half_way_is_completed_by_the_next_one(stack, mail_dir, admin):
    _, _, path, app_id = submitted_app(stack, mail_dir, "crash")
    assert decide(stack, admin, app_id, "approve", scopes=["openid", "profile.read"]).status_code == 303
    env = dict(os.environ, CATALYSTWELLS_SYNC_TEST_FAULT="after_main_commit")
    binary = os.environ.get("CW_BIN") or str(stack.dir.parent.parent / ".build" / "release" / "catalystwells")
    crashed = subprocess.run([binary, "sync", "--config", str(stack.dir / "catalystwells.conf")], env=env,
                             capture_output=True, text=True, timeout=60)
    assert crashed.returncode == 70, crashed.stderr
    # Main has the client; the developers database still asks for a sync.
    assert mariadb(stack, f"SELECT COUNT(*) FROM catalyst_main.oauth_clients WHERE developer_app_id = {app_id}") == "1"
    assert mariadb(stack, f"SELECT sync_requested_at IS NOT NULL FROM catalyst_developers.applications WHERE id = {app_id}") == "1"
    # The killed run still holds the sync lease, until it expires (MariaSyncTargetStore.leaseDuration, 120 s); as
    # a host would after that time, the next run takes it over.
    assert mariadb(stack, "SELECT expires_at > UTC_TIMESTAMP(6) FROM catalyst_main.leases WHERE name = 'sync'") == "1"
    mariadb(stack, "UPDATE catalyst_main.leases SET expires_at = UTC_TIMESTAMP(6) WHERE name = 'sync'")
    report = sync(stack)
    assert report["sync_requests_cleared"] >= 1
    assert mariadb(stack, f"SELECT sync_requested_at IS NULL FROM catalyst_developers.applications WHERE id = {app_id}") == "1"
    assert mariadb(stack, f"SELECT COUNT(*) FROM catalyst_main.oauth_clients WHERE developer_app_id = {app_id}") == "1"


def test_analytics_show_exactly_the_api_calls_made(stack, demo, mail_dir, admin, browser, oauth):
    developer, _, path, _, client_id = approved_app(stack, mail_dir, admin, "analytics")
    secret = new_secret(stack, developer, path, admin)
    sync(stack)
    flow = oauth.flow(DemoClient(client_id, secret, REDIRECT_URI), SCOPE)
    flow.authorize(browser, person(demo, "student22"))
    token = flow.exchange()
    calls = 7
    with stack.session() as s:
        for _ in range(calls):
            assert s.get(stack.url("app", "/api/v1/me"), headers={"Authorization": f"Bearer {token['access_token']}"}).status_code == 200

    def figures():
        sync(stack)
        csv = developer.get(stack.url("developers", path + "/analytics.csv")).text.strip().splitlines()
        return csv[1].split(",") if len(csv) == 2 else None

    # Sync counts access-log rows once they are a few seconds old (they are written in batches).
    row = stack.wait_until(lambda: (lambda r: r if r and r[1] == str(calls) else None)(figures()), timeout=45, interval=1,
                           what=f"{calls} API requests in the analytics")
    # day, API requests, authorizations, active users, new users, errors
    assert row[1:] == [str(calls), "1", "1", "1", "0"], row
    page = developer.get(stack.url("developers", path + "/analytics")).text
    assert "<svg" in page and "no-analytics" not in page


KEY = re.compile(r'<code class="secret" id="new-key">([^<]+)</code>')


def test_an_api_key_reads_school_data_after_sync_and_its_use_comes_back(stack, demo, mail_dir, admin):
    developer, _, path, _, _ = approved_app(stack, mail_dir, admin, "apikey", scopes=("openid", "school.read"))
    page = developer.get(stack.url("developers", path + "/keys"))
    created = developer.post(stack.url("developers", path + "/keys"),
                             data={"csrf": csrf_of(page.text), "name": "nightly import", "scopes": "school.read"})
    assert created.status_code == 200, created.text
    key = KEY.search(created.text).group(1)
    assert key.startswith("cw_key_")
    # Not before a platform admin confirmed it: the sync leaves it out.
    assert sync(stack)["credentials_unconfirmed"] == 1
    with stack.session() as s:
        assert s.get(stack.url("app", "/api/v1/schools/1"), headers={"Authorization": f"Bearer {key}"}).status_code == 401
    confirm_credentials(stack, admin, int(path.rsplit("/", 1)[1]))
    assert "in force" in developer.get(stack.url("developers", path + "/keys")).text
    school = demo["teachers"][0]["id"] and 1
    with stack.session() as s:
        assert s.get(stack.url("app", f"/api/v1/schools/{school}"), headers={"Authorization": f"Bearer {key}"}).status_code == 401
        sync(stack)
        for _ in range(3):
            answer = s.get(stack.url("app", f"/api/v1/schools/{school}"), headers={"Authorization": f"Bearer {key}"})
            assert answer.status_code == 200, answer.text
        # A key acts for the app alone: no user data.
        assert s.get(stack.url("app", "/api/v1/me"), headers={"Authorization": f"Bearer {key}"}).status_code in (401, 403)

    def count():
        sync(stack)
        match = re.search(r'<td>(\d+)</td><td>in force</td><td><form class="inline" method="post" action="[^"]*/revoke"',
                          developer.get(stack.url("developers", path + "/keys")).text)
        return match and int(match.group(1)) >= 4 and match.group(1)
    # Four requests: three reads and the refused /me (refused calls are logged and counted too).
    assert stack.wait_until(count, timeout=45, interval=1, what="the key's request count on the keys page") == "4"

    # Revoked on the portal: refused after the next sync.
    keys_page = developer.get(stack.url("developers", path + "/keys")).text
    key_id = re.search(r'data-key-id="(\d+)"', keys_page).group(1)
    assert post_form(developer, stack.url("developers", f"{path}/keys/{key_id}/revoke"), {},
                     page_url=stack.url("developers", path + "/keys")).status_code == 303
    sync(stack)
    with stack.session() as s:
        assert s.get(stack.url("app", f"/api/v1/schools/{school}"), headers={"Authorization": f"Bearer {key}"}).status_code == 401


def test_events_reach_the_apps_webhook_signed_after_sync_and_delivery(stack, demo, mail_dir, admin, browser, oauth, receiver):
    """The whole loop of review, sync and webhook delivery: a user authorizes the app (main database), sync hands
    the event to the developers database, the delivery run posts it signed; a suspension in the review panel is
    announced the same way."""
    from standardwebhooks.webhooks import Webhook
    from test_webhook_delivery import add_endpoint, run_cron

    developer, _, path, app_id, client_id = approved_app(stack, mail_dir, admin, "events")
    endpoint_path, signing_secret = add_endpoint(
        stack, developer, path, receiver.url("/events"), events=("authorization.granted", "app.suspended"))
    secret = new_secret(stack, developer, path, admin)
    sync(stack)
    flow = oauth.flow(DemoClient(client_id, secret, REDIRECT_URI), SCOPE)
    flow.authorize(browser, person(demo, "student23"))
    assert sync(stack)["deliveries_queued"] == 1
    run_cron(stack)
    [(_, headers, body)] = receiver.received("/events")
    payload = Webhook(signing_secret).verify(body, {k: headers[k] for k in ("webhook-id", "webhook-timestamp", "webhook-signature")})
    assert payload["type"] == "authorization.granted" and payload["data"] == {"client_id": client_id}

    assert decide(stack, admin, app_id, "suspend", reason="Testing the announcement.").status_code == 303
    run_cron(stack)
    types = [Webhook(signing_secret).verify(b, h)["type"] for _, h, b in receiver.received("/events")]
    assert types == ["authorization.granted", "app.suspended"]


def test_staff_answer_a_ticket_from_the_panel_and_the_developer_is_told(stack, mail_dir, admin):
    developer, address = sign_up_verified(stack, mail_dir, "ticket-staff")
    opened = post_form(developer, stack.url("developers", "/support"),
                       {"subject": "Review status", "category": "review", "application": "", "message": "When will my app be reviewed?"},
                       page_url=stack.url("developers", "/support/new"))
    assert opened.status_code == 303
    ticket_path = opened.headers["Location"].split("?")[0]
    ticket_id = ticket_path.rsplit("/", 1)[1]
    assert f'data-ticket-id="{ticket_id}"' in admin.get(stack.url("app", "/platform/tickets")).text
    answer = post_form(admin, stack.url("app", f"/platform/tickets/{ticket_id}/reply"), {"message": "Within two school days."},
                       page_url=stack.url("app", f"/platform/tickets/{ticket_id}"))
    assert answer.status_code == 303, answer.text
    thread = developer.get(stack.url("developers", ticket_path)).text
    assert "Within two school days." in thread and "answered" in thread
    mails = [m.read_text(errors="replace") for m in mail_dir.glob("*.eml") if address in m.read_text(errors="replace")]
    assert any("Within two school days." in m for m in mails)


def test_an_admin_suspends_a_developer_account_which_ends_its_sessions_until_reinstated(stack, mail_dir, admin):
    developer, address = sign_up_verified(stack, mail_dir, "banned", name="Mallory Banned")
    assert developer.get(stack.url("developers", "/apps"), allow_redirects=False).status_code == 200
    listing = admin.get(stack.url("app", "/platform/developers"), params={"q": address})
    assert listing.status_code == 200
    ids = re.findall(r'data-developer-id="(\d+)"', listing.text)
    assert len(ids) == 1 and "Mallory Banned" in listing.text
    page_url = stack.url("app", f"/platform/developers/{ids[0]}")
    # A suspension needs a reason; none is a 422 that changes nothing.
    refused = post_form(admin, page_url + "/suspend", {"state": "active", "reason": "  "}, page_url=page_url)
    assert refused.status_code == 422 and "Give the developer a reason" in refused.text
    assert developer.get(stack.url("developers", "/apps"), allow_redirects=False).status_code == 200
    suspended = post_form(admin, page_url + "/suspend", {"state": "active", "reason": "Phishing app names."}, page_url=page_url)
    assert suspended.status_code == 303, suspended.text
    shown = admin.get(page_url).text
    assert 'id="developer-state">suspended<' in shown
    assert "active → suspended" in shown and "Phishing app names." in shown
    # Signed out everywhere, cannot sign in, and told why.
    assert developer.get(stack.url("developers", "/apps"), allow_redirects=False).status_code == 303
    with stack.session() as fresh:
        answer = post_form(fresh, stack.url("developers", "/login"), {"email": address, "password": PASSWORD})
        assert answer.status_code == 403 and "suspended" in answer.text
    assert "Phishing app names." in wait_for_mail(mail_dir, address, count=2)[-1].get_body().get_content()
    # A second admin tab still showing "active" gets a conflict, not a double decision.
    stale = post_form(admin, page_url + "/suspend", {"state": "active", "reason": "Again."}, page_url=page_url)
    assert stale.status_code == 409 and "changed since you opened it" in stale.text
    reinstated = post_form(admin, page_url + "/reinstate", {"state": "suspended"}, page_url=page_url)
    assert reinstated.status_code == 303, reinstated.text
    with stack.session() as fresh:
        answer = post_form(fresh, stack.url("developers", "/login"), {"email": address, "password": PASSWORD})
        assert answer.status_code == 303 and answer.headers["Location"] == "/apps"
    # The session from before the suspension stays ended.
    assert developer.get(stack.url("developers", "/apps"), allow_redirects=False).status_code == 303
