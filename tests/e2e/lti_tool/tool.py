"""A real LTI 1.3 tool for the end-to-end tests: Flask and pylti1p3 (PyPI), not our code, over HTTPS on loopback.

- `/login`: the third-party-initiated login (GET or POST); pylti1p3 checks the issuer and client and redirects the
  browser to the platform's authentication endpoint with state (a cookie), nonce (the session), login_hint and
  lti_message_hint.
- `/launch`: the form-posted id_token; pylti1p3 verifies state, nonce, the signature against the platform's JWKS
  (the JWKS the test fetched from `/api/oauth/jwks` and wrote into the config), the registration, the deployment and the message, and the page shows
  the verified launch: name, roles, context, resource link. A form-posted OIDC error is shown as such.
  When the launch carries the NRPS claim, the tool reads the class's memberships through pylti1p3 (a
  `client_credentials` token from its `private_key_jwt` assertion) and the page counts them.
- Deep Linking 2.0: a verified `LtiDeepLinkingRequest` at `/launch` shows a content picker (the items of the
  config's `deep_link_items`); choosing posts to `/deep-link/respond`, which rebuilds the launch from pylti1p3's cache
  and answers with `get_deep_link().output_response_form()` (an `LtiDeepLinkingResponse` JWT signed with the tool's
  private key, auto-posted to the platform's `deep_link_return_url`). The JWT is recorded for the test.
- `/control/launches`: what it verified or refused, as JSON, for the test's assertions (loopback only).

The registration (issuer, client id, deployment ids) is read from `--config` at each request, so the test can write
it once the tool is registered on the platform and placed in a class.
"""
import argparse
import datetime
import html
import ipaddress
import json
import os
import secrets
import socket
import ssl
import sys
import threading
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from flask import Flask, jsonify, request
from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException, LtiServiceException, OIDCException
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem
from pylti1p3.tool_config import ToolConfDict
from werkzeug.serving import make_server

_getaddrinfo = socket.getaddrinfo


def _loopback_getaddrinfo(host, *args, **kwargs):
    # Browsers resolve *.localhost to loopback (RFC 6761); Python's resolver does not: the platform's token endpoint
    # and NRPS URL are on app.localhost.
    if isinstance(host, str) and host.endswith(".localhost"):
        host = "127.0.0.1"
    return _getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = _loopback_getaddrinfo

app = Flask(__name__)
app.secret_key = secrets.token_bytes(32)
# The id_token arrives as a cross-site POST from the platform: the session (which holds the nonce) must reach it.
app.config.update(SESSION_COOKIE_SAMESITE="None", SESSION_COOKIE_SECURE=True)
CONFIG_PATH = None
EVENTS = []
EVENTS_LOCK = threading.Lock()


def tool_conf():
    config = json.loads(Path(CONFIG_PATH).read_text())
    conf = ToolConfDict({config["issuer"]: [{
        "default": True,
        "client_id": config["client_id"],
        "auth_login_url": config["issuer"] + "/lti/authorize",
        "auth_token_url": config["issuer"] + "/api/oauth/token",
        "key_set_url": config["issuer"] + "/api/oauth/jwks",
        # The platform's JWKS as the test fetched it: this process cannot resolve *.localhost names.
        "key_set": config.get("key_set"),
        "deployment_ids": config["deployment_ids"],
    }]})
    conf.set_private_key(config["issuer"], config["private_key_pem"], client_id=config["client_id"])
    # With the public key set, pylti1p3 names the key in its service assertions by its RFC 7638 thumbprint.
    conf.set_public_key(config["issuer"], config["public_key_pem"], client_id=config["client_id"])
    return conf


def record(event):
    with EVENTS_LOCK:
        EVENTS.append(event)


@app.route("/login", methods=["GET", "POST"])
def login():
    target = request.values.get("target_link_uri", "")
    record({"kind": "login", "fields": {k: v for k, v in request.values.items() if k != "lti_message_hint"},
            "has_message_hint": bool(request.values.get("lti_message_hint"))})
    try:
        return FlaskOIDCLogin(FlaskRequest(), tool_conf()).redirect(target)
    except (OIDCException, LtiException) as error:
        record({"kind": "refused", "step": "login", "error": str(error)})
        return f"<!doctype html><title>Login refused</title><p id='error'>{html.escape(str(error))}</p>", 400


@app.route("/launch", methods=["POST"])
def launch():
    if "error" in request.form:
        record({"kind": "error", "error": request.form["error"], "description": request.form.get("error_description"),
                "state": request.form.get("state")})
        return f"<!doctype html><title>Platform error</title><p id='error'>{html.escape(request.form['error'])}</p>", 400
    try:
        message_launch = FlaskMessageLaunch(FlaskRequest(), tool_conf())
        data = message_launch.get_launch_data()
        if message_launch.is_deep_link_launch():
            return deep_link_picker(message_launch, data)
        # NRPS through pylti1p3: a client_credentials token (its private_key_jwt assertion), then the memberships.
        members = message_launch.get_nrps().get_members() if message_launch.has_nrps() else None
    except (LtiException, LtiServiceException) as error:
        record({"kind": "refused", "step": "launch", "error": str(error)})
        return f"<!doctype html><title>Launch refused</title><p id='error'>{html.escape(str(error))}</p>", 400
    claim = "https://purl.imsglobal.org/spec/lti/claim/"
    launch = {
        "kind": "launch", "sub": data.get("sub"), "name": data.get("name"), "roles": data.get(claim + "roles", []),
        "context": data.get(claim + "context", {}), "resource_link": data.get(claim + "resource_link", {}),
        "deployment_id": data.get(claim + "deployment_id"), "message_type": data.get(claim + "message_type"),
        "custom": data.get(claim + "custom"),
        "members": None if members is None else [{"name": m.get("name"), "roles": m.get("roles")} for m in members],
    }
    record(launch)
    roles = "".join(f"<li>{html.escape(r)}</li>" for r in launch["roles"])
    return (f"<!doctype html><html lang='en'><title>Verified launch</title><h1>Verified LTI launch</h1>"
            f"<p id='name'>{html.escape(launch['name'] or '')}</p><ul id='roles'>{roles}</ul>"
            f"<p id='context'>{html.escape(launch['context'].get('title', ''))}</p>"
            f"<p id='resource-link'>{html.escape(launch['resource_link'].get('title', ''))}</p>"
            f"<p id='member-count'>{'' if members is None else len(members)}</p></html>")


@app.route("/ags-launch", methods=["POST"])
def ags_launch():
    """A launch whose tool then grades the person through AGS with pylti1p3 (`message_launch.get_ags()`): it finds or
    creates the line item tagged by the config's `ags.tag` for the launch's resource link, posts the person's score
    (`ags.score_given` of `ags.score_maximum`, FullyGraded, now), and reads the line item's results back."""
    if "error" in request.form:
        record({"kind": "error", "error": request.form["error"], "description": request.form.get("error_description")})
        return f"<!doctype html><title>Platform error</title><p id='error'>{html.escape(request.form['error'])}</p>", 400
    settings = json.loads(Path(CONFIG_PATH).read_text()).get("ags", {})
    try:
        message_launch = FlaskMessageLaunch(FlaskRequest(), tool_conf())
        data = message_launch.get_launch_data()
        if not message_launch.has_ags():
            raise LtiException("the launch carries no AGS endpoint claim")
        ags = message_launch.get_ags()
        endpoint = data.get("https://purl.imsglobal.org/spec/lti-ags/claim/endpoint", {})
        link = data.get("https://purl.imsglobal.org/spec/lti/claim/resource_link", {}).get("id")
        wanted = (LineItem().set_tag(settings.get("tag", "score")).set_label(settings.get("label", "Tool score"))
                  .set_score_maximum(settings.get("line_item_maximum", 10)).set_resource_link_id(link))
        lineitem = ags.find_or_create_lineitem(wanted)
        grade = (Grade().set_score_given(settings.get("score_given", 8)).set_score_maximum(settings.get("score_maximum", 10))
                 .set_timestamp(datetime.datetime.now(datetime.timezone.utc).isoformat())
                 .set_activity_progress("Completed").set_grading_progress("FullyGraded").set_user_id(data.get("sub"))
                 .set_comment(settings.get("comment", "Graded by the tool")))
        ags.put_grade(grade, lineitem)
        results = ags.get_grades(lineitem)
    except (LtiException, LtiServiceException) as error:
        record({"kind": "refused", "step": "ags", "error": str(error)})
        return f"<!doctype html><title>AGS refused</title><p id='error'>{html.escape(str(error))}</p>", 400
    event = {"kind": "ags", "sub": data.get("sub"), "endpoint": endpoint, "lineitem": json.loads(lineitem.get_value()),
             "lineitem_id": lineitem.get_id(), "results": results}
    record(event)
    return (f"<!doctype html><html lang='en'><title>Graded</title><h1>Graded through AGS</h1>"
            f"<p id='lineitem'>{html.escape(lineitem.get_label() or '')}</p><p id='results'>{len(results)}</p></html>")


def deep_link_picker(message_launch, data):
    """A verified Deep Linking request: the content the tool offers, one button each."""
    claim = "https://purl.imsglobal.org/spec/lti/claim/"
    settings = data.get("https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings", {})
    record({"kind": "deep_link_request", "sub": data.get("sub"), "roles": data.get(claim + "roles", []),
            "context": data.get(claim + "context", {}), "deployment_id": data.get(claim + "deployment_id"),
            "message_type": data.get(claim + "message_type"), "target_link_uri": data.get(claim + "target_link_uri"),
            "settings": settings})
    items = json.loads(Path(CONFIG_PATH).read_text()).get("deep_link_items", [])
    launch_id = html.escape(message_launch.get_launch_id())
    buttons = "".join(
        f"<form method='post' action='/deep-link/respond'><input type='hidden' name='launch_id' value='{launch_id}'>"
        f"<input type='hidden' name='item' value='{index}'><button type='submit' id='choose-{index}'>"
        f"Add {html.escape(item['title'])}</button></form>" for index, item in enumerate(items))
    return (f"<!doctype html><html lang='en'><title>Choose content</title><h1>Choose content</h1>"
            f"<p id='context'>{html.escape(data.get(claim + 'context', {}).get('title', ''))}</p>{buttons}</html>")


@app.route("/deep-link/respond", methods=["POST"])
def deep_link_respond():
    """The chosen item as an ltiResourceLink content item, answered through pylti1p3's DeepLink."""
    try:
        message_launch = FlaskMessageLaunch.from_cache(request.form["launch_id"], FlaskRequest(), tool_conf())
        if not message_launch.is_deep_link_launch():
            raise LtiException("not a deep linking launch")
        item = json.loads(Path(CONFIG_PATH).read_text())["deep_link_items"][int(request.form["item"])]
        resource = DeepLinkResource().set_url(item["url"]).set_title(item["title"])
        if item.get("custom"):
            resource.set_custom_params(item["custom"])
        deep_link = message_launch.get_deep_link()
        record({"kind": "deep_link_response", "jwt": deep_link.get_response_jwt([resource]),
                "return_url": message_launch.get_launch_data()[
                    "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"]["deep_link_return_url"]})
        return deep_link.output_response_form([resource])
    except (LtiException, KeyError, IndexError, ValueError) as error:
        record({"kind": "refused", "step": "deep_link_respond", "error": str(error)})
        return f"<!doctype html><title>Deep linking refused</title><p id='error'>{html.escape(str(error))}</p>", 400


@app.route("/control/launches")
def launches():
    with EVENTS_LOCK:
        return jsonify(list(EVENTS))


def issue_certificate(ca_cert_path, ca_key_path, folder):
    """A leaf for 127.0.0.1 from the dev CA (name-constrained to localhost and 127/8, so the CN is a localhost name)."""
    ca_cert = x509.load_pem_x509_certificate(Path(ca_cert_path).read_bytes())
    ca_key = serialization.load_pem_private_key(Path(ca_key_path).read_bytes(), password=None)
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "lti-tool.localhost")]))
        .issuer_name(ca_cert.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256()))
    folder.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = folder / "tls.pem", folder / "tls.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert_path, key_path


def main():
    global CONFIG_PATH
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ca-cert", required=True)
    parser.add_argument("--ca-key", required=True)
    parser.add_argument("--state-dir", required=True)
    parser.add_argument("--config", required=True, help="JSON: issuer, client_id, deployment_ids, private_key_pem")
    parser.add_argument("--ready-file", required=True, help="the base URL is written here once listening")
    arguments = parser.parse_args()
    CONFIG_PATH = arguments.config
    cert, key = issue_certificate(arguments.ca_cert, arguments.ca_key, Path(arguments.state_dir))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(str(cert), str(key))
    server = make_server("127.0.0.1", 0, app, threaded=True, ssl_context=context)
    Path(arguments.ready_file).write_text(f"https://127.0.0.1:{server.server_port}\n")
    print(f"LTI test tool on https://127.0.0.1:{server.server_port}", file=sys.stderr, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
