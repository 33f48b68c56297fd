"""Failover of the local cluster (issue 18): the writer database node killed under mixed load, and restarted.

Run by `make test-cluster` (tests/cluster/run.sh), which brings up `deploy/cluster/local/cluster` and passes its
`env`. Mixed load through the front nginx (both app hosts) for CLUSTER_LOAD_SECONDS (90) over CLUSTER_THREADS
(64) keep-alive connections: client_credentials, introspection, code exchange (authorization + token), refresh
rotation and `/api/v1/me` (an education API read, logged per person). At a third of the run db1, HAProxy's
writer, is killed with SIGKILL; at two thirds it is started again. Then:
- failures: at most 1 % of requests, each a 503 with Retry-After (no 500, no reset); none answered before the kill,
  none sent later than 5 s after it, none sent after the restart later than the node's Synced + CLUSTER_SETTLE_SECONDS;
- the first 200 after the kill within 5 s;
- every access token answered 200 introspects active, every refresh family has exactly one live refresh token;
- no authorization code gives tokens twice (each code answered 200 is refused when replayed, at the end);
- one data-access-log row per `/me` answered 200;
- CHECKSUM TABLE equal on the three nodes; db1 rejoined by IST, not by a full state transfer.
The figures are printed (pytest -s shows them) for the note.
"""

import time

from load import CLUSTER_DIR, LOAD_SECONDS, SETTLE_SECONDS, MixedLoad, checksums_agree, cluster


def node_log_size():
    return (CLUSTER_DIR / "db1" / "mariadb.err").stat().st_size


def test_the_writer_killed_and_restarted_under_mixed_load():
    load = MixedLoad()
    load.start()
    time.sleep(LOAD_SECONDS / 3)
    killed_at = time.monotonic()
    cluster("db-kill", "1")
    time.sleep(max(0.0, load.started + 2 * LOAD_SECONDS / 3 - time.monotonic()))
    log_offset = node_log_size()
    restarted_at = time.monotonic()
    cluster("db-start", "1")
    synced_at = time.monotonic()
    time.sleep(max(0.0, load.started + LOAD_SECONDS - time.monotonic()))
    load.stop()

    rows, failures, by_kind = load.summary()
    total = len(rows)
    first_ok_after_kill = min((r[2] for r in rows if r[1] >= killed_at and r[3] in (200, 303)), default=None)
    # A request in flight when the writer dies fails with it: the kill's window holds every failure answered
    # after the kill and sent before the restart.
    before_kill = [r for r in failures if r[2] < killed_at]
    kill_window = [r for r in failures if r[2] >= killed_at and r[1] < restarted_at]
    restart_window = [r for r in failures if r[1] >= restarted_at]
    last_sent = max((r[1] for r in kill_window), default=killed_at) - killed_at
    last_answered = max((r[2] for r in kill_window), default=killed_at) - killed_at
    restart_blip = max((r[1] for r in restart_window), default=restarted_at) - restarted_at
    print(f"before the kill: {len(before_kill)}; from the kill: {len(kill_window)}, the last sent {last_sent:.2f} s "
          f"and answered {last_answered:.2f} s after it; first 200 after the kill: "
          f"{'none' if first_ok_after_kill is None else f'{first_ok_after_kill - killed_at:.2f} s'}")
    print(f"db1 restarted and Synced in {synced_at - restarted_at:.1f} s; failures from the restart on: "
          f"{len(restart_window)}, the last sent {restart_blip:.2f} s after the restart began")

    assert first_ok_after_kill is not None and first_ok_after_kill - killed_at <= 5.0
    assert len(failures) <= 0.01 * total, f"{len(failures)} of {total} failed"
    assert all(r[3] == 503 and r[4] for r in failures), sorted({(r[0], r[3], r[4]) for r in failures})
    assert not before_kill, before_kill[:5]
    assert last_sent <= 5.0, f"a request sent {last_sent:.1f} s after the kill still failed"
    assert restart_blip <= synced_at - restarted_at + SETTLE_SECONDS, f"failures {restart_blip:.1f} s after the restart"

    load.check_tokens_and_log(by_kind)
    assert checksums_agree()

    joined = (CLUSTER_DIR / "db1" / "mariadb.err").read_text(errors="replace")[log_offset:]
    # With its position recovered (deploy/cluster/local/cluster), the node asks a donor for the write sets it
    # missed ("IST uuid:<cluster>:f: <next seqno>" ... "IST received"); a node that does not know its position asks
    # from nothing (the zero uuid) and is sent a full copy. rsync's joiner script and the "SST" lines run in both.
    ist = "IST received" in joined
    sst = "IST uuid:00000000-0000-0000-0000-000000000000" in joined
    print(f"db1 rejoined by {'IST' if ist and not sst else 'SST' if sst else 'unknown'}")
    assert ist and not sst

    load.check_codes()
