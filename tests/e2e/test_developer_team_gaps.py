"""Developer-team gaps (issue 20 item 6), with plain sessions through nginx: a platform admin's decision shows in the
app's Activity, the Activity pages by keyset both ways (a forged cursor is refused), an owner or admin renames the
organisation (audited) while a developer may not, and a ticket about the app is the whole team's: a viewer reads it
without answering, a removed member loses it at once.
"""
import re

from portal import create_app, csrf_of, post_form, sign_up_verified, wait_for_mail
from test_developer_teams import developers_sql, member_id, organisation_of
from test_review_and_sync import admin, decide, submitted_app  # noqa: F401 - the platform admin's session fixture


def join(stack, mail_dir, owner, organisation, label, role):
    """A new developer invited by mail as `role` and joined; returns (session, address)."""
    member, address = sign_up_verified(stack, mail_dir, label, name=label.capitalize())
    page = stack.url("developers", organisation)
    assert post_form(owner, page + "/invitations", {"email": address, "role": role}, page_url=page).status_code == 303
    body = wait_for_mail(mail_dir, address, count=2)[-1].get_body(preferencelist=("plain",)).get_content()
    link = stack.url("developers", re.search(r"https://\S+(/invitations/cw_inv_[A-Za-z0-9_\-]+)", body).group(1))
    assert post_form(member, link, {}).status_code == 303
    return member, address


def activity_rows(html):
    table = re.search(r'<table id="activity">.*?</table>', html, re.S)
    return re.findall(r'<td class="who">([^<]*)</td><td class="what">([^<]*)</td><td class="detail">([^<]*)</td>', table.group(0)) if table else []


def test_review_decisions_and_keyset_pages_in_the_apps_activity(stack, mail_dir, admin):
    owner, _, path, app_id = submitted_app(stack, mail_dir, "teamgaps", scopes=("openid",))
    assert decide(stack, admin, app_id, "reject", reason="Needs a privacy policy.").status_code == 303
    rows = activity_rows(owner.get(stack.url("developers", path)).text)
    assert rows[0][1] == "Platform review: rejected the app" and rows[0][2] == "Needs a privacy policy.", rows
    assert rows[0][0], "who decided, as the review log names them"

    # 60 older member actions: the newest page shows 50 with an "Older" link, and no "Newer" one.
    developers_sql(stack, "INSERT INTO application_events (application_id, actor_id, action, detail, occurred_at) "
                          f"SELECT {app_id}, developer_id, 'settings_saved', CONCAT('bulk ', seq), "
                          "TIMESTAMPADD(SECOND, seq, '2020-01-01') FROM applications a, seq_1_to_60 s "
                          f"WHERE a.id = {app_id}")
    first = owner.get(stack.url("developers", path)).text
    assert len(activity_rows(first)) == 50 and 'id="activity-newer"' not in first
    assert 'aria-label="Activity pages"' in first
    older = re.search(r'id="activity-older" rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = owner.get(stack.url("developers", older)).text
    rows = activity_rows(second)
    # 63 rows in all (rejected, submitted, created, then 60 bulk rows from 2020): 13 on the second page, the oldest last.
    assert len(rows) == 13 and rows[-1][2] == "bulk 1" and 'id="activity-older"' not in second
    newer = re.search(r'id="activity-newer" rel="prev" href="([^"]+)"', second).group(1).replace("&amp;", "&")
    assert activity_rows(owner.get(stack.url("developers", newer)).text) == activity_rows(first)
    forged = owner.get(stack.url("developers", path + "?before=1;DROP"), allow_redirects=False)
    assert forged.status_code == 400


def test_rename_and_the_teams_tickets(stack, mail_dir):
    owner, _ = sign_up_verified(stack, mail_dir, "renamer", name="Rena Owner")
    assert post_form(owner, stack.url("developers", "/organisations"), {}, page_url=stack.url("developers", "/organisations")).status_code == 303
    organisation = organisation_of(owner, stack)
    developer, developer_address = join(stack, mail_dir, owner, organisation, "teamdev", "developer")
    viewer, viewer_address = join(stack, mail_dir, owner, organisation, "teamviewer", "viewer")
    url = stack.url("developers", organisation)

    # A developer may not rename; the owner may, with the creation's rules, and the change is in the Activity.
    assert post_form(developer, url + "/name", {"name": "Hijack"}, page_url=url).status_code == 403
    assert post_form(owner, url + "/name", {"name": "  "}, page_url=url).status_code == 422
    assert post_form(owner, url + "/name", {"name": "Rena Apps Ltd"}, page_url=url).status_code == 303
    team = owner.get(url).text
    assert "<h1>Rena Apps Ltd</h1>" in team
    assert re.search(r'<table id="organisation-activity">.*?Renamed the organisation.*?</table>', team, re.S)
    # The stored details name roles in the page's language (issue 22): "as Developer", "… as Viewer".
    assert '<td class="detail">as Developer</td>' in team and f'<td class="detail">{viewer_address} as Viewer</td>' in team
    spanish = owner.get(url, headers={"Accept-Language": "es"}).text
    assert '<td class="detail">como Desarrollador</td>' in spanish and '<td class="detail">como Lector</td>' in spanish
    assert f'<td class="detail">{viewer_address} como Lector</td>' in spanish and ">as Viewer<" not in spanish
    arabic = owner.get(url, headers={"Accept-Language": "ar"}).text
    assert '<td class="detail">بصفة مُطّلِع</td>' in arabic and ">as Developer<" not in arabic
    # The organisation's Activity pages the same way (55 older events added here).
    organisation_id = organisation.rsplit("/", 1)[1]
    developers_sql(stack, "INSERT INTO organisation_events (organisation_id, actor_id, action, detail, occurred_at) "
                          f"SELECT {organisation_id}, developer_id, 'renamed', CONCAT('bulk ', seq), "
                          "TIMESTAMPADD(SECOND, seq, '2020-01-01') FROM organisation_members, seq_1_to_55 "
                          f"WHERE organisation_id = {organisation_id} AND role = 'owner'")
    team = owner.get(url).text
    older = re.search(r'id="organisation-activity-older" rel="next" href="([^"]+)"', team).group(1)
    assert "bulk 1<" in owner.get(stack.url("developers", older)).text
    assert owner.get(url + "?after=x", allow_redirects=False).status_code == 400

    # A ticket about the team's app: the viewer reads it but may not answer; removed, they lose it at once.
    app_path = create_app(owner, stack, redirect_uris="https://rena.example/cb", scopes=["openid"])
    app_id = app_path.rsplit("/", 1)[1]
    new = stack.url("developers", "/support/new")
    opened = post_form(owner, stack.url("developers", "/support"), {"subject": "Redirect question", "category": "integration",
                                                                   "application": app_id, "message": "Which URIs?"}, page_url=new)
    assert opened.status_code == 303, opened.text
    ticket = opened.headers["Location"].split("?")[0]
    assert ticket in viewer.get(stack.url("developers", "/support")).text
    seen = viewer.get(stack.url("developers", ticket))
    assert seen.status_code == 200 and 'id="ticket-read-only"' in seen.text and 'id="reply-form"' not in seen.text
    reply = viewer.post(stack.url("developers", ticket + "/reply"), data={"csrf": csrf_of(seen.text), "message": "Me too"},
                        allow_redirects=False)
    assert reply.status_code == 403
    answered = post_form(developer, stack.url("developers", ticket + "/reply"), {"message": "Only exact ones."},
                         page_url=stack.url("developers", ticket))
    assert answered.status_code == 303
    viewer_id = member_id(owner, stack, organisation, viewer_address)
    assert post_form(owner, url + f"/members/{viewer_id}", {"role": "remove"}, page_url=url).status_code == 303
    assert viewer.get(stack.url("developers", ticket), allow_redirects=False).status_code == 404
    assert ticket not in viewer.get(stack.url("developers", "/support")).text
