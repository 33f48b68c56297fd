#!/bin/sh
# HTTP health answer for HAProxy on each database node: 200 only when this node is Synced (wsrep_local_state 4)
# and in the primary component; 503 otherwise. Run by a systemd socket unit with Accept=yes on port 9200 as a user
# whose ~/.my.cnf names a MariaDB account with no privileges (USAGE is enough for SHOW STATUS). Arguments are
# passed to the mariadb client (the local test cluster, deploy/cluster/local, gives each node's socket).
state=$(mariadb "$@" -N -B -e "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_local_state', 'wsrep_cluster_status')" 2>/dev/null |
    awk '{ v[$1] = $2 } END { print v["wsrep_local_state"] "/" v["wsrep_cluster_status"] }')
if [ "$state" = "4/Primary" ]; then
    printf 'HTTP/1.1 200 OK\r\nContent-Length: 7\r\nConnection: close\r\n\r\nSynced\n'
else
    printf 'HTTP/1.1 503 Service Unavailable\r\nContent-Length: 12\r\nConnection: close\r\n\r\nnot synced\n\n'
fi
