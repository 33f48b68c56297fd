"""Developer teams (issue 20 item 6), in Chromium and with plain sessions through nginx: an owner invites a member
by mail, the member accepts in the browser, a viewer sees the app but cannot change it or make a secret, credentials
show who made them, the app's activity shows who did what, a new app goes into the team, a cancelled invitation is
refused, ownership moves to an admin, and a removed member is refused at their very next request.
"""
import re
import subprocess
import time

import pytest

from portal import APP, PASSWORD, create_app, csrf_of, multipart, post_form, sign_up_verified, wait_for_mail
from test_review_and_sync import admin, approved_app  # noqa: F401 - the platform admin's session fixture


@pytest.fixture()
def portal(stack, chromium):
    from browser import Browser

    page = Browser(chromium, stack.developers_url)
    page.reset()
    return page


def developers_sql(stack, statement):
    out = subprocess.run(["mariadb", "--no-defaults", f"--socket={stack.mariadb_socket}", "-u", "root", "-N", "-B",
                          "catalyst_developers"], input=statement, capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def organisation_of(session, stack):
    listing = session.get(stack.url("developers", "/organisations")).text
    match = re.search(r'href="(/organisations/\d+)"', listing)
    assert match, listing
    return match.group(1)


def member_id(session, stack, organisation, address):
    page = session.get(stack.url("developers", organisation)).text
    row = re.search(r'<tr data-member="' + re.escape(address) + r'">.*?</tr>', page, re.S)
    assert row, page
    return re.search(r"/members/(\d+)", row.group(0)).group(1)


def test_invite_accept_view_only_transfer_and_removal(stack, portal, mail_dir, admin):
    # An app submitted, approved by a platform admin and synced, as test_review_and_sync makes them.
    owner, owner_address, app_path, app_id, _ = approved_app(stack, mail_dir, admin, "teamowner", scopes=("openid",))
    organisation = organisation_of(owner, stack)

    member, member_address = sign_up_verified(stack, mail_dir, "teammember", name="Vic Viewer")
    # A non-member sees neither the organisation nor its app.
    assert member.get(stack.url("developers", organisation), allow_redirects=False).status_code == 404
    assert member.get(stack.url("developers", app_path), allow_redirects=False).status_code == 404

    # Only an admin or the owner invites; the invitation goes by mail with a single-use link.
    invited = post_form(owner, stack.url("developers", organisation + "/invitations"),
                        {"email": member_address.upper(), "role": "viewer"}, page_url=stack.url("developers", organisation))
    assert invited.status_code == 303, invited.text
    mail = wait_for_mail(mail_dir, member_address, count=2)[-1]
    body = mail.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"https://\S+(/invitations/cw_inv_[A-Za-z0-9_\-]+)", body).group(1)
    assert developers_sql(stack, "SELECT COUNT(*) FROM organisation_invitations WHERE token_digest = "
                                 f"UNHEX(SHA2('{link.rsplit('/', 1)[1]}', 256))") == "1", "only the digest is stored"

    # The member opens the link signed out, signs in, comes back to it and joins.
    assert portal.open(link) == 200 and portal.path.startswith("/login")
    assert portal.submit("form#signin", {"email": member_address, "password": PASSWORD}) == 200
    assert portal.path == link
    assert portal.submit("form#accept-invitation") == 200
    assert portal.path == organisation + "?done=joined"
    assert portal.text("#my-role") == "Viewer"
    assert not portal.has("#invite-form")
    # The link worked once.
    assert portal.open(link) == 410 and "used already" in portal.text("#invitation-problem")

    # A viewer sees the app and its credentials, without the forms that change them.
    assert portal.open(app_path) == 200
    assert "Viewer" in portal.text("#app-role") and not portal.has("#edit-app")
    assert portal.open(app_path + "/credentials") == 200 and not portal.has("#new-secret-form")
    # …and every change is refused with 403, writing nothing.
    token = csrf_of(member.get(stack.url("developers", app_path)).text)
    for path in ("/secrets", "/submit", "/keys"):
        answer = member.post(stack.url("developers", app_path + path), data={"csrf": token, "version": "1", "name": "k"},
                             allow_redirects=False)
        assert answer.status_code == 403, (path, answer.status_code)
    assert member.post(stack.url("developers", organisation + "/invitations"),
                       data={"csrf": token, "email": "x@devs.example.org", "role": "admin"},
                       allow_redirects=False).status_code == 403
    # Nor may a viewer create an app in the organisation.
    team_id = organisation.rsplit("/", 1)[1]
    refused = member.post(stack.url("developers", "/apps"), allow_redirects=False,
                          files=multipart({**APP, "csrf": token, "client_type": "public", "organisation": team_id}))
    assert refused.status_code == 403, refused.status_code
    assert developers_sql(stack, f"SELECT COUNT(*) FROM application_client_secrets WHERE application_id = {app_id}") == "0"
    assert developers_sql(stack, f"SELECT COUNT(*) FROM organisation_invitations i JOIN organisations o "
                                 f"ON o.id = i.organisation_id WHERE i.email = 'x@devs.example.org'") == "0"

    # The owner's secret shows who created it.
    made = post_form(owner, stack.url("developers", app_path + "/secrets"), {}, page_url=stack.url("developers", app_path + "/credentials"))
    assert made.status_code == 200 and 'class="created-by">Dev Eloper<' in made.text
    assert portal.open(app_path + "/credentials") == 200 and portal.text("#secrets td.created-by") == "Dev Eloper"

    # Ownership moves to an admin only; the old owner stays an admin.
    viewer_id = member_id(owner, stack, organisation, member_address)
    page = stack.url("developers", organisation)
    assert post_form(owner, page + "/transfer", {"to": viewer_id}, page_url=page).status_code == 403
    assert post_form(owner, page + f"/members/{viewer_id}", {"role": "admin"}, page_url=page).status_code == 303

    # As an admin, the member makes a secret: the app's activity, which every member reads, names them first.
    made = post_form(member, stack.url("developers", app_path + "/secrets"), {},
                     page_url=stack.url("developers", app_path + "/credentials"))
    assert made.status_code == 200, made.status_code
    activity = re.search(r'<table id="activity">.*?</table>', owner.get(stack.url("developers", app_path)).text, re.S).group(0)
    rows = re.findall(r'<td class="who">([^<]*)</td><td class="what">([^<]*)</td>', activity)
    assert rows[0] == ("Vic Viewer", "Created a client secret"), rows
    assert ("Dev Eloper", "Created a client secret") in rows and ("Dev Eloper", "Submitted for review") in rows, rows
    # The organisation's page lists its member events.
    team = re.search(r'<table id="organisation-activity">.*?</table>', owner.get(page).text, re.S).group(0)
    assert "Changed the role of Vic Viewer" in team and "Joined" in team and member_address in team

    # A new app can go into the team (the admin's form offers it besides their personal one); the owner sees it.
    assert f'<option value="{team_id}">' in member.get(stack.url("developers", "/apps/new")).text
    team_app = create_app(member, stack, organisation=team_id, name="Team Tool")
    assert owner.get(stack.url("developers", team_app), allow_redirects=False).status_code == 200
    assert developers_sql(stack, "SELECT o.personal_of IS NULL FROM applications a JOIN organisations o ON o.id = a.organisation_id "
                                 f"WHERE a.id = {team_app.rsplit('/', 1)[1]}") == "0"

    # An invitation cancelled by an admin is refused like an expired one.
    cancelled_address = "cancelled-" + member_address
    assert post_form(owner, page + "/invitations", {"email": cancelled_address, "role": "developer"},
                     page_url=page).status_code == 303
    cancelled_link = re.search(r"https://\S+(/invitations/cw_inv_[A-Za-z0-9_\-]+)",
                               wait_for_mail(mail_dir, cancelled_address)[-1].get_body(preferencelist=("plain",))
                               .get_content()).group(1)
    listing = owner.get(page).text
    cancel = re.search(r'action="(/organisations/\d+/invitations/\d+/cancel)"><input[^>]*><button[^>]*data-cancel="'
                       + re.escape(cancelled_address), listing)
    assert cancel, listing
    assert post_form(member, stack.url("developers", cancel.group(1)), {}, page_url=page).status_code == 303
    assert f'data-cancel="{cancelled_address}"' not in owner.get(page).text
    refused = member.get(stack.url("developers", cancelled_link), allow_redirects=False)
    assert refused.status_code == 410 and "expired or was cancelled" in refused.text
    assert post_form(member, stack.url("developers", cancelled_link), {}, page_url=page).status_code == 410

    assert post_form(owner, page + "/transfer", {"to": viewer_id}, page_url=page).status_code == 303
    assert portal.open(organisation) == 200 and portal.text("#my-role") == "Owner"
    assert 'id="my-role">Admin<' in owner.get(page).text

    # The new owner removes the old one, whose very next request is refused.
    owner_id = member_id(member, stack, organisation, owner_address)
    assert post_form(member, page + f"/members/{owner_id}", {"role": "remove"}, page_url=page).status_code == 303
    for path in (app_path, app_path + "/credentials", organisation, team_app):
        assert owner.get(stack.url("developers", path), allow_redirects=False).status_code == 404, path
    assert member.get(stack.url("developers", app_path), allow_redirects=False).status_code == 200

    # nginx logged the invitation links without their tokens (its access log is flushed every second).
    time.sleep(1.5)
    logged = (stack.dir / "nginx" / "logs" / "access.log").read_text(errors="replace")
    assert "/invitations/- " in logged and "cw_inv_" not in logged
