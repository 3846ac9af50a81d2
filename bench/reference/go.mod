module healthcheck-operator.dev/bench/reference

go 1.22
