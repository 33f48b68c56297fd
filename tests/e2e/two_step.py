"""Two-step sign-in for the end-to-end tests: codes from an account's authenticator seed (pyotp), never the same
time step twice for one seed (the server accepts a step once: RFC 6238 §5.2), and the code step after a password.

The demo's admins must use two-step sign-in (the platform admin always, school admins by the default policy); their
seeds are in demo.json (`totp_secret`), registered here by conftest so every sign-in helper can pass the code step.
"""
import re
import threading
import time

import pyotp

CSRF_FIELD = re.compile(r'name="csrf" value="([^"]+)"')
CODE_STEP = "/login/two-step"

# identifier (email or username, lower-cased) -> base32 seed
SEEDS = {}
_last_step = {}
_lock = threading.Lock()


def register(identifiers, seed):
    for identifier in identifiers:
        if identifier:
            SEEDS[identifier.lower()] = seed


def seed_of(identifier):
    return SEEDS.get((identifier or "").lower())


def fresh_code(seed):
    """A current code of `seed` whose time step this process has not used yet (waits for the next step if needed)."""
    totp = pyotp.TOTP(seed)
    with _lock:
        while True:
            step = int(time.time()) // 30
            if _last_step.get(seed, -1) < step:
                _last_step[seed] = step
                return totp.at(step * 30)
            time.sleep(step * 30 + 30.05 - time.time())


def pass_code_step(stack, http, answer, identifier):
    """After a password POST answered with the code step, submits a fresh code; returns the answer to that."""
    if answer.status_code != 303 or answer.headers.get("Location") != CODE_STEP:
        return answer
    seed = seed_of(identifier)
    assert seed, f"{identifier} has two-step sign-in on, but no seed is registered for it"
    page = http.get(stack.url("app", CODE_STEP), timeout=10)
    token = CSRF_FIELD.search(page.text).group(1)
    return http.post(stack.url("app", CODE_STEP), allow_redirects=False, timeout=10,
                     data={"csrf": token, "code": fresh_code(seed)})
