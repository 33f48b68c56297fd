"""App data declarations and school agreements (issue 23, items 4 and 5), end to end through nginx in Chromium.

A developer declares, per scope, why the app uses the data, how long it keeps it and who else gets it; an app
without a declaration for every scope is not approved; the admin approves, sync carries the declarations, and
the consent page shows them as a data label. A school admin records an agreement with an app (a real PDF; a
file that is not one is refused), requires agreements, cannot allow an app without one, and the daily run mails
the admins ahead of an expiry and blocks the app on the day.
"""
import datetime
import hashlib
import re
import secrets

import pytest

from oauth_client import DemoClient
from portal import (APP, PASSWORD, create_app, csrf_of, declare_scope, fill_app_form, mails_to, multipart, post_form,
                    sign_up_verified)
from test_review_and_sync import (REDIRECT_URI, admin, approved_app, cron, decide, mariadb, new_secret,  # noqa: F401
                                  person, submitted_app, sync)

LABEL_SCOPES = ("openid", "profile.read")


@pytest.fixture()
def portal(stack, chromium):
    from browser import Browser

    page = Browser(chromium, stack.developers_url)
    page.reset()
    return page


def make_pdf():
    """A small real PDF: header, a catalog, a page tree and a page, a cross-reference table with exact offsets."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def test_a_declared_app_is_approved_and_the_consent_page_shows_its_data_label(stack, demo, mail_dir, admin, portal, browser, oauth):
    # The developer declares in the browser: openid kept for the session, profile.read a year and shared.
    _, address = sign_up_verified(stack, mail_dir, "declare")
    assert portal.open("/login") == 200
    assert portal.submit("form#signin", {"email": address, "password": PASSWORD}) == 200
    assert portal.open("/apps/new") == 200
    for scope in LABEL_SCOPES:
        portal.find(f"form#app-form input[name=scopes][value='{scope}']").click()
    declare_scope(portal, "openid", purpose="Knows it is you when you open your flashcards.", retention="session")
    declare_scope(portal, "profile.read", purpose="Shows your name on your flashcard decks.", retention="1_year",
                  processors="Amazon Web Services, Ireland\nPostmark, United States")
    assert fill_app_form(portal, {**APP, "redirect_uris": REDIRECT_URI}, scopes=(), declare=False) == 200
    app_path = portal.path.split("?")[0]
    page = portal.find("main").text
    assert "Shows your name on your flashcard decks." in page and "Amazon Web Services (Ireland), Postmark (United States)" in page
    assert portal.submit("form#submit-app") == 200
    assert portal.text("#app-status") == "submitted"
    app_id = int(app_path.rsplit("/", 1)[1])

    # The review panel shows the declarations; the admin approves; sync carries them.
    review = admin.get(stack.url("app", f"/platform/apps/{app_id}"))
    assert "Knows it is you when you open your flashcards." in review.text and "Postmark (United States)" in review.text
    assert decide(stack, admin, app_id, "approve", scopes=list(LABEL_SCOPES)).status_code == 303
    assert sync(stack)["status"] == "ok"
    client_id = mariadb(stack, f"SELECT client_id FROM catalyst_developers.applications WHERE id = {app_id}")
    assert mariadb(stack, "SELECT GROUP_CONCAT(d.scope, ':', d.retention ORDER BY d.position) FROM catalyst_main.oauth_client_data_declarations d "
                          f"JOIN catalyst_main.oauth_clients c ON c.id = d.client_pk WHERE c.client_id = '{client_id}'") \
        == "openid:session,profile.read:1_year"

    # A student sees the data label on the consent page: what, why, how long, who else.
    developer_session = stack.session()
    post_form(developer_session, stack.url("developers", "/login"), {"email": address, "password": PASSWORD})
    secret = new_secret(stack, developer_session, app_path, admin)
    sync(stack)
    flow = oauth.flow(DemoClient(client_id, secret, REDIRECT_URI), " ".join(LABEL_SCOPES))
    assert flow.open(browser, person(demo, "student20")), "the consent page was not shown"
    label = browser.find("#data-label")
    grades = label.find_element("css selector", "li[data-scope='profile.read']")
    assert grades.find_element("css selector", ".data-why").text == "Shows your name on your flashcard decks."
    assert grades.find_element("css selector", ".data-how-long").text == "Kept for 1 year, then deleted."
    assert grades.find_element("css selector", ".data-who-else").text == \
        "Also shared with Amazon Web Services (Ireland), Postmark (United States)."
    openid = label.find_element("css selector", "li[data-scope='openid']")
    assert openid.find_element("css selector", ".data-how-long").text == "Only while you are using the app; deleted when you stop."
    assert openid.find_element("css selector", ".data-who-else").text.startswith("No one else: it stays with")


def test_an_app_without_declarations_is_neither_submitted_nor_approved(stack, mail_dir, admin):
    developer, _ = sign_up_verified(stack, mail_dir, "undeclared")
    path = create_app(developer, stack, declare=False, redirect_uris=REDIRECT_URI, scopes=["openid", "profile.read"])
    page = developer.get(stack.url("developers", path))
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    refused = developer.post(stack.url("developers", path + "/submit"), data={"csrf": csrf_of(page.text), "version": version},
                             allow_redirects=False)
    assert refused.status_code == 422
    assert "Declare how the app uses the data of every scope before submitting; missing: openid, profile.read." in refused.text

    # An app submitted before declarations existed (its declarations gone) reaches review but is not approved.
    _, _, _, app_id = submitted_app(stack, mail_dir, "legacy")
    mariadb(stack, f"UPDATE catalyst_developers.applications SET data_declarations = '[]' WHERE id = {app_id}")
    answer = decide(stack, admin, app_id, "approve", scopes=["openid", "profile.read"])
    assert answer.status_code == 422
    assert "This app cannot be approved: it has not declared how it uses the data of openid, profile.read" in answer.text
    assert mariadb(stack, f"SELECT status FROM catalyst_developers.applications WHERE id = {app_id}") == "submitted"
    assert mariadb(stack, f"SELECT COUNT(*) FROM catalyst_main.review_attestations WHERE developer_app_id = {app_id}") == "0"


def test_a_declaration_changed_after_approval_reaches_main_only_once_reviewed(stack, mail_dir, admin):
    developer, _, path, app_id, client_id = approved_app(stack, mail_dir, admin, "redeclare")
    purposes = f"SELECT GROUP_CONCAT(d.purpose ORDER BY d.position SEPARATOR '|') FROM catalyst_main.oauth_client_data_declarations d " \
               f"JOIN catalyst_main.oauth_clients c ON c.id = d.client_pk WHERE c.client_id = '{client_id}'"
    before = mariadb(stack, purposes)
    assert before.startswith("Used to run the app for the pupil.")
    reviewed = mariadb(stack, f"SELECT data_declarations FROM catalyst_developers.applications WHERE id = {app_id}")
    # Written in the developers database alone (a flaw there, a hand edit): sync refuses it.
    mariadb(stack, "UPDATE catalyst_developers.applications SET data_declarations = JSON_SET(data_declarations, "
                   f"'$[0].purpose', 'Sold to advertisers'), sync_requested_at = NOW(6) WHERE id = {app_id}")
    assert sync(stack)["apps_refused_unattested"] == 1
    assert mariadb(stack, purposes) == before
    # Through the portal it is a pending change: main keeps the approved declarations until it is approved.
    page = developer.get(stack.url("developers", path + "/edit"))
    assert "Sold to advertisers" in page.text
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    edited = developer.post(stack.url("developers", path + "/edit"), allow_redirects=False, files=multipart({
        **APP, "redirect_uris": REDIRECT_URI, "scopes": ["openid", "profile.read"], "client_type": "confidential",
        "purpose.openid": "Signs you in.", "retention.openid": "session", "shares.openid": "no",
        "purpose.profile.read": "Names on decks.", "retention.profile.read": "custom", "retention_days.profile.read": "45",
        "shares.profile.read": "no", "csrf": csrf_of(page.text), "version": version}))
    assert edited.status_code == 303, edited.text
    page = developer.get(stack.url("developers", path))
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    assert developer.post(stack.url("developers", path + "/submit"), data={"csrf": csrf_of(page.text), "version": version},
                          allow_redirects=False).status_code == 303
    assert mariadb(stack, purposes) == before
    assert decide(stack, admin, app_id, "approve", scopes=["openid", "profile.read"]).status_code == 303
    report = sync(stack)
    assert report["status"] == "ok", report
    assert mariadb(stack, purposes) == "Signs you in.|Names on decks."
    assert reviewed  # the tampered version was never approved; the approved change replaced it


def fill_dates(browser, row, form, today):
    """Opens the row's agreement form and sets its date inputs (signed 100 days ago, expiring in 265 days)."""
    details = browser.find(f"{row} details.agreement-form")
    if details.get_attribute("open") is None:
        details.find_element("css selector", "summary").click()
    browser.driver.execute_script(
        "arguments[0].value = arguments[1]; arguments[2].value = arguments[3];",
        browser.find(f"{form} input[name=signed_on]"), str(today - datetime.timedelta(days=100)),
        browser.find(f"{form} input[name=expires_on]"), str(today + datetime.timedelta(days=265)))


def school_policies(stack, school_id):
    """The school's decisions about apps, as (client_pk, status, scope_limit or NULL) rows."""
    out = mariadb(stack, "SELECT client_pk, status, IFNULL(scope_limit, 'NULL') FROM catalyst_main.school_app_policies "
                         f"WHERE school_id = {school_id}")
    return [tuple(line.split("\t")) for line in out.splitlines() if line]


def agreements_cleanup(stack, school_id, client_id, policies_before=()):
    """Leaves the shared demo school as it was: no agreement settings, nothing recorded about the test's app, and the
    school's decisions about other apps as they were (requiring agreements blocks the connected apps without one)."""
    mariadb(stack, f"DELETE FROM catalyst_main.school_agreement_settings WHERE school_id = {school_id}")
    for table in ("school_app_agreements", "school_app_policies"):
        mariadb(stack, f"DELETE FROM catalyst_main.{table} WHERE client_pk = "
                       f"(SELECT id FROM catalyst_main.oauth_clients WHERE client_id = '{client_id}')")
    kept = [row[0] for row in policies_before]
    mariadb(stack, f"DELETE FROM catalyst_main.school_app_policies WHERE school_id = {school_id}"
                   + (f" AND client_pk NOT IN ({','.join(kept)})" if kept else ""))
    for client_pk, status, limit in policies_before:
        limit_sql = "NULL" if limit == "NULL" else f"'{limit}'"
        mariadb(stack, f"UPDATE catalyst_main.school_app_policies SET status = '{status}', scope_limit = {limit_sql} "
                       f"WHERE school_id = {school_id} AND client_pk = {client_pk}")


def test_a_school_admin_records_agreements_requires_them_and_expiry_warns_then_blocks(
        stack, demo, mail_dir, admin, browser, tmp_path):
    _, _, _, _, client_id = approved_app(stack, mail_dir, admin, "agreed")
    school_admin = demo["school_admin"]
    school_id = mariadb(stack, f"SELECT school_id FROM catalyst_main.users WHERE email = '{school_admin['email']}'")
    row = f"table#school-apps tr[data-client-id='{client_id}']"
    form = f"form[data-client-id='{client_id}']"
    policies_before = school_policies(stack, school_id)
    try:
        browser.sign_in(school_admin["email"], school_admin["password"])
        assert browser.open("/school/apps") == 200 and browser.has(row)

        # A file that is not a PDF is refused, and nothing is recorded.
        (tmp_path / "agreement.pdf").write_bytes(b"These are the signed terms, honestly.\n")
        today = datetime.date.today()
        fill_dates(browser, row, form, today)
        assert browser.submit(form, {"kind": "SDPC National Data Privacy Agreement", "document": tmp_path / "agreement.pdf"}) == 422
        assert "The file is not a PDF document: upload the signed agreement as a PDF." in browser.find("main").text
        assert mariadb(stack, "SELECT COUNT(*) FROM catalyst_main.school_app_agreements a JOIN catalyst_main.oauth_clients c "
                              f"ON c.id = a.client_pk WHERE c.client_id = '{client_id}'") == "0"

        # A real PDF is kept, and only the school's admins can download it.
        pdf = make_pdf()
        (tmp_path / "agreement.pdf").write_bytes(pdf)
        assert browser.open("/school/apps") == 200
        fill_dates(browser, row, form, today)
        assert browser.submit(form, {"kind": "SDPC National Data Privacy Agreement", "document": tmp_path / "agreement.pdf"}) == 200
        assert browser.path == "/school/apps?saved=agreement"
        assert "current" in browser.find(f"{row} .agreement").text
        assert mariadb(stack, "SELECT document_sha256 FROM catalyst_main.school_app_agreements a JOIN catalyst_main.oauth_clients c "
                              f"ON c.id = a.client_pk WHERE c.client_id = '{client_id}'") == hashlib.sha256(pdf).hexdigest()
        link = browser.find(f"{row} a.agreement-document").get_attribute("href")
        with stack.session() as s:
            for cookie in browser.driver.get_cookies():
                s.cookies.set(cookie["name"], cookie["value"])
            download = s.get(link, allow_redirects=False)
        assert download.status_code == 200 and download.content == pdf
        assert download.headers["Content-Type"] == "application/pdf" and download.headers["X-Content-Type-Options"] == "nosniff"
        assert download.headers["Content-Disposition"].startswith("attachment")
        with stack.session() as stranger:
            assert stranger.get(link, allow_redirects=False).status_code in (303, 404)

        # A connection made before the requirement: the demo SPA (not first-party, no agreement) holds a token of a
        # student of the school, and the API answers it.
        spa = demo["oauth_clients"]["public"]["client_id"]
        student_id = demo["students"][-1]["id"]
        token = "cw_at_" + secrets.token_urlsafe(32)
        mariadb(stack, f"""INSERT INTO catalyst_main.oauth_grants (client_pk, user_id, scopes, auth_time, created_at, expires_at)
                           SELECT id, {student_id}, 'openid profile.read', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6),
                                  UTC_TIMESTAMP(6) + INTERVAL 1 DAY FROM catalyst_main.oauth_clients WHERE client_id = '{spa}';
                           INSERT INTO catalyst_main.oauth_tokens (token_digest, kind, grant_id, issued_at, expires_at)
                           VALUES (UNHEX(SHA2('{token}', 256)), 'access', LAST_INSERT_ID(), UTC_TIMESTAMP(6),
                                   UTC_TIMESTAMP(6) + INTERVAL 1 HOUR)""")

        def spa_me():
            with stack.session() as s:
                return s.get(stack.url("app", "/api/v1/me"), headers={"Authorization": f"Bearer {token}"}, timeout=10).status_code
        assert spa_me() == 200

        # The school requires agreements: apps without one lose the school's data at once (the SPA's token is refused,
        # the SPA blocked and audited); without one, allowing the app is refused with a clear message.
        browser.find("form#agreement-settings input[name=require_agreement]").click()
        browser.find("form#agreement-settings input[name=block_on_expiry]").click()
        assert browser.submit("form#agreement-settings") == 200
        assert mariadb(stack, f"SELECT require_agreement, block_on_expiry FROM catalyst_main.school_agreement_settings "
                              f"WHERE school_id = {school_id}") == "1\t1"
        assert spa_me() == 401
        assert mariadb(stack, "SELECT p.status FROM catalyst_main.school_app_policies p JOIN catalyst_main.oauth_clients c "
                              f"ON c.id = p.client_pk WHERE c.client_id = '{spa}' AND p.school_id = {school_id}") == "blocked"
        assert mariadb(stack, "SELECT COUNT(*) FROM catalyst_main.security_audit_log WHERE event = 'app_blocked_by_policy' "
                              f"AND detail = '{spa}: no current agreement'") != "0"
        browser.find(f"{row} form.inline button").click()  # remove the agreement
        browser._wait_for(lambda d: "agreement-removed" in d.current_url)
        assert browser.find(f"{row}").get_attribute("data-status") == "blocked"
        browser.find(f"{row} input[name=status][value=allowed]").click()
        assert browser.submit(f"{row} form[action^='/school/apps/']") == 409
        assert "Your school requires a data-privacy agreement before an app is allowed" in browser.find("main").text

        # An agreement expiring in ten days: the daily run mails the school's admins, once.
        mariadb(stack, "INSERT INTO catalyst_main.school_app_agreements (school_id, client_pk, kind, signed_on, expires_on, recorded_by, "
                       f"recorded_at) SELECT {school_id}, id, 'NDPA', UTC_DATE() - INTERVAL 300 DAY, UTC_DATE() + INTERVAL 10 DAY, 1, NOW(6) "
                       f"FROM catalyst_main.oauth_clients WHERE client_id = '{client_id}'")
        assert browser.open("/school/apps") == 200
        browser.find(f"{row} input[name=status][value=allowed]").click()
        assert browser.submit(f"{row} form[action^='/school/apps/']") == 200
        assert browser.find(row).get_attribute("data-status") == "allowed"
        earlier = set(mail_dir.glob("*.eml"))
        report = cron(stack, "/internal/cron/agreements")
        assert report.status_code == 200 and report.json()["warned"] == 1, report.text
        warnings = [m for m in mails_to(mail_dir, school_admin["email"], skip=earlier) if "expires in 10 days" in str(m["Subject"])]
        assert len(warnings) == 1, [str(m["Subject"]) for m in mails_to(mail_dir, school_admin["email"], skip=earlier)]
        assert "will be blocked for your school on that day" in warnings[0].get_content()
        assert cron(stack, "/internal/cron/agreements").json()["warned"] == 0

        # The expiry day: the app is blocked for the school (as the school chose), audited, the admins told.
        mariadb(stack, "UPDATE catalyst_main.school_app_agreements a JOIN catalyst_main.oauth_clients c ON c.id = a.client_pk "
                       f"SET a.expires_on = UTC_DATE() WHERE c.client_id = '{client_id}'")
        report = cron(stack, "/internal/cron/agreements").json()
        assert report["blocked"] == 1, report
        assert mariadb(stack, "SELECT p.status FROM catalyst_main.school_app_policies p JOIN catalyst_main.oauth_clients c "
                              f"ON c.id = p.client_pk WHERE c.client_id = '{client_id}' AND p.school_id = {school_id}") == "blocked"
        assert mariadb(stack, "SELECT COUNT(*) FROM catalyst_main.security_audit_log WHERE event = 'app_blocked_by_policy' "
                              f"AND detail LIKE '{client_id}:%'") == "1"
        assert any("is blocked: its agreement expired" in str(m["Subject"])
                   for m in mails_to(mail_dir, school_admin["email"], skip=earlier))
        assert browser.open("/school/apps") == 200
        assert browser.find(row).get_attribute("data-status") == "blocked"
        assert cron(stack, "/internal/cron/agreements").json()["blocked"] == 0
    finally:
        agreements_cleanup(stack, school_id, client_id, policies_before)
