"""Applications on the developer portal, in Chromium through nginx: create an app with a logo, submit it, and
what another developer and a disguised upload get.
"""
import hashlib
import os
import subprocess

import pytest

from portal import APP, PASSWORD, create_app, csrf_of, fill_app_form, multipart, new_address, png, post_form, sign_up_verified


@pytest.fixture()
def portal(stack, chromium):
    from browser import Browser

    page = Browser(chromium, stack.developers_url)
    page.reset()
    return page


def browser_sign_in(portal, address):
    assert portal.open("/login") == 200
    assert portal.submit("form#signin", {"email": address, "password": PASSWORD}) == 200
    assert portal.path == "/apps"




def test_a_developer_creates_an_app_with_a_logo_and_submits_it(stack, portal, mail_dir, tmp_path):
    _, address = sign_up_verified(stack, mail_dir, "creator")
    browser_sign_in(portal, address)
    logo = tmp_path / "logo.png"
    logo.write_bytes(png(63, 61))  # bytes no other test's app uses: logos are named by their digest

    assert portal.follow("#new-app") == 200
    assert fill_app_form(portal, APP, logo=logo) == 200
    assert portal.path.startswith("/apps/") and "done=created" in portal.path
    assert portal.text("#app-status") == "draft"
    app_path = portal.path.split("?")[0]

    # The logo is served back from its digest with its real type and nosniff.
    source = portal.find("h1 img.logo").get_attribute("src")
    with stack.session() as s:
        served = s.get(source)
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.content == png(63, 61)
    # A draft's logo is nobody's live app's: the app site, whose origin serves only live apps' logos, has none.
    with stack.session() as s:
        assert s.get(stack.url("app", "/logos/" + source.rsplit("/", 1)[1])).status_code == 404

    # Submitted: the review log records it, and the app can no longer be edited until withdrawn.
    assert portal.submit("form#submit-app") == 200
    assert portal.text("#app-status") == "submitted"
    assert "draft → submitted" in portal.text("#app-history")
    assert not portal.has("#edit-app")
    assert portal.open(app_path + "/edit") == 200 and portal.path == app_path

    # Credentials exist only after approval.
    assert portal.open(app_path + "/credentials") == 404


def test_submitting_an_incomplete_draft_lists_what_is_missing(stack, portal, mail_dir):
    _, address = sign_up_verified(stack, mail_dir, "incomplete")
    browser_sign_in(portal, address)
    assert portal.open("/apps/new") == 200
    assert fill_app_form(portal, {"name": "Half Done"}, scopes=()) == 200
    assert portal.submit("form#submit-app") == 422
    problems = portal.text("#app-problems")
    assert "privacy policy" in problems and "scope" in problems
    assert portal.text("#app-status") == "draft"


def test_bad_fields_are_refused_by_the_field_and_keep_what_was_typed(stack, portal, mail_dir):
    _, address = sign_up_verified(stack, mail_dir, "badfields")
    browser_sign_in(portal, address)
    assert portal.open("/apps/new") == 200
    bad = dict(APP, redirect_uris="https://studybuddy.example/cb#frag\nhttps://*.example/cb", homepage_url="http://studybuddy.example")
    assert fill_app_form(portal, bad) == 422
    assert "fragment" in portal.text("#redirect_uris-error")
    assert portal.has("#homepage_url-error")
    assert portal.value("form#app-form input[name=name]") == APP["name"]
    assert portal.value("form#app-form textarea[name=redirect_uris]").startswith("https://studybuddy.example/cb#frag")


@pytest.mark.parametrize("name, content", [
    ("logo.png", b"<html><script>alert(1)</script></html>"),
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ("logo.jpg", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40),
])
def test_a_disguised_or_unsafe_logo_is_refused_with_a_message(stack, portal, mail_dir, tmp_path, name, content):
    _, address = sign_up_verified(stack, mail_dir, "disguise")
    browser_sign_in(portal, address)
    upload = tmp_path / name
    upload.write_bytes(content)
    assert portal.open("/apps/new") == 200
    assert fill_app_form(portal, APP, logo=upload) == 422
    assert portal.text("#logo-error")
    assert portal.value("form#app-form input[name=name]") == APP["name"]
    assert not portal.has("form#app-form img.logo")


def test_an_oversized_logo_is_refused(stack, mail_dir):
    s, _ = sign_up_verified(stack, mail_dir, "oversized")
    page = s.get(stack.url("developers", "/apps/new"))
    big = png(1100, 8)  # wider than 1024 pixels
    answer = s.post(stack.url("developers", "/apps"), allow_redirects=False,
                    files=multipart({**APP, "csrf": csrf_of(page.text), "client_type": "confidential"})
                    + [("logo", ("logo.png", big, "image/png"))])
    assert answer.status_code == 422
    assert "1024" in answer.text


def test_another_developer_cannot_see_or_change_the_app(stack, mail_dir):
    owner, _ = sign_up_verified(stack, mail_dir, "owner")
    app_path = create_app(owner, stack, client_type="public", scopes=["openid"])

    other, _ = sign_up_verified(stack, mail_dir, "intruder")
    for path in ("", "/edit", "/credentials", "/keys", "/webhooks", "/analytics", "/analytics.csv"):
        assert other.get(stack.url("developers", app_path + path), allow_redirects=False).status_code == 404, path
    token = csrf_of(other.get(stack.url("developers", "/apps")).text)
    for path in ("/submit", "/withdraw", "/discard"):
        answer = other.post(stack.url("developers", app_path + path), data={"csrf": token, "version": "1"}, allow_redirects=False)
        assert answer.status_code == 404, path
    assert 'id="no-apps"' in other.get(stack.url("developers", "/apps")).text
    assert owner.get(stack.url("developers", app_path), allow_redirects=False).status_code == 200


def test_a_stale_tab_cannot_overwrite_a_newer_save(stack, mail_dir):
    s, _ = sign_up_verified(stack, mail_dir, "stale")
    app_path = create_app(s, stack)
    token = csrf_of(s.get(stack.url("developers", app_path)).text)
    first = s.post(stack.url("developers", app_path + "/edit"), allow_redirects=False,
                   files=multipart({**APP, "name": "Renamed", "csrf": token, "version": "1", "client_type": "confidential"}))
    assert first.status_code == 303
    stale = s.post(stack.url("developers", app_path + "/edit"), allow_redirects=False,
                   files=multipart({**APP, "name": "Stale name", "csrf": token, "version": "1", "client_type": "confidential"}))
    assert stale.status_code == 409
    assert "changed in another tab" in stale.text
    assert "Renamed" in s.get(stack.url("developers", app_path)).text


def test_support_tickets_are_threaded_and_private(stack, mail_dir):
    s, _ = sign_up_verified(stack, mail_dir, "ticket")
    opened = post_form(s, stack.url("developers", "/support"), {"subject": "Refresh tokens", "category": "integration",
                                                                 "application": "", "message": "How long do they last?"},
                       page_url=stack.url("developers", "/support/new"))
    assert opened.status_code == 303
    ticket = opened.headers["Location"].split("?")[0]
    replied = post_form(s, stack.url("developers", ticket + "/reply"), {"message": "Found it in the docs, thanks."},
                        page_url=stack.url("developers", ticket))
    assert replied.status_code == 303
    thread = s.get(stack.url("developers", ticket)).text
    assert thread.index("How long do they last?") < thread.index("Found it in the docs")
    other, _ = sign_up_verified(stack, mail_dir, "snoop")
    assert other.get(stack.url("developers", ticket), allow_redirects=False).status_code == 404
    empty = post_form(s, stack.url("developers", ticket + "/reply"), {"message": "   "}, page_url=stack.url("developers", ticket))
    assert empty.status_code == 422


def developers_sql(stack, statement):
    out = subprocess.run(["mariadb", "--no-defaults", f"--socket={stack.mariadb_socket}", "-u", "root", "-N", "-B",
                          "catalyst_developers"], input=statement, capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_a_refused_form_stores_no_logo_and_says_to_choose_it_again(stack, mail_dir):
    s, _ = sign_up_verified(stack, mail_dir, "refusedlogo")
    page = s.get(stack.url("developers", "/apps/new"))
    image = png(40, 41)
    digest = hashlib.sha256(image).hexdigest()
    answer = s.post(stack.url("developers", "/apps"), allow_redirects=False,
                    files=multipart({**APP, "homepage_url": "http://not-https.example", "csrf": csrf_of(page.text),
                                     "client_type": "confidential"}) + [("logo", ("logo.png", image, "image/png"))])
    assert answer.status_code == 422
    assert "logo was not saved" in answer.text and digest not in answer.text
    assert developers_sql(stack, f"SELECT COUNT(*) FROM application_logos WHERE sha256 = '{digest}'") == "0"
    for site in ("developers", "app"):
        assert s.get(stack.url(site, "/logos/" + digest)).status_code == 404


def test_the_developers_purge_deletes_logos_no_application_refers_to(stack):
    orphan = "ab" * 32
    developers_sql(stack, f"""
        INSERT INTO application_logos (sha256, content_type, bytes, width, height, uploaded_at)
        VALUES ('{orphan}', 'image/png', x'89504e47', 1, 1, UTC_TIMESTAMP(6) - INTERVAL 2 DAY)""")
    binary = os.environ.get("CW_BIN") or str(stack.dir.parent.parent / ".build" / "release" / "catalystwells")
    purge = subprocess.run([binary, "purge", "--site", "developers", "--config", str(stack.dir / "catalystwells.conf")],
                           capture_output=True, text=True, timeout=60)
    assert purge.returncode == 0, purge.stderr
    assert '"logos":' in purge.stdout
    assert developers_sql(stack, f"SELECT COUNT(*) FROM application_logos WHERE sha256 = '{orphan}'") == "0"
    # Every referenced logo is still there.
    assert developers_sql(stack, """SELECT COUNT(*) FROM applications a
        LEFT JOIN application_logos l ON l.sha256 = a.logo_sha256 WHERE a.logo_sha256 IS NOT NULL AND l.sha256 IS NULL""") == "0"


def test_logo_uploads_are_limited_per_developer_per_day(stack, mail_dir):
    s, _ = sign_up_verified(stack, mail_dir, "logoquota")

    def create_with_logo(n):
        page = s.get(stack.url("developers", "/apps/new"))
        return s.post(stack.url("developers", "/apps"), allow_redirects=False,
                      files=multipart({**APP, "name": f"Quota {n}", "csrf": csrf_of(page.text), "client_type": "confidential"})
                      + [("logo", ("logo.png", png(200 + n, 7), "image/png"))])

    statuses = [create_with_logo(n).status_code for n in range(20)]
    assert statuses == [303] * 20, statuses
    refused = create_with_logo(20)
    assert refused.status_code == 422 and "the most allowed" in refused.text
    digest = hashlib.sha256(png(220, 7)).hexdigest()
    assert developers_sql(stack, f"SELECT COUNT(*) FROM application_logos WHERE sha256 = '{digest}'") == "0"
