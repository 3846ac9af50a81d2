# healthcheck-operator: the commands a developer and CI use. `make help` lists them.
SHELL := /bin/bash
MVN ?= mvn -B -ntp
SIDECAR_JAR := sidecar/target/quarkus-app/quarkus-run.jar

.PHONY: help run test build sidecar-run

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

run: ## the main job: the operator against the current kube context (or a local control plane)
	hack/run.sh

test: ## every test: unit, Quarkus, packaged-process and API-server tests
	$(MVN) verify

build: ## build both apps (JVM mode), no tests
	$(MVN) package -DskipTests

sidecar-run: ## run the probe sidecar on :8080 (SIDECAR_CONFIG_FILE=... for checks)
	$(MVN) -q -pl sidecar package -DskipTests
	java -jar $(SIDECAR_JAR)
