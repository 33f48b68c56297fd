"""`/internal/metrics` (issue 21, item 3): the pool's figures summed over all its workers, past and present. Requests
spread over both workers are counted exactly once; a worker killed with SIGKILL and a reload take nothing back;
`promtool check metrics` accepts both sites' output; and Debian's Prometheus, started here, scrapes both sites
through nginx and answers a query.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import time

import pytest

SERIES = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$')


def scrape(stack, site="app"):
    with stack.session() as s:
        answer = s.get(stack.url(site, "/internal/metrics"), timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return answer.text


def value(text, name, **labels):
    """The sum of the samples of `name` whose labels include `labels`."""
    total = 0.0
    for line in text.splitlines():
        match = SERIES.match(line)
        if not match or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', match.group(2) or ""))
        if all(found.get(k) == v for k, v in labels.items()):
            total += float(match.group(3))
    return total


def livez(stack):
    return value(scrape(stack), "catalystwells_http_requests_total", route="/livez", site="app", status="200")


def hit(stack, count):
    with stack.session() as s:
        for _ in range(count):
            assert s.get(stack.url("app", "/livez"), timeout=10).status_code == 200


def test_requests_over_every_worker_are_counted_exactly_once(stack):
    assert len(stack.worker_pids("app")) >= 2
    before = livez(stack)
    # Fresh connections: nginx spreads them over both workers.
    for _ in range(40):
        with stack.session() as s:
            assert s.get(stack.url("app", "/livez"), timeout=10).status_code == 200
    # Workers report every second.
    stack.wait_until(lambda: livez(stack) - before == 40, timeout=10, what="40 more /livez requests in the metrics")
    time.sleep(1.5)
    assert livez(stack) - before == 40
    text = scrape(stack)
    assert value(text, "catalystwells_workers", site="app") == len(stack.worker_pids("app"))
    assert value(text, "catalystwells_http_request_duration_seconds_count", route="/livez") >= 40
    assert 'route="unmatched"' in scrape_after_a_404(stack)


def scrape_after_a_404(stack):
    with stack.session() as s:
        assert s.get(stack.url("app", "/no/such/page/12345"), timeout=10).status_code == 404
    time.sleep(1.2)
    text = scrape(stack)
    assert "12345" not in text
    return text


def test_a_killed_worker_and_a_reload_take_nothing_back(stack):
    hit(stack, 20)
    time.sleep(1.2)
    counted = livez(stack)
    restarts = value(scrape(stack), "catalystwells_worker_restarts_total", site="app")
    victim = stack.worker_pids("app")[0]
    os.kill(victim, signal.SIGKILL)
    stack.wait_until(lambda: victim not in stack.worker_pids("app") and len(stack.worker_pids("app")) >= 2, timeout=20,
                     what="the killed worker replaced")
    stack.wait_until(lambda: value(scrape(stack), "catalystwells_worker_restarts_total", site="app") == restarts + 1, timeout=10,
                     what="the restart counted")
    assert livez(stack) >= counted
    old = set(stack.worker_pids("app"))
    os.kill(stack.supervisor_pid("app"), signal.SIGHUP)
    stack.wait_until(lambda: old.isdisjoint(stack.worker_pids("app")) and len(stack.worker_pids("app")) >= 2, timeout=60,
                     what="every worker replaced by the reload")
    assert livez(stack) >= counted


def test_the_token_endpoint_and_sign_ins_are_counted(stack, demo, confidential_client):
    before = scrape(stack)
    with stack.session() as s:
        answer = s.post(stack.url("app", "/api/oauth/token"), auth=confidential_client.basic, timeout=10,
                        data={"grant_type": "client_credentials"})
        assert answer.status_code == 200, answer.text
        page = s.get(stack.url("app", "/login"), timeout=10)
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        assert s.post(stack.url("app", "/login"), allow_redirects=False, timeout=10,
                      data={"csrf": csrf, "identifier": "student57", "password": "wrong password"}).status_code in (200, 401, 422)

    def grew():
        text = scrape(stack)
        return (value(text, "catalystwells_oauth_tokens_issued_total", grant_type="client_credentials")
                > value(before, "catalystwells_oauth_tokens_issued_total", grant_type="client_credentials")
                and value(text, "catalystwells_sign_ins_total", result="failure") > value(before, "catalystwells_sign_ins_total", result="failure"))
    stack.wait_until(grew, timeout=10, what="the token and the failed sign-in counted")


def test_promtool_accepts_both_sites(stack):
    for site in ("app", "developers"):
        check = subprocess.run(["promtool", "check", "metrics"], input=scrape(stack, site), capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_debian_prometheus_scrapes_both_sites(stack, tmp_path):
    """Prometheus connects to the sites by name (nginx answers an unknown Host with 421, and Prometheus 2.42 cannot set
    one), and *.localhost is not in this machine's resolver: it runs in a mount namespace of its own whose /etc/hosts
    says where they are, as a production server's /etc/hosts says its own names are 127.0.0.1 (README "Monitoring")."""
    binary = shutil.which("prometheus")
    assert binary, "Debian's prometheus is not installed (tests/run-all.sh installs it)"
    if os.geteuid() != 0:
        pytest.skip("needs root for a private /etc/hosts (unshare --mount; CI runs as root)")
    port = free_port()
    host = stack.app_url.split("//")[1].split(":")[0]
    developers_host = stack.developers_url.split("//")[1].split(":")[0]
    config = tmp_path / "prometheus.yml"
    jobs = ""
    for job, name in (("app", host), ("developers", developers_host)):
        jobs += f"""
  - job_name: {job}
    scrape_interval: 1s
    scheme: https
    metrics_path: /internal/metrics
    tls_config:
      ca_file: {stack.ca_file}
      server_name: {name}
    static_configs:
      - targets: ["{name}:{stack.https_port}"]
"""
    config.write_text("global:\n  scrape_interval: 1s\nscrape_configs:" + jobs)
    check = subprocess.run(["promtool", "check", "config", str(config)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    hosts = tmp_path / "hosts"
    hosts.write_text(open("/etc/hosts").read() + f"\n127.0.0.1 {host} {developers_host}\n")
    server = subprocess.Popen(["unshare", "--mount", "--propagation", "private", "sh", "-c",
                               'mount --bind "$1" /etc/hosts && exec "$2" --config.file="$3" --storage.tsdb.path="$4" '
                               '--web.listen-address="$5"', "prometheus", str(hosts), binary, str(config), str(tmp_path / "data"),
                               f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        import requests

        api = requests.Session()
        api.trust_env = False

        def targets_up():
            answer = api.get(f"http://127.0.0.1:{port}/api/v1/targets", timeout=3).json()
            health = {t["labels"]["job"]: (t["health"], t.get("lastError")) for t in answer["data"]["activeTargets"]}
            return health.get("app", ("", ""))[0] == "up" and health.get("developers", ("", ""))[0] == "up" and health

        stack.wait_until(targets_up, timeout=30, interval=0.5, what="Prometheus scraping both sites")
        answer = api.get(f"http://127.0.0.1:{port}/api/v1/query", params={"query": 'sum by (job) (catalystwells_workers)'}, timeout=5).json()
        workers = {r["metric"]["job"]: float(r["value"][1]) for r in answer["data"]["result"]}
        assert workers["app"] >= 2 and workers["developers"] >= 1, answer
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_the_example_alert_rules_and_scrape_configuration_are_valid():
    from conftest import REPO

    rules = subprocess.run(["promtool", "check", "rules", str(REPO / "deploy" / "prometheus" / "catalystwells-alerts.yml")],
                           capture_output=True, text=True)
    assert rules.returncode == 0, rules.stdout + rules.stderr
    config = subprocess.run(["promtool", "check", "config", "--syntax-only", str(REPO / "deploy" / "prometheus" / "prometheus.yml")],
                            capture_output=True, text=True)
    assert config.returncode == 0, config.stdout + config.stderr


def cron(stack, site, path):
    secret = (stack.dir / "secrets" / "cron.secret").read_text().strip()
    with stack.session() as s:
        return s.post(stack.url(site, path), headers={"Authorization": f"Bearer {secret}"}, timeout=60)


def root_sql(stack, statement):
    out = subprocess.run(["mariadb", "--no-defaults", f"--socket={stack.mariadb_socket}", "-u", "root", "-N", "-B"],
                         input=statement, capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


def test_sync_webhook_queue_and_reconnect_figures(stack):
    before_app, before_developers = scrape(stack), scrape(stack, "developers")
    assert cron(stack, "app", "/internal/cron/sync").status_code in (200, 409)
    assert cron(stack, "developers", "/internal/cron/webhooks").status_code == 200
    waiting = int(root_sql(stack, "SELECT COUNT(*) FROM catalyst_developers.webhook_deliveries WHERE status = 'pending'")[0])

    def counted():
        text = scrape(stack)
        return (value(text, "catalystwells_sync_duration_seconds_count", site="app")
                > value(before_app, "catalystwells_sync_duration_seconds_count", site="app"))
    stack.wait_until(counted, timeout=10, what="the sync run in catalystwells_sync_duration_seconds")
    app = scrape(stack)
    assert re.search(r'^catalystwells_sync_lag_seconds\{site="app"\} \d', app, re.M), "no sync lag gauge"
    developers = scrape(stack, "developers")
    assert value(developers, "catalystwells_webhook_queue_depth", site="developers") == waiting
    assert "# TYPE catalystwells_webhook_failures_total counter" in developers
    assert value(developers, "catalystwells_webhook_failures_total") >= value(before_developers, "catalystwells_webhook_failures_total")

    # The server ends the app pool's connections: the workers notice and open new ones, each counted once.
    reconnects = value(app, "catalystwells_database_reconnects_total", site="app")
    for connection in root_sql(stack, "SELECT id FROM information_schema.processlist WHERE user = 'catalyst_app'"):
        root_sql(stack, f"KILL CONNECTION {connection}")
    with stack.session() as s:
        for _ in range(20):
            assert s.get(stack.url("app", "/healthz"), timeout=10).status_code == 200
    stack.wait_until(lambda: value(scrape(stack), "catalystwells_database_reconnects_total", site="app") > reconnects, timeout=10,
                     what="the reconnects counted")
