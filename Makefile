# healthcheck-operator: the commands a developer and CI use. `make help` lists them.
SHELL := /bin/bash
MVN ?= mvn -B -ntp
SIDECAR_JAR := sidecar/target/quarkus-app/quarkus-run.jar

IMAGES_DIR := hack/images

.PHONY: help run test e2e build control-plane cluster-up cluster-down sidecar-run bench-tools bench-sidecar \
	bench-operator bench-status-page bench-cache-footprint bench-smoke crds chart-check chart-tools browser-tools images images-verify \
	images-check images-e2e e2e-tests registry-stop native native-sources native-images monitoring-tools monitoring-check

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

run: ## the main job: the operator against the current kube context (or a local control plane)
	hack/run.sh

# Tested side by side, as much of the time is waiting (timeouts, a control plane starting, Lease takeovers, image
# pushes, qemu, the kubelet's probe periods), not computing:
#  1. the sidecar and operator modules (mvn -T 2, after metrics-format), each test class's output in its
#     */target/*-reports/*-output.txt so that the two do not interleave on the console. The operator's RealSidecarTest
#     runs the sidecar's jar: it is built first and copied aside (target/sidecar-app), as the sidecar module
#     packages anew meanwhile;
#  2. three lanes (.ci/lanes.sh: a log per lane, each printed whole once all have ended, and a lower bound of the CPU time each took):
#     the cluster tests (their own control plane with a fake node, on free ports); the images and then, side by side,
#     their checks (both arches run, arm64 under qemu) and the end-to-end tier on a real node (images-e2e); the short
#     checks (native-sources writes target/native-sources only, nothing the others read). The end-to-end tier was
#     run alone before: it keeps the machine about 30% busy, so alone it was mostly time waited.
#     The sidecar's AOT cache is trained for amd64 only here: arm64's training under qemu takes 8-12 minutes on
#     this kind of machine (`make images` trains both); the arm64 image is built, run and checked all the same.
test: control-plane chart-tools bench-tools browser-tools monitoring-tools ## every test: unit, Quarkus, packaged-process, API-server, cluster and end-to-end tests
	$(MVN) -q package -DskipTests -pl sidecar -am
	rm -rf target/sidecar-app && mkdir -p target && cp -a sidecar/target/quarkus-app target/sidecar-app
	$(MVN) -T 2 verify -pl metrics-format,sidecar,operator -Dmaven.test.redirectTestOutputToFile=true \
		-Doperator-test.sidecar-jar=$(CURDIR)/target/sidecar-app/quarkus-run.jar
	.ci/lanes.sh \
		cluster-tests '$(MVN) -pl cluster-tests verify' \
		images-e2e '$(MAKE) --no-print-directory images-e2e SKIP_MAVEN=1 AOT_CACHE_ARCHES=amd64' \
		checks '$(MAKE) --no-print-directory chart-check && $(MAKE) --no-print-directory monitoring-check \
			&& $(MAKE) --no-print-directory bench-smoke && $(MAKE) --no-print-directory native-sources'

# The images once, then what reads them side by side: their checks (verify-images) and the end-to-end tier, which
# uses the amd64 images just pushed (the node pulls amd64 from the index) instead of building them again. The
# registry stops when both have ended.
images-e2e: control-plane
	@status=0; \
	$(IMAGES_DIR)/build-images.sh && CI_LANES_LOG_DIR=target/ci-lanes/images-e2e .ci/lanes.sh \
		images-verify '$(IMAGES_DIR)/verify-images.sh' \
		e2e '$(MAKE) --no-print-directory e2e-tests' || status=$$?; \
	$(IMAGES_DIR)/registry.sh stop; exit $$status

# E2E_IMAGES=reuse: the images that images-check has just built from the same jars and pushed are used as they are.
e2e: control-plane ## end to end on a real node: the images (amd64, and a test-hooks sidecar) to the local registry, then the e2e cluster tests
	@status=0; \
	if [ "$(E2E_IMAGES)" = reuse ]; then $(IMAGES_DIR)/registry.sh start; else ARCHES=amd64 $(IMAGES_DIR)/build-images.sh; fi && \
	$(MAKE) --no-print-directory e2e-tests || status=$$?; \
	$(IMAGES_DIR)/registry.sh stop; exit $$status

# The e2e cluster tests against images already in the running local registry (their reports under
# cluster-tests/target/e2e/, apart from the cluster tests', which may run at the same time).
e2e-tests:
	$(IMAGES_DIR)/build-test-hook-image.sh
	$(MVN) -pl cluster-tests verify -Pe2e

crds: ## regenerate the checked-in CRD (crds/, deploy/crd/, the chart's crds/) from the Java model
	$(MVN) -q -pl operator -am package -DskipTests
	for dir in crds deploy/crd charts/healthcheck-operator/crds; do \
		cp operator/target/kubernetes/healthchecks.healthcheck-operator.dev-v1.yml $$dir/; done

monitoring-tools: ## install Debian's prometheus package (prometheus, promtool) when missing
	hack/monitoring/tools.sh

monitoring-check: monitoring-tools ## promtool check/test rules, runbook anchors, dashboard models (the real Prometheus test: PrometheusIT in mvn verify)
	hack/monitoring/check.sh

build: ## build both apps (JVM mode), no tests
	$(MVN) package -DskipTests

control-plane: ## build the Kubernetes binaries once from the Go module proxy (cached under ~/.cache)
	hack/build-control-plane.sh >/dev/null

chart-tools: ## build helm and kube-score once from the Go module proxy (cached under ~/.cache)
	hack/build-helm.sh >/dev/null

chart-check: chart-tools ## helm lint + helm template of the chart with each option, checked; kube-score on the chart and the sidecar
	@python3 -c 'import yaml' 2>/dev/null || { apt-get -o DPkg::Lock::Timeout=600 update -qq \
		&& apt-get -o DPkg::Lock::Timeout=600 install -y -qq python3-yaml >/dev/null; }
	@test -f operator/target/manifests/sidecar.yaml || \
		$(MVN) -q -pl operator -am test -Dtest=SidecarManifestTest -Dsurefire.failIfNoSpecifiedTests=false
	charts/chart-check.py --helm "$$(hack/build-helm.sh --path helm)" \
		--kube-score "$$(hack/build-helm.sh --path kube-score)"

cluster-up: control-plane ## start the local cluster: control plane and a real node (HC_NODE=kwok: a fake one)
	hack/local-cluster.sh up
	@hack/local-cluster.sh env

cluster-down: ## stop the local cluster and remove what its node created
	hack/local-cluster.sh down

sidecar-run: ## run the probe sidecar on :8080 (SIDECAR_CONFIG_FILE=... for checks)
	$(MVN) -q -pl sidecar -am package -DskipTests
	java @sidecar/jvm.options -jar $(SIDECAR_JAR)

bench-tools: ## install wrk and iptables (Debian) when missing: the sidecar's load, the operator bench's blackholed sidecars
	@{ command -v wrk && command -v iptables; } >/dev/null || \
		{ apt-get -o DPkg::Lock::Timeout=600 update -qq && apt-get -o DPkg::Lock::Timeout=600 install -y -qq wrk iptables >/dev/null; }

browser-tools: ## install Debian's chromium and chromium-driver (the status page's browser test) when missing
	@{ [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; } || { apt-get -o DPkg::Lock::Timeout=600 update -qq \
		&& apt-get -o DPkg::Lock::Timeout=600 install -y -qq chromium chromium-driver >/dev/null; }

bench-sidecar: bench-tools ## the sidecar against the reference Go server, side by side (bench/results/sidecar.md)
	$(MVN) -q -pl sidecar -am package -DskipTests
	mkdir -p bench/results
	bench/bench_sidecar.py --out bench/results/sidecar.md

bench-operator: control-plane ## 1000 HealthChecks on the local control plane (bench/results/operator.md)
	$(MVN) -q -pl operator -am package -DskipTests
	mkdir -p bench/results
	bench/bench_operator.py --out bench/results/operator.md

bench-status-page: control-plane ## /api/v1/healthchecks and / with 10,000 HealthChecks in the cache (bench/results/status-page.md)
	$(MVN) -q -pl operator -am package -DskipTests
	mkdir -p bench/results
	bench/bench_status_page.py --out bench/results/status-page.md

bench-cache-footprint: ## heap of the operator's Deployment + Service caches per 1,000 HealthChecks, as served and as stored (bench/results/cache-footprint.md)
	$(MVN) -q -pl operator -am package -DskipTests
	mkdir -p bench/results
	bench/bench_cache_footprint.py --out bench/results/cache-footprint.md

bench-smoke: control-plane bench-tools ## each benchmark once in a tiny mode, so they cannot rot (nothing is judged)
	bench/bench_sidecar.py --smoke
	bench/bench_operator.py --smoke
	bench/bench_status_page.py --smoke
	bench/bench_cache_footprint.py --smoke

images: ## JVM images of both apps for linux/amd64 + linux/arm64, one index each, pushed to REGISTRY (default: a local registry on 127.0.0.1:5000); BASE=debian|distroless|temurin|<image>
	$(IMAGES_DIR)/build-images.sh

images-verify: ## run each architecture of the pushed images (arm64 under qemu), check /health, inspect the indexes
	$(IMAGES_DIR)/verify-images.sh

images-check: ## build, push to the local registry, run and inspect both images on both arches, stop the registry
	@status=0; \
	$(IMAGES_DIR)/build-images.sh && $(IMAGES_DIR)/verify-images.sh || status=$$?; \
	$(IMAGES_DIR)/registry.sh stop; exit $$status

registry-stop: ## stop the local registry that `make images` started
	$(IMAGES_DIR)/registry.sh stop

native: ## native executables of both apps (needs GraalVM/Mandrel native-image on PATH)
	@command -v native-image >/dev/null || { echo "native-image not found: install Mandrel/GraalVM for JDK 21, or use 'make native-images' on a machine with a container engine" >&2; exit 1; }
	$(MVN) package -DskipTests -Dnative

native-sources: ## Quarkus' native build steps without GraalVM (writes */target/native-sources)
	$(MVN) package -DskipTests -Dnative -Dquarkus.native.sources-only=true -pl sidecar,operator -am

native-images: ## native multi-arch images from hack/images/Dockerfile.native (needs podman or docker buildx able to run the Mandrel builder)
	$(IMAGES_DIR)/build-native-images.sh
