"""Foundation behaviour a school IT admin or an integrator would notice, through nginx over TLS."""
import json
import socket
import ssl

import pytest
import requests


@pytest.mark.parametrize("site", ["app", "developers"])
def test_healthz_reports_the_database_on_both_hosts(stack, http, site):
    response = http.get(stack.url(site, "/healthz"))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    body = response.json()
    assert body["status"] == "ok"
    assert body["site"] == site
    assert body["database"] == "up"
    assert body["schema_version"] >= 1


def test_each_host_reaches_its_own_pool(stack, http):
    app = http.get(stack.url("app", "/"))
    developers = http.get(stack.url("developers", "/"))
    assert app.status_code == developers.status_code == 200
    assert "CatalystWells Developers" not in app.text
    assert "CatalystWells Developers" in developers.text and "Create a developer account" in developers.text
    assert http.get(stack.url("developers", "/livez")).json()["site"] == "developers"


def test_security_headers_are_on_every_response(stack, http):
    for response in (http.get(stack.url("app", "/")), http.get(stack.url("developers", "/api/nothing"))):
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
        csp = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "Server" not in response.headers or "nginx/" not in response.headers["Server"]


def test_plain_http_redirects_to_https(stack):
    response = requests.get(f"http://app.localhost:{stack.http_port}/healthz?x=1", allow_redirects=False)
    assert response.status_code == 301
    assert response.headers["Location"] == f"https://app.localhost:{stack.https_port}/healthz?x=1"


def test_an_unknown_host_gets_no_site(stack):
    context = ssl.create_default_context(cafile=stack.ca_file)
    context.check_hostname = False
    with socket.create_connection(("127.0.0.1", stack.https_port), timeout=5) as raw:
        with pytest.raises(ssl.SSLError):
            with context.wrap_socket(raw, server_hostname="unknown.example") as tls:
                tls.sendall(b"GET / HTTP/1.1\r\nHost: unknown.example\r\n\r\n")
                tls.recv(100)
    # On plain HTTP nginx closes the connection without an answer (444).
    with socket.create_connection(("127.0.0.1", stack.http_port), timeout=5) as plain:
        plain.sendall(b"GET / HTTP/1.1\r\nHost: unknown.example\r\nConnection: close\r\n\r\n")
        assert plain.recv(100) == b""


def test_a_known_certificate_name_with_a_wrong_host_header_is_refused(stack):
    # SNI says app.localhost but the Host header names another site: nginx must not serve it as the app.
    context = ssl.create_default_context(cafile=stack.ca_file)
    with socket.create_connection(("127.0.0.1", stack.https_port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname="app.localhost") as tls:
            tls.sendall(b"GET /livez HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n")
            data = b""
            while chunk := tls.recv(4096):
                data += chunk
    assert b'"site":"app"' not in data


BAD_INPUTS = [
    ("invalid percent-encoding in an API query", "/api/x?a=%zz", 400, "json", "percent-encoding"),
    ("invalid UTF-8 in an API query", "/api/x?a=%C3%28", 400, "json", "not valid UTF-8"),
    ("invalid UTF-8 in the query of a page", "/?q=%FF%FE", 400, "html", "not valid UTF-8"),
    ("an over-long URI", "/" + "a" * 5000, 400, "html", "longer than"),
    ("an unknown API path", "/api/v1/nothing", 404, "json", "not_found"),
    ("an unknown page", "/no/such/page", 404, "html", "Page not found"),
]


@pytest.mark.parametrize("name,path,status,kind,needle", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_gets_a_clear_error_never_a_500(stack, name, path, status, kind, needle):
    # Sent byte for byte: HTTP client libraries would "fix" the malformed escapes before sending.
    got_status, headers, body = stack.raw_get("app.localhost", path)
    assert got_status == status
    if kind == "json":
        assert headers["content-type"].startswith("application/json")
        document = json.loads(body)
        assert needle in document["error"] + " " + document["error_description"]
    else:
        assert headers["content-type"].startswith("text/html")
        assert needle in body.decode()


def test_invalid_percent_encoding_in_the_path_is_refused_by_nginx_with_a_400(stack):
    # nginx decodes the path itself and answers 400 before the pool sees it; never a 500.
    status, _, _ = stack.raw_get("app.localhost", "/api/x%zz")
    assert status == 400


def test_an_over_long_header_is_a_400(stack, http):
    response = http.get(stack.url("app", "/livez"), headers={"X-Padding": "p" * 6000})
    assert response.status_code == 400
    assert "x-padding header is longer than" in response.json()["error_description"]


def test_a_body_over_the_limit_is_a_413(stack, http):
    response = http.post(stack.url("app", "/api/upload"), data=b"x" * (2 * 1024 * 1024),
                         headers={"Content-Type": "application/octet-stream"})
    assert response.status_code == 413


def test_a_wrong_method_is_a_405_with_allow(stack, http):
    response = http.post(stack.url("app", "/healthz"), data=b"")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD"


def test_the_client_cannot_spoof_its_address_or_the_request_id(stack, http):
    response = http.get(stack.url("app", "/livez"), headers={"X-Forwarded-For": "203.0.113.9", "Request-Id": "f" * 32})
    assert response.status_code == 200
    assert response.headers["X-Request-ID"] != "f" * 32
    assert len(response.headers["X-Request-ID"]) == 32
