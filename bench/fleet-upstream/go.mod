module healthcheck-operator.dev/bench/fleet-upstream

go 1.22
