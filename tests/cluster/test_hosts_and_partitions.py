"""The local cluster losing an app host, a database node cut off from the others, and cron on every host (issue 18).

Run by `make test-cluster` after test_failover.py, on the same cluster (see load.py). Each load runs
CLUSTER_SHORT_SECONDS (30).
"""
import json
import os
import subprocess
import time
import urllib.error
import urllib.request

from load import MixedLoad, checksums_agree, cluster, node_status, sql

SHORT_SECONDS = float(os.environ.get("CLUSTER_SHORT_SECONDS", "30"))
BIN = os.environ["CW_BIN"]
CONFIGS = [os.environ["CW_CLUSTER_HOST1_CONFIG"], os.environ["CW_CLUSTER_HOST2_CONFIG"]]


def health(node):
    """What HAProxy's check sees on database node N (deploy/cluster/galera-health.sh)."""
    try:
        with urllib.request.urlopen(f"http://127.0.10.{node}:9200/", timeout=5) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_an_app_host_killed_under_load_leaves_the_other_serving_everything():
    load = MixedLoad()
    load.start()
    time.sleep(SHORT_SECONDS / 3)
    killed_at = time.monotonic()
    cluster("host-kill", "2")
    time.sleep(max(0.0, load.started + 2 * SHORT_SECONDS / 3 - time.monotonic()))
    restarted_at = time.monotonic()
    cluster("host-start", "2")
    time.sleep(max(0.0, load.started + SHORT_SECONDS - time.monotonic()))
    load.stop()

    rows, failures, by_kind = load.summary()
    during = [r for r in rows if killed_at + 1 <= r[1] < restarted_at]
    late = [r for r in failures if r[1] >= killed_at + 1]
    print(f"host2 killed: {len(during)} requests sent while it was down (from 1 s after the kill), "
          f"failed among them: {sum(1 for r in late if r[1] < restarted_at)}; failures sent later than 1 s after the "
          f"kill: {len(late)}")
    assert len(failures) <= 0.01 * len(rows), f"{len(failures)} of {len(rows)} failed"
    assert all(r[3] == 503 and r[4] for r in failures), sorted({(r[0], r[3], r[4]) for r in failures})
    assert during and not late, late[:5]
    # Nothing is lost with the host: the access log is written before each answer (no per-host buffer).
    load.check_tokens_and_log(by_kind)


def test_a_node_cut_off_from_the_others_leaves_the_primary_component_and_takes_no_writes():
    # Galera's own isolation (gmcast.isolate) cuts the node's group links, as a partition would; the local cluster
    # shares one network namespace, so `ip link` cannot cut one node off here.
    load = MixedLoad()
    load.start()
    time.sleep(SHORT_SECONDS / 3)
    cut_at = time.monotonic()
    sql(1, "SET GLOBAL wsrep_provider_options = 'gmcast.isolate=1'")
    deadline = time.monotonic() + 30
    while node_status(1).get("wsrep_cluster_status") == "Primary":
        assert time.monotonic() < deadline, "db1 still in the primary component 30 s after it was cut off"
        time.sleep(0.2)
    left_at = time.monotonic()
    status, check = node_status(1), health(1)
    refused = subprocess.run(
        ["mariadb", "--no-defaults", f"--socket={os.environ['CW_CLUSTER_DB1_SOCKET']}", "catalyst_main", "-e",
         "INSERT INTO data_access_log (occurred_at, client_id, operation, request, status) "
         "VALUES (NOW(6), 'cut-off-node', 'test', 'test', 200)"], capture_output=True, text=True)
    time.sleep(max(0.0, cut_at + SHORT_SECONDS / 3 - time.monotonic()))
    sql(1, "SET GLOBAL wsrep_provider_options = 'gmcast.isolate=0'")
    deadline = time.monotonic() + 120
    while node_status(1).get("wsrep_local_state_comment") != "Synced":
        assert time.monotonic() < deadline, "db1 did not rejoin within 120 s"
        time.sleep(0.5)
    rejoined_at = time.monotonic()
    time.sleep(max(0.0, load.started + SHORT_SECONDS - time.monotonic()))
    load.stop()

    rows, failures, by_kind = load.summary()
    late = [r for r in failures if r[1] > left_at + 5 and not (rejoined_at - 5 <= r[1] <= rejoined_at + 5)]
    if failures:
        print(f"failures sent from {min(r[1] for r in failures) - cut_at:.1f} s to {max(r[1] for r in failures) - cut_at:.1f} s "
              f"after the cut, answered by {max(r[2] for r in failures) - cut_at:.1f} s")
    print(f"db1 cut off: left the primary component after {left_at - cut_at:.1f} s ({status}), health check "
          f"{check}, a write through it: {refused.stderr.strip()[:120] or 'accepted'}; rejoined after "
          f"{rejoined_at - cut_at:.1f} s")
    assert status.get("wsrep_cluster_status") != "Primary" and check == 503
    assert refused.returncode != 0 and "1047" in refused.stderr, refused.stderr
    # Until the others declare it gone (Galera's evs.suspect_timeout, 5 s) the cut-off writer's commits wait, and
    # then fail: the requests of those seconds are lost as 503s, which the 1 % bound of a kill does not cover.
    assert all(r[3] == 503 and r[4] for r in failures), sorted({(r[0], r[3], r[4]) for r in failures})
    assert not late, late[:5]
    assert int(sql(2, "SELECT COUNT(*) FROM data_access_log WHERE client_id = 'cut-off-node'")) == 0
    load.check_tokens_and_log(by_kind)
    assert checksums_agree()


def test_sync_started_on_both_hosts_at_once_runs_once():
    # cron runs sync every minute on every host: each run takes the sync lease first (one conditional UPDATE by the
    # database's clock); a run that finds it held prints "skipped".
    runs = [subprocess.Popen([BIN, "sync", "--config", CONFIGS[i % 2]], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for i in range(6)]
    reports = []
    for run in runs:
        out, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
        reports.append(json.loads(out.strip().splitlines()[-1]))
    skipped = [r for r in reports if r.get("status") == "skipped"]
    worked = [r for r in reports if r.get("status") != "skipped"]
    print(f"6 sync runs started at once on two hosts: {len(worked)} worked, {len(skipped)} skipped "
          f"({sorted({r.get('reason') for r in skipped})})")
    assert worked and skipped
    assert all(r.get("reason") == "lease_held" for r in skipped)

