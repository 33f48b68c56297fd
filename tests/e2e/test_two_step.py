"""Two-step sign-in for school users (issue 16, items 4 and 5), through nginx with pyotp as the authenticator app:
enrolment, the code step (a code is accepted once), recovery codes, the school's rule of who must have it (a person
who must is sent to set it up before any other page), and a school admin's reset, each in the security audit log."""
import re
import subprocess

import pyotp
import pytest

from two_step import CODE_STEP, fresh_code

CSRF_FIELD = re.compile(r'name="csrf" value="([^"]+)"')
SECRET = re.compile(r'<code id="totp-secret">([^<]+)</code>')
RECOVERY = re.compile(r"<li><code>([^<]+)</code></li>")


def sql(stack, statement):
    out = subprocess.run(["mariadb", "--no-defaults", f"--socket={stack.mariadb_socket}", "-u", "root", "-N", "-B", "catalyst_main"],
                         input=statement, capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return [line.split("\t") for line in out.stdout.splitlines()]


def csrf(page):
    return CSRF_FIELD.search(page.text).group(1)


def password_step(stack, http, who):
    page = http.get(stack.url("app", "/login"), timeout=10)
    return http.post(stack.url("app", "/login"), allow_redirects=False, timeout=10,
                     data={"csrf": csrf(page), "identifier": who["username"], "password": who["password"]})


def code_step(stack, http, code):
    page = http.get(stack.url("app", CODE_STEP), timeout=10)
    return http.post(stack.url("app", CODE_STEP), allow_redirects=False, timeout=10, data={"csrf": csrf(page), "code": code})


def post(stack, http, path, page_path, **data):
    page = http.get(stack.url("app", page_path), timeout=10)
    return http.post(stack.url("app", path), allow_redirects=False, timeout=10, data={"csrf": csrf(page), **data})


@pytest.fixture()
def teacher(stack, demo):
    """The third demo teacher, with two-step sign-in off before and after the test."""
    who = demo["teachers"][2]
    sql(stack, f"DELETE FROM user_recovery_codes WHERE user_id = {who['id']}; DELETE FROM user_totp WHERE user_id = {who['id']}")
    yield who
    sql(stack, f"DELETE FROM user_recovery_codes WHERE user_id = {who['id']}; DELETE FROM user_totp WHERE user_id = {who['id']}")


def enrol(stack, http):
    """Sets up two-step sign-in on the signed-in account; returns the seed and the recovery codes."""
    started = post(stack, http, "/account/two-step/start", "/account/two-step")
    assert (started.status_code, started.headers["Location"]) == (303, "/account/two-step/setup")
    setup = http.get(stack.url("app", "/account/two-step/setup"), timeout=10)
    assert setup.status_code == 200 and 'id="totp-qr"' in setup.text
    seed = SECRET.search(setup.text).group(1).replace(" ", "")
    wrong = http.post(stack.url("app", "/account/two-step/confirm"), allow_redirects=False, timeout=10,
                      data={"csrf": csrf(setup), "code": "000000" if pyotp.TOTP(seed).now() != "000000" else "111111"})
    assert wrong.status_code == 422 and "does not match" in wrong.text
    done = http.post(stack.url("app", "/account/two-step/confirm"), allow_redirects=False, timeout=10,
                     data={"csrf": csrf(setup), "code": fresh_code(seed)})
    assert done.status_code == 200 and done.headers["Cache-Control"] == "no-store", done.text
    codes = RECOVERY.findall(done.text)
    assert len(codes) == 10
    return seed, codes


def test_a_teacher_turns_on_two_step_sign_in_and_then_needs_a_code_once_per_step(stack, demo, teacher):
    http = stack.session()
    assert password_step(stack, http, teacher).headers["Location"] == "/teacher"
    seed, recovery = enrol(stack, http)

    # The password alone now gives no session: the code step follows, and a code counts once.
    fresh = stack.session()
    first = password_step(stack, fresh, teacher)
    assert (first.status_code, first.headers["Location"]) == (303, CODE_STEP)
    assert "__Host-cw_session" not in fresh.cookies
    assert fresh.get(stack.url("app", "/teacher"), allow_redirects=False, timeout=10).status_code == 303
    code = fresh_code(seed)
    signed_in = code_step(stack, fresh, code)
    assert (signed_in.status_code, signed_in.headers["Location"]) == (303, "/teacher")
    assert fresh.get(stack.url("app", "/teacher"), timeout=10).status_code == 200

    replay = stack.session()
    password_step(stack, replay, teacher)
    again = code_step(stack, replay, code)
    assert again.status_code == 422 and "already used" in again.text
    assert "__Host-cw_session" not in replay.cookies

    # A recovery code works once, in place of the app's code.
    assert code_step(stack, replay, recovery[0]).headers["Location"] == "/teacher"
    other = stack.session()
    password_step(stack, other, teacher)
    assert code_step(stack, other, recovery[0]).status_code == 422

    events = sql(stack, f"SELECT event, method FROM security_audit_log WHERE subject_id = {teacher['id']} ORDER BY id DESC LIMIT 6")
    assert ["second_factor_changed", ""] in events or any(e[0] == "second_factor_changed" for e in events)
    assert any(e == ["sign_in", "pwd otp"] for e in events), events
    assert any(e == ["sign_in_failed", "otp"] for e in events), events


def test_a_role_the_school_requires_it_of_is_sent_to_set_it_up_and_an_admin_can_reset_it(stack, demo, teacher):
    admin = stack.session()
    from two_step import pass_code_step

    assert pass_code_step(stack, admin, password_step(stack, admin, demo["school_admin"]), demo["school_admin"]["username"]) \
        .headers["Location"] == "/school"
    required = post(stack, admin, "/school/sign-in/second-factor", "/school/sign-in", required_roles=["school_admin", "teacher"])
    assert required.status_code == 303
    try:
        http = stack.session()
        assert password_step(stack, http, teacher).headers["Location"] == "/teacher"
        sent = http.get(stack.url("app", "/teacher"), allow_redirects=False, timeout=10)
        assert (sent.status_code, sent.headers["Location"]) == (303, "/account/two-step?required=1")
        page = http.get(stack.url("app", "/account/two-step?required=1"), timeout=10)
        assert "Your school requires two-step sign-in for your role" in page.text
        enrol(stack, http)
        assert http.get(stack.url("app", "/teacher"), timeout=10).status_code == 200
        refused = post(stack, http, "/account/two-step/disable", "/account/two-step", code="123456")
        assert refused.status_code == 409

        # The admin resets it: the teacher is signed out everywhere and has no second factor.
        reset = post(stack, admin, f"/school/users/{teacher['id']}/reset-two-step", "/school/sign-in")
        assert reset.status_code == 303
        assert http.get(stack.url("app", "/teacher"), allow_redirects=False, timeout=10).headers["Location"].startswith("/login")
        assert sql(stack, f"SELECT COUNT(*) FROM user_totp WHERE user_id = {teacher['id']}") == [["0"]]
        logged = sql(stack, f"SELECT actor_id FROM security_audit_log WHERE event = 'second_factor_changed' AND subject_id = {teacher['id']} "
                            "ORDER BY id DESC LIMIT 1")
        assert logged == [[str(demo["school_admin"]["id"])]]
    finally:
        post(stack, admin, "/school/sign-in/second-factor", "/school/sign-in", required_roles=["school_admin"])
