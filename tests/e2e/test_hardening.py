"""The security review's findings, tried as an attacker (often with a student's account) would, through nginx.

Demo users this module owns: student30 (password oracle), student31 (password change ends tokens),
parent30 (reset mail flood), student32 (the API limit across workers), student33 (trusted device).
"""
import html
import os
import re
import signal
import time
from concurrent.futures import ThreadPoolExecutor

from test_education_api import SCOPES, person, signed_in, sql, token_for

CSRF_FIELD = re.compile(r'name="csrf" value="([^"]+)"')


def change_password(stack, http, current, new="a much better passphrase 2026"):
    page = http.get(stack.url("app", "/account/password"), timeout=10)
    assert page.status_code == 200, page.status_code
    csrf = html.unescape(CSRF_FIELD.search(page.text).group(1))
    return http.post(stack.url("app", "/account/password"), allow_redirects=False, timeout=30,
                     data={"csrf": csrf, "current": current, "password": new, "confirmation": new})


def test_a_signed_in_student_cannot_use_the_password_change_as_an_oracle(stack, demo):
    student = person(demo, "students", "student30")
    http = signed_in(stack, student)
    statuses = [change_password(stack, http, f"guess {n}").status_code for n in range(12)]
    assert statuses[:5] == [422] * 5, statuses
    assert set(statuses[5:]) == {429}, statuses
    throttled = change_password(stack, http, "one more guess")
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) > 0
    # The account's own sign-in is not locked by the session's guesses.
    assert signed_in(stack, student)


def test_changing_the_password_ends_every_token_and_refresh_token_of_the_person(stack, demo, oauth, confidential_client, http):
    student = person(demo, "students", "student31")
    token = token_for(stack, oauth, confidential_client, student, SCOPES["student"] + " offline_access")
    refresh_token = token.get("refresh_token")
    assert refresh_token, token
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    assert http.get(oauth["userinfo_endpoint"], headers=bearer, timeout=10).status_code == 200

    session = signed_in(stack, student)
    changed = change_password(stack, session, student["password"], new="e2e new passphrase 2026")
    try:
        assert changed.status_code == 303 and changed.headers["Location"] == "/account/password?changed=1", changed.text[:300]
        notice = session.get(stack.url("app", "/account/password?changed=1"), timeout=10).text
        assert "apps you had connected must be signed in to again" in notice

        assert http.get(oauth["userinfo_endpoint"], headers=bearer, timeout=10).status_code == 401
        refreshed = http.post(oauth["token_endpoint"], auth=confidential_client.basic, timeout=10,
                              data={"grant_type": "refresh_token", "refresh_token": refresh_token})
        assert refreshed.status_code == 400 and refreshed.json()["error"] == "invalid_grant", refreshed.text
    finally:
        # The demo password again, so the stack can be tested again.
        change_password(stack, session, "e2e new passphrase 2026", new=student["password"])


def test_the_forgot_password_form_sends_one_mail_per_cool_down(stack, demo, mail_dir):
    parent = person(demo, "parents", "parent30")
    # A run of this test on the same stack within the cool-down would otherwise find its link still recent.
    sql(stack, f"DELETE FROM password_links WHERE user_id = {parent['id']}")
    earlier = set(mail_dir.glob("*.eml"))
    http = stack.session()
    for _ in range(5):
        page = http.get(stack.url("app", "/password/forgot"), timeout=10)
        csrf = html.unescape(CSRF_FIELD.search(page.text).group(1))
        sent = http.post(stack.url("app", "/password/forgot"), data={"csrf": csrf, "email": parent["email"]}, timeout=10)
        assert sent.status_code == 200
    time.sleep(2)  # mail goes out after the response
    mails = [path for path in set(mail_dir.glob("*.eml")) - earlier if parent["email"].lower() in path.read_text(errors="replace").lower()]
    assert len(mails) == 1, mails


def test_another_spelling_of_the_token_endpoint_is_not_the_token_endpoint(stack, confidential_client, http):
    # (nginx merges double slashes before choosing the location, so `//api/oauth/token` meets the token zone.)
    for path in ("/api/oauth/token/", "/api/oauth/introspect/", "/api/oauth/revoke/"):
        response = http.post(stack.url("app", path), auth=confidential_client.basic, timeout=10,
                             data={"grant_type": "client_credentials", "token": "x"})
        assert response.status_code == 404, (path, response.status_code)


def test_a_header_that_would_split_the_response_is_refused_and_the_worker_keeps_serving(stack, http):
    for value in ("a\r\nX-Injected: 1", "a\nb"):
        response = http.get(stack.url("app", "/internal/test/header"), params={"value": value}, timeout=10)
        assert response.status_code == 500, response.status_code
        assert "X-Injected" not in response.headers and "X-Test-Echo" not in response.headers
    plain = http.get(stack.url("app", "/internal/test/header"), params={"value": "plain"}, timeout=10)
    assert plain.status_code == 200 and plain.headers["X-Test-Echo"] == "plain"


def test_healthz_is_rate_limited_for_other_addresses_but_not_for_loopback(stack):
    import http.client
    import ssl

    context = ssl.create_default_context(cafile=stack.ca_file)

    def burst(source):
        statuses = []
        for _ in range(80):
            connection = http.client.HTTPSConnection(
                "app.localhost", stack.https_port, source_address=(source, 0), context=context, timeout=10)
            connection.request("GET", "/healthz")
            statuses.append(connection.getresponse().status)
            connection.close()
        return statuses

    # 127.0.0.2 is another address on this host, as a remote prober would be; 127.0.0.1 is the host itself.
    other = burst("127.0.0.2")
    assert other.count(200) >= 50 and 429 in other, other
    assert set(burst("127.0.0.1")) == {200}


# The API rate limit holds across workers and recycles (finding 6) --------------------------------------------------

def set_bucket(stack, client_id, tokens):
    """Sets an app's shared bucket, dated 60 s ahead so it does not refill while the test runs."""
    sql(stack, f"REPLACE INTO api_rate_buckets (client_id, tokens, updated_at) "
               f"VALUES ('{client_id}', {tokens}, UTC_TIMESTAMP(6) + INTERVAL 60 SECOND)")


def test_an_apps_api_limit_is_one_bucket_for_every_worker_and_survives_a_recycle(stack, oauth, confidential_client, demo):
    token = token_for(stack, oauth, confidential_client, person(demo, "students", "student32"), SCOPES["student"])
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    client_id = confidential_client.client_id
    sessions = [stack.session() for _ in range(8)]

    def call(n):
        # Only the app's answers count: nginx's per-address zone (every test comes from loopback) may answer 429
        # itself after a busy test, with its own page; such a call is sent again.
        for _ in range(100):
            response = sessions[n % len(sessions)].get(stack.url("app", "/api/v1/me"), headers=headers, timeout=10)
            if response.status_code != 429 or "rate_limited" in response.text:
                return response.status_code
            time.sleep(0.05)
        raise AssertionError("nginx kept refusing the calls")

    try:
        # 60 tokens in the shared bucket; 200 calls over 8 connections reach both workers. Per-worker buckets served
        # 60 per worker; one bucket serves 60, give or take the tokens leased and not spent: a lease is a tenth of
        # the burst (6), and each of a worker's threads whose lease ran out at the same moment takes one, so up to
        # workers x threads x 6 may be held back at the end, or still be held from an earlier test.
        set_bucket(stack, client_id, 60)
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(call, range(200)))
        served = statuses.count(200)
        assert set(statuses) <= {200, 429}, statuses
        workers = len(stack.worker_pids("app"))
        config = (stack.dir / "catalystwells.conf").read_text()
        threads = int(re.search(r"\[pool\.app\][^\[]*?\nthreads = (\d+)", config).group(1))
        slack = workers * threads * 6
        assert max(0, 60 - slack) <= served <= 60 + slack and served < 2 * 60, (served, workers, threads)

        # An empty bucket stays empty when every worker is replaced (before, a fresh worker started full).
        set_bucket(stack, client_id, 0)
        before = set(stack.worker_pids("app"))
        os.kill(stack.supervisor_pid("app"), signal.SIGHUP)
        stack.wait_until(lambda: not (set(stack.worker_pids("app")) & before) and len(stack.worker_pids("app")) == len(before),
                         timeout=60, what="all workers replaced")
        with ThreadPoolExecutor(8) as pool:
            after = list(pool.map(call, range(16)))
        assert after == [429] * 16, after
    finally:
        # Leave the app a full bucket for the tests that follow.
        sql(stack, f"DELETE FROM api_rate_buckets WHERE client_id = '{client_id}'")


# A shared school address: one pupil's guessing must not lock another out (finding 8) ----------------------------

def attempt_sign_in(stack, http, username, password):
    token = CSRF_FIELD.search(http.get(stack.url("app", "/login"), timeout=10).text).group(1)
    return http.post(stack.url("app", "/login"), allow_redirects=False, timeout=30,
                     data={"csrf": token, "identifier": username, "password": password})


def test_a_classmate_typing_a_pupils_name_does_not_lock_the_pupil_out_of_their_own_device(stack, demo):
    pupil = person(demo, "students", "student33")
    device = signed_in(stack, pupil)
    assert any(cookie.name == "__Host-cw_device" for cookie in device.cookies)

    # A classmate, at the same (loopback) address, types the pupil's name until the name is locked.
    classmate = stack.session()
    statuses = [attempt_sign_in(stack, classmate, pupil["username"], f"a guess {n}").status_code for n in range(6)]
    assert statuses[:5] == [200] * 5 and statuses[5] == 429, statuses
    assert attempt_sign_in(stack, classmate, pupil["username"], pupil["password"]).status_code == 429

    # The pupil's own browser (its session over, its trusted-device cookie kept) signs in at once.
    for cookie in list(device.cookies):
        if cookie.name == "__Host-cw_session":
            device.cookies.clear(cookie.domain, cookie.path, cookie.name)
    signed = attempt_sign_in(stack, device, pupil["username"], pupil["password"])
    assert signed.status_code == 303, signed.text[:300]
