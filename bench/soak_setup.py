"""Set-up of bench/soak.sh (python3, standard library only): signs in the soak's people and writes what the wrk
scripts need as a Lua table.

  python3 bench/soak_setup.py PORT CA_FILE DEMO_JSON DEVELOPERS_FILE OUT_LUA [PEOPLE]

As a browser and a client's back end would, through nginx over TLS (connecting to 127.0.0.1 while SNI and Host stay
the site's name): PEOPLE demo students and as many demo parents sign in on the app site (GET /login, POST /login),
each authorizes demo-confidential with PKCE S256 and offline_access (the consent form's POST when the page shows,
so that later authorizations answer 303 with a code straight away) and the code is exchanged (client_secret_basic);
the developers listed in DEVELOPERS_FILE (one "email password" a line) sign in on the developers site.

OUT_LUA gets: the sign-in names of every demo student and parent (the sign-in load cycles through them, so no one
person signs in often), the developers, the client's Basic credentials, the redirect URI, the PKCE verifier, and
per person the session cookie and the authorization path, the access and refresh tokens, the person's API paths and
pages. It holds live credentials: soak.sh keeps it in its private wrk directory.
"""
import base64
import hashlib
import html.parser
import http.client
import json
import re
import secrets
import socket
import ssl
import sys
import urllib.parse as up

APP_HOST = "app.localhost"
DEVELOPERS_HOST = "developers.localhost"
SCOPES = {
    "student": "openid profile.read offline_access student.classes.read student.grades.read student.attendance.read",
    "parent": "openid profile.read offline_access parent.children.read parent.grades.read parent.attendance.read",
}


def fail(message):
    sys.exit("soak set-up: " + message)


class Site:
    def __init__(self, host, port, context):
        self.host = host
        self.port = port
        self.context = context

    def call(self, method, path, headers=None, form=None):
        headers = dict(headers or {})
        body = None
        if form is not None:
            body = up.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        raw = socket.create_connection(("127.0.0.1", self.port), 30)
        connection = http.client.HTTPSConnection(self.host, self.port, timeout=30, context=self.context)
        connection.sock = self.context.wrap_socket(raw, server_hostname=self.host)
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        connection.close()
        return response.status, response.headers, text

    def sign_in(self, form_cookie, session_cookie, fields):
        """GET /login, POST /login with its csrf field and form cookie: the session cookie's value."""
        status, headers, page = self.call("GET", "/login")
        match = re.search(r'name="csrf" value="([^"]*)"', page)
        if status != 200 or not match:
            fail(f"GET {self.host}/login answered {status} without a csrf field")
        cookie = cookie_value(headers, form_cookie)
        status, headers, _ = self.call("POST", "/login", {"Cookie": f"{form_cookie}={cookie}"},
                                       [("csrf", match.group(1))] + fields)
        if status != 303:
            fail(f"POST {self.host}/login as {fields[0][1]} answered {status}, not 303")
        return cookie_value(headers, session_cookie)


def cookie_value(headers, name):
    for value in headers.get_all("Set-Cookie") or []:
        match = re.match(re.escape(name) + r"=([^;]*)", value)
        if match and match.group(1):
            return match.group(1)
    fail(f"no {name} cookie was set")


class ConsentForm(html.parser.HTMLParser):
    """The hidden fields of the form that posts to /authsso."""

    def __init__(self):
        super().__init__()
        self.inside = False
        self.fields = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("action", "").split("?")[0] == "/authsso"
        elif tag == "input" and self.inside and attrs.get("type") == "hidden" and attrs.get("name"):
            self.fields.append((attrs["name"], attrs.get("value") or ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def code_of(status, headers, redirect_uri, what):
    location = headers.get("Location") or ""
    query = up.parse_qs(up.urlsplit(location).query)
    if status != 303 or not location.startswith(redirect_uri + "?") or "code" not in query:
        fail(f"{what} answered {status} (Location {location!r}), not 303 to the redirect URI with a code")
    return query["code"][0]


def lua(value):
    """A Lua literal for str, int, list and dict values (JSON string escapes are valid Lua for ASCII text)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=True)
    if isinstance(value, list):
        return "{" + ", ".join(lua(item) for item in value) + "}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key} = {lua(item)}" for key, item in value.items()) + "}"
    raise TypeError(type(value))


def main():
    if len(sys.argv) not in (6, 7):
        fail("usage: soak_setup.py PORT CA_FILE DEMO_JSON DEVELOPERS_FILE OUT_LUA [PEOPLE]")
    port, ca_file, demo_file, developers_file, out = int(sys.argv[1]), *sys.argv[2:6]
    people = int(sys.argv[6]) if len(sys.argv) == 7 else 8
    context = ssl.create_default_context(cafile=ca_file)
    app = Site(APP_HOST, port, context)
    portal = Site(DEVELOPERS_HOST, port, context)
    with open(demo_file) as file:
        demo = json.load(file)
    password = demo["password"]
    client = demo["oauth_clients"]["confidential"]
    client_id, redirect_uri = client["client_id"], client["redirect_uri"]
    basic = base64.b64encode(f"{up.quote(client_id, safe='')}:{up.quote(client['client_secret'], safe='')}".encode()).decode()
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")

    chosen = [("student", person) for person in demo["students"][:people]]
    chosen += [("parent", person) for person in demo["parents"][:people]]
    sessions, access, refresh, api, pages = [], [], [], [], []
    for role, person in chosen:
        session = app.sign_in("__Host-cw_form", "__Host-cw_session",
                              [("identifier", person["username"]), ("password", password)])
        cookie = f"__Host-cw_session={session}"
        authorize = "/authsso?" + up.urlencode({
            "response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri, "scope": SCOPES[role],
            "state": "soak", "nonce": "soak", "code_challenge": challenge, "code_challenge_method": "S256",
        }, quote_via=up.quote)
        status, headers, page = app.call("GET", authorize, {"Cookie": cookie})
        if status == 200:
            parser = ConsentForm()
            parser.feed(page)
            if not any(name == "csrf" for name, _ in parser.fields):
                fail(f"GET /authsso as {person['username']} answered 200 without a consent form")
            status, headers, _ = app.call("POST", "/authsso", {"Cookie": cookie}, parser.fields + [("decision", "approve")])
        code = code_of(status, headers, redirect_uri, f"the authorization as {person['username']}")
        status, _, text = app.call(
            "POST", "/api/oauth/token", {"Authorization": "Basic " + basic},
            {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri, "code_verifier": verifier})
        tokens = json.loads(text) if status == 200 else {}
        if "refresh_token" not in tokens:
            fail(f"the code exchange as {person['username']} answered {status} without a refresh token: {text[:300]}")
        # Consent is remembered now: the chained exchanges of the soak get a 303 with a code straight away. A
        # second grant gives the access token the reads use, so that rotating the first grant's refresh token
        # cannot touch it.
        code = code_of(*app.call("GET", authorize, {"Cookie": cookie})[:2], redirect_uri, "GET /authsso (consent remembered)")
        status, _, text = app.call(
            "POST", "/api/oauth/token", {"Authorization": "Basic " + basic},
            {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri, "code_verifier": verifier})
        if status != 200:
            fail(f"the second code exchange as {person['username']} answered {status}: {text[:300]}")
        refresh.append(tokens["refresh_token"])
        tokens = json.loads(text)
        sessions.append({"cookie": cookie, "path": authorize})
        access.append(tokens["access_token"])
        if role == "student":
            own = person["id"]
            api += [{"token": tokens["access_token"], "path": path} for path in (
                "/api/v1/me", f"/api/v1/students/{own}/classes", f"/api/v1/students/{own}/grades",
                f"/api/v1/students/{own}/attendance")]
            pages += [{"cookie": cookie, "path": path} for path in ("/student", "/account/apps")]
        else:
            child = person["children"][0]
            api += [{"token": tokens["access_token"], "path": path} for path in (
                "/api/v1/parents/me/children", f"/api/v1/students/{child}/grades", f"/api/v1/students/{child}/attendance")]
            pages += [{"cookie": cookie, "path": path} for path in ("/parent", f"/parent/children/{child}", "/account/apps")]

    developers, portal_pages = [], []
    with open(developers_file) as file:
        for line in file:
            email, developer_password = line.split()
            developers.append({"email": email, "password": developer_password})
            session = portal.sign_in("__Host-cwd_form", "__Host-cwd_session",
                                     [("email", email), ("password", developer_password)])
            portal_pages += [{"cookie": f"__Host-cwd_session={session}", "path": path}
                             for path in ("/apps", "/account", "/docs", "/apps/new", "/account/sessions", "/support")]

    users = [person["username"] for person in demo["students"] + demo["parents"]]
    data = {
        "password": password, "users": users, "developers": developers, "basic": basic,
        "redirect": up.quote(redirect_uri, safe=""), "verifier": verifier, "sessions": sessions, "access": access,
        "refresh": refresh, "api": api, "app_pages": pages, "portal_pages": portal_pages,
    }
    with open(out, "w") as file:
        file.write("-- Written by bench/soak_setup.py: live credentials of the soak stack.\nreturn " + lua(data) + "\n")
    print(json.dumps({"people": len(chosen), "developers": len(developers), "api_paths": len(api),
                      "app_pages": len(pages), "portal_pages": len(portal_pages)}))


if __name__ == "__main__":
    main()
