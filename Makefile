# Thin entry points; the real work lives in deploy/dev/stack, tests/ and bench/.
.PHONY: dev down status build test fuzz bench soak lint format-lint cluster cluster-down test-cluster

dev:
	deploy/dev/stack up

down:
	deploy/dev/stack down

status:
	deploy/dev/stack status

build:
	swift build -c release --product catalystwells

test:
	bash tests/run-all.sh

# Several hosts on this machine: three Galera nodes, HAProxy, two app hosts, one nginx (deploy/cluster/local).
cluster:
	deploy/cluster/local/cluster up

cluster-down:
	deploy/cluster/local/cluster down

# The failover tests against that cluster (tests/cluster; not part of `make test`, see README "More than one VM").
test-cluster:
	bash tests/cluster/run.sh

# libFuzzer harnesses, FUZZ_SECONDS each (default 300); see fuzz/README.md.
fuzz:
	bash fuzz/run.sh

bench:
	bash bench/run.sh

# 10 minutes of mixed load with worker recycling; fails on a 5xx, memory growth, leaks or drifting p99.
soak:
	bash bench/soak.sh

lint:
	bash tests/lint-layers.sh

# swift-format with the repository's .swift-format; --strict makes any finding fail the target.
format-lint:
	swift format lint --configuration .swift-format --recursive --strict Sources Tests fuzz/Sources
