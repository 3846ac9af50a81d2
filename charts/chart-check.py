#!/usr/bin/env python3
"""make chart-check: lints and renders charts/healthcheck-operator with its default values and with each option, and
checks in every rendering what that option is for (not only that helm exits 0); then runs kube-score on the rendered
manifests and on the sidecar Deployment the operator renders (operator/target/manifests/sidecar.yaml, written by
SidecarManifestTest) and fails on any CRITICAL that charts/kube-score-allowlist.yaml does not name with a reason
that README.md gives.

Usage: chart-check.py --helm HELM --kube-score KUBE_SCORE [--out DIR]
"""
import argparse
import json
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CHART = ROOT / "charts" / "healthcheck-operator"
SIDECAR_MANIFEST = ROOT / "operator" / "target" / "manifests" / "sidecar.yaml"
ALLOWLIST = ROOT / "charts" / "kube-score-allowlist.yaml"
RELEASE = "hc"
NAMESPACE = "hc-system"
FULLNAME = "hc-healthcheck-operator"
CLUSTER_SCOPED = {"ClusterRole", "ClusterRoleBinding", "Namespace", "CustomResourceDefinition"}
# The labels of the sidecar pods the operator creates (SidecarNames.labels), as the PodMonitor must select them.
SIDECAR_SELECTOR = {"app.kubernetes.io/name": "healthcheck-sidecar",
                    "app.kubernetes.io/managed-by": "healthcheck-operator"}

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
    return condition


class Rendering:
    """The objects of one helm template run."""

    def __init__(self, name, text):
        self.name = name
        self.text = text
        self.objects = [o for o in yaml.safe_load_all(text) if o]

    def of_kind(self, kind):
        return [o for o in self.objects if o["kind"] == kind]

    def one(self, kind, name=None, namespace=None):
        found = [o for o in self.of_kind(kind)
                 if (name is None or o["metadata"]["name"] == name)
                 and (namespace is None or o["metadata"].get("namespace") == namespace)]
        if not check(len(found) == 1, f"{self.name}: expected one {kind} {name or ''} {namespace or ''}, "
                                      f"found {len(found)}"):
            return None
        return found[0]

    def operator_container(self):
        deployment = self.one("Deployment", FULLNAME)
        return deployment["spec"]["template"]["spec"]["containers"][0] if deployment else {}

    def env(self):
        return {e["name"]: e.get("value") for e in self.operator_container().get("env", [])}


def run(command, **kwargs):
    return subprocess.run(command, capture_output=True, text=True, **kwargs)


def helm_template(helm, name, values):
    with tempfile.NamedTemporaryFile("w", suffix=".yaml") as file:
        yaml.safe_dump(values, file)
        file.flush()
        lint = run([helm, "lint", "--strict", str(CHART), "-n", NAMESPACE, "-f", file.name])
        check(lint.returncode == 0, f"{name}: helm lint failed:\n{lint.stdout}{lint.stderr}")
        result = run([helm, "template", RELEASE, str(CHART), "-n", NAMESPACE, "-f", file.name])
    if not check(result.returncode == 0, f"{name}: helm template failed:\n{result.stderr}"):
        return Rendering(name, "")
    return Rendering(name, result.stdout)


def helm_template_fails(helm, name, values, expected_message):
    with tempfile.NamedTemporaryFile("w", suffix=".yaml") as file:
        yaml.safe_dump(values, file)
        file.flush()
        result = run([helm, "template", RELEASE, str(CHART), "-n", NAMESPACE, "-f", file.name])
    check(result.returncode != 0 and expected_message in result.stderr,
          f"{name}: helm template should fail with '{expected_message}', got rc={result.returncode}: "
          f"{result.stderr.strip()}")


def deploy_file(name):
    return [o for o in yaml.safe_load_all((ROOT / "deploy" / name).read_text()) if o]


def check_agrees_with_deploy(r):
    """kubectl apply -k deploy/ and the chart's defaults install the same operator: same rights, probes, env."""
    deploy_rbac = deploy_file("rbac.yaml")
    deploy_rules = next(o for o in deploy_rbac if o["kind"] == "ClusterRole")["rules"]
    cluster_role = r.one("ClusterRole", FULLNAME)
    if cluster_role:
        check(cluster_role["rules"] == deploy_rules,
              f"{r.name}: the ClusterRole's rules differ from deploy/rbac.yaml's: {cluster_role['rules']}")
    deploy_lease = next(o for o in deploy_rbac if o["kind"] == "Role")["rules"]
    lease_role = r.one("Role", FULLNAME + "-leader-election", NAMESPACE)
    if lease_role:
        check(lease_role["rules"] == deploy_lease, f"{r.name}: the leader-election Role differs from deploy/'s")

    deploy_container = deploy_file("deployment.yaml")[0]["spec"]["template"]["spec"]["containers"][0]
    container = r.operator_container()
    for key in ("startupProbe", "livenessProbe", "readinessProbe", "ports", "volumeMounts"):
        check(container.get(key) == deploy_container[key], f"{r.name}: {key} differs from deploy/deployment.yaml")
    for key, value in deploy_container["securityContext"].items():
        check(container["securityContext"].get(key) == value, f"{r.name}: securityContext.{key} differs from deploy/")
    deploy_env = {e["name"]: e for e in deploy_container["env"]}
    chart_env = {e["name"]: e for e in container.get("env", [])}
    for name, entry in deploy_env.items():
        check(chart_env.get(name) == entry, f"{r.name}: env {name} is {chart_env.get(name)}, deploy/ has {entry}")
    for key in ("requests", "limits"):
        for resource, quantity in deploy_container["resources"][key].items():
            check(container["resources"][key].get(resource) == quantity,
                  f"{r.name}: resources.{key}.{resource} differs from deploy/")


def check_default(r):
    deployment = r.one("Deployment", FULLNAME, NAMESPACE)
    if not deployment:
        return
    check(deployment["spec"]["replicas"] == 2, f"{r.name}: two replicas by default")
    container = r.operator_container()
    check(container["image"] == "healthcheck-operator/healthcheck-operator:0.1.0",
          f"{r.name}: the operator image tag defaults to appVersion: {container['image']}")
    env = r.env()
    check(env.get("HEALTHCHECK_SIDECAR_IMAGE") == "healthcheck-operator/healthcheck-sidecar:0.1.0",
          f"{r.name}: the sidecar image defaults to appVersion: {env.get('HEALTHCHECK_SIDECAR_IMAGE')}")
    check(env.get("QUARKUS_OPERATOR_SDK_CONTROLLERS_HEALTHCHECK_NAMESPACES") == "JOSDK_ALL_NAMESPACES",
          f"{r.name}: all namespaces watched by default")
    check("imagePullSecrets" not in deployment["spec"]["template"]["spec"], f"{r.name}: no pull secrets by default")
    check("HEALTHCHECK_SIDECAR_IMAGE_PULL_SECRETS" not in env, f"{r.name}: no sidecar pull secrets by default")
    for o in r.objects:
        if o["kind"] not in CLUSTER_SCOPED:
            check(o["metadata"].get("namespace") == NAMESPACE,
                  f"{r.name}: {o['kind']} {o['metadata']['name']} is not in the release namespace")
    binding = r.one("ClusterRoleBinding", FULLNAME)
    if binding:
        check(binding["subjects"] == [{"kind": "ServiceAccount", "name": FULLNAME, "namespace": NAMESPACE}],
              f"{r.name}: the ClusterRoleBinding binds the chart's ServiceAccount: {binding['subjects']}")
    r.one("ServiceAccount", FULLNAME, NAMESPACE)
    pdb = r.one("PodDisruptionBudget", FULLNAME)
    if pdb:
        check(pdb["spec"]["selector"]["matchLabels"] == deployment["spec"]["selector"]["matchLabels"],
              f"{r.name}: the PDB selects the operator pods")
    policy = r.one("NetworkPolicy", FULLNAME)
    if policy:
        check(policy["spec"]["podSelector"]["matchLabels"] == deployment["spec"]["selector"]["matchLabels"],
              f"{r.name}: the NetworkPolicy selects the operator pods")
        check(policy["spec"]["ingress"] == [{"ports": [{"port": "http", "protocol": "TCP"}]}],
              f"{r.name}: ingress on the http port only: {policy['spec']['ingress']}")
        check(policy["spec"]["egress"] == [{}], f"{r.name}: egress open, explicitly: {policy['spec']['egress']}")
    service = r.one("Service", FULLNAME)
    if service:
        check(service["metadata"].get("annotations", {}).get("prometheus.io/scrape") == "true",
              f"{r.name}: the Service carries the scrape annotations")
        check(service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"],
              f"{r.name}: the Service selects the operator pods")
    annotations = deployment["spec"]["template"]["metadata"].get("annotations", {})
    check(annotations.get("prometheus.io/path") == "/q/metrics", f"{r.name}: the pods carry the scrape annotations")
    anti = deployment["spec"]["template"]["spec"].get("affinity", {}).get("podAntiAffinity")
    check(anti is not None, f"{r.name}: replicas prefer different nodes by default")
    check(deployment["spec"]["template"]["spec"]["securityContext"].get("runAsUser", 0) >= 10000,
          f"{r.name}: a UID of 10000 or more")
    for kind in ("ServiceMonitor", "PodMonitor", "PrometheusRule", "Role", "RoleBinding"):
        expected = 1 if kind in ("Role", "RoleBinding") else 0  # the leader-election Role only
        check(len(r.of_kind(kind)) == expected, f"{r.name}: {len(r.of_kind(kind))} {kind}, expected {expected}")
    check(not [c for c in r.of_kind("ConfigMap") if "grafana_dashboard" in c["metadata"]["labels"]],
          f"{r.name}: no dashboards by default")
    check_agrees_with_deploy(r)


def check_namespaced(r, watched):
    deploy_rules = next(o for o in deploy_file("rbac.yaml") if o["kind"] == "ClusterRole")["rules"]
    review_groups = {"authentication.k8s.io", "authorization.k8s.io"}
    review_rules = [rule for rule in deploy_rules if set(rule["apiGroups"]) <= review_groups]
    rules = [rule for rule in deploy_rules if rule not in review_rules]
    # Cluster-wide, only what no Role can grant: the status page's token and access reviews.
    check([o["metadata"]["name"] for o in r.of_kind("ClusterRole")] == [FULLNAME + "-reviews"]
          and [o["metadata"]["name"] for o in r.of_kind("ClusterRoleBinding")] == [FULLNAME + "-reviews"],
          f"{r.name}: namespaced RBAC renders one ClusterRole and binding, for the reviews")
    reviews = r.one("ClusterRole", FULLNAME + "-reviews")
    if reviews:
        check(reviews["rules"] == review_rules and review_rules,
              f"{r.name}: the reviews ClusterRole grants only deploy/rbac.yaml's review rules: {reviews['rules']}")
    for namespace in watched:
        role = r.one("Role", FULLNAME, namespace)
        if role:
            check(role["rules"] == rules, f"{r.name}: the Role in {namespace} has deploy/rbac.yaml's rules")
        binding = r.one("RoleBinding", FULLNAME, namespace)
        if binding:
            check(binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": FULLNAME}
                  and binding["subjects"] == [{"kind": "ServiceAccount", "name": FULLNAME, "namespace": NAMESPACE}],
                  f"{r.name}: the RoleBinding in {namespace} binds the Role to the chart's ServiceAccount")
    healthcheck_roles = [o for o in r.of_kind("Role")
                         if any("healthcheck-operator.dev" in rule["apiGroups"] for rule in o["rules"])]
    check(sorted(o["metadata"]["namespace"] for o in healthcheck_roles) == sorted(watched),
          f"{r.name}: HealthCheck rights exactly in {watched}")
    r.one("Role", FULLNAME + "-leader-election", NAMESPACE)
    check(r.env().get("QUARKUS_OPERATOR_SDK_CONTROLLERS_HEALTHCHECK_NAMESPACES") == ",".join(watched),
          f"{r.name}: the operator watches {watched}: {r.env()}")


def sidecar_objects():
    return [o for o in yaml.safe_load_all(SIDECAR_MANIFEST.read_text()) if o]


def check_monitors(r, watched):
    service = r.one("Service", FULLNAME)
    monitor = r.one("ServiceMonitor", FULLNAME, NAMESPACE)
    if monitor and service:
        check(monitor["metadata"]["labels"].get("release") == "prom", f"{r.name}: ServiceMonitor labels from values")
        check(monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items(),
              f"{r.name}: the ServiceMonitor selects the operator's Service")
        endpoint = monitor["spec"]["endpoints"][0]
        check(endpoint["port"] in [p["name"] for p in service["spec"]["ports"]] and endpoint["path"] == "/q/metrics",
              f"{r.name}: the ServiceMonitor scrapes /q/metrics on a port of the Service: {endpoint}")
    pod_monitor = r.one("PodMonitor", FULLNAME + "-sidecars", NAMESPACE)
    if not pod_monitor:
        return
    selector = pod_monitor["spec"]["selector"]["matchLabels"]
    check(selector == SIDECAR_SELECTOR, f"{r.name}: PodMonitor selector {selector}")
    expected_namespaces = {"matchNames": watched} if watched else {"any": True}
    check(pod_monitor["spec"]["namespaceSelector"] == expected_namespaces,
          f"{r.name}: PodMonitor namespaces {pod_monitor['spec']['namespaceSelector']}, expected {expected_namespaces}")
    endpoint = pod_monitor["spec"]["podMetricsEndpoints"][0]
    sidecar = next(o for o in sidecar_objects() if o["kind"] == "Deployment")
    pod = sidecar["spec"]["template"]
    check(selector.items() <= pod["metadata"]["labels"].items(),
          f"{r.name}: the PodMonitor selects the sidecar pods the operator renders ({pod['metadata']['labels']})")
    check(endpoint["port"] in [p["name"] for p in pod["spec"]["containers"][0]["ports"]]
          and endpoint["path"] == "/metrics", f"{r.name}: the PodMonitor scrapes the sidecar's /metrics port")


PUBLISHED_RUNBOOK = "https://github.com/healthcheck-operator/healthcheck-operator/blob/main/docs/runbook.md"


def check_rules(r, runbook=None):
    rule = r.one("PrometheusRule", FULLNAME, NAMESPACE)
    if rule:
        text = (CHART / "files" / "prometheus-rules.yaml").read_text()
        if runbook:
            text = text.replace(PUBLISHED_RUNBOOK + "#", runbook + "#")
        expected = yaml.safe_load(text)["groups"]
        check(rule["spec"]["groups"] == expected, f"{r.name}: the PrometheusRule holds files/prometheus-rules.yaml"
              + (f" with its runbook links moved to {runbook}" if runbook else ""))
        urls = [a["annotations"]["runbook_url"] for g in rule["spec"]["groups"] for a in g["rules"] if "alert" in a]
        check(urls and all(u.startswith((runbook or PUBLISHED_RUNBOOK) + "#") for u in urls),
              f"{r.name}: every alert's runbook_url points into {runbook or PUBLISHED_RUNBOOK}: {urls}")


def check_dashboards(r, label, value):
    files = sorted((CHART / "files" / "dashboards").glob("*.json"))
    maps = [c for c in r.of_kind("ConfigMap") if c["metadata"]["labels"].get(label) == value]
    check(len(maps) == len(files) > 0, f"{r.name}: one ConfigMap labelled {label}={value} per dashboard: "
                                       f"{len(maps)} for {len(files)}")
    by_key = {key: text for c in maps for key, text in c["data"].items()}
    for file in files:
        check(file.name in by_key and json.loads(by_key[file.name]) == json.loads(file.read_text()),
              f"{r.name}: dashboard {file.name} is carried unchanged")


def check_crds(helm):
    """helm install installs the chart's crds/ first: the CRD users get, the same as crds/."""
    shown = run([helm, "show", "crds", str(CHART)])
    crds = [o for o in yaml.safe_load_all(shown.stdout) if o] if shown.returncode == 0 else []
    expected = yaml.safe_load((ROOT / "crds" / "healthchecks.healthcheck-operator.dev-v1.yml").read_text())
    check(crds == [expected], f"helm show crds: {[c['metadata']['name'] for c in crds]} is not crds/'s CRD "
                              f"({shown.stderr.strip()})")


def check_app_version():
    """appVersion tags both images, so it is the version Maven builds them with."""
    pom = ElementTree.parse(ROOT / "pom.xml").getroot()
    version = pom.find("{http://maven.apache.org/POM/4.0.0}version").text
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text())
    check(str(chart["appVersion"]) == version, f"Chart.yaml appVersion {chart['appVersion']} is not the project's "
                                               f"version {version} (pom.xml)")


def check_options(helm):
    r = helm_template(helm, "pdb-single-replica", {"replicas": 1})
    check(not r.of_kind("PodDisruptionBudget"), f"{r.name}: no PDB for one replica by default")
    r = helm_template(helm, "pdb-forced", {"replicas": 1, "podDisruptionBudget": {"enabled": True}})
    pdb = r.one("PodDisruptionBudget", FULLNAME)
    check(pdb is not None and pdb["spec"]["maxUnavailable"] == 1, f"{r.name}: PDB on by value")
    r = helm_template(helm, "pdb-off", {"replicas": 3, "podDisruptionBudget": {"enabled": False}})
    check(not r.of_kind("PodDisruptionBudget"), f"{r.name}: PDB off by value")
    check(r.one("Deployment", FULLNAME)["spec"]["replicas"] == 3, f"{r.name}: replicas from values")

    r = helm_template(helm, "images", {
        "image": {"registry": "registry.example:5000", "repository": "team/operator", "tag": "1.2.3",
                  "pullPolicy": "Always"},
        "sidecarImage": {"registry": "registry.example:5000/", "repository": "team/sidecar", "pullPolicy": "Always",
                         "pullSecrets": [{"name": "sidecar-login"}, {"name": "mirror.login"}]},
        "imagePullSecrets": [{"name": "registry-login"}]})
    container = r.operator_container()
    check(container.get("image") == "registry.example:5000/team/operator:1.2.3"
          and container.get("imagePullPolicy") == "Always", f"{r.name}: operator image {container.get('image')}")
    check(r.env().get("HEALTHCHECK_SIDECAR_IMAGE") == "registry.example:5000/team/sidecar:0.1.0"
          and r.env().get("HEALTHCHECK_SIDECAR_IMAGE_PULL_POLICY") == "Always",
          f"{r.name}: sidecar image {r.env().get('HEALTHCHECK_SIDECAR_IMAGE')}")
    spec = r.one("Deployment", FULLNAME)["spec"]["template"]["spec"]
    check(spec.get("imagePullSecrets") == [{"name": "registry-login"}], f"{r.name}: pull secrets")
    check(r.env().get("HEALTHCHECK_SIDECAR_IMAGE_PULL_SECRETS") == "sidecar-login,mirror.login",
          f"{r.name}: the sidecars' pull secrets, in order, for the operator: "
          f"{r.env().get('HEALTHCHECK_SIDECAR_IMAGE_PULL_SECRETS')}")
    helm_template_fails(helm, "sidecar-pull-secret-not-a-map", {"sidecarImage": {"pullSecrets": ["sidecar-login"]}},
                        "each entry is {name: <Secret>}")

    r = helm_template(helm, "topology", {"topologySpreadConstraints": [
        {"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "ScheduleAnyway"}]})
    deployment = r.one("Deployment", FULLNAME)
    constraints = deployment["spec"]["template"]["spec"].get("topologySpreadConstraints", [])
    check(len(constraints) == 1 and constraints[0]["topologyKey"] == "topology.kubernetes.io/zone"
          and constraints[0]["labelSelector"]["matchLabels"] == deployment["spec"]["selector"]["matchLabels"],
          f"{r.name}: topology spread over the operator pods: {constraints}")

    r = helm_template(helm, "plain", {"networkPolicy": {"enabled": False}, "metrics": {"scrapeAnnotations": False},
                                      "serviceAccount": {"create": False, "name": "existing"}, "rbac": {"create": False}})
    check(not r.of_kind("NetworkPolicy"), f"{r.name}: networkPolicy.enabled=false")
    check("annotations" not in r.one("Service", FULLNAME)["metadata"], f"{r.name}: no scrape annotations")
    check(not r.of_kind("ServiceAccount") and not r.of_kind("Role") and not r.of_kind("ClusterRole"),
          f"{r.name}: no ServiceAccount or RBAC objects")
    check(r.one("Deployment", FULLNAME)["spec"]["template"]["spec"]["serviceAccountName"] == "existing",
          f"{r.name}: the named ServiceAccount")

    helm_template_fails(helm, "namespaced-without-namespaces", {"rbac": {"scope": "namespaced"}}, "watchNamespaces")
    helm_template_fails(helm, "unknown-scope", {"rbac": {"scope": "everywhere"}}, "rbac.scope must be")


def kube_score(kube_score_bin, name, target, manifest, allowlist, out):
    """kube-score's CRITICAL findings on one file, each one either allowlisted for its target or a failure."""
    result = run([kube_score_bin, "score", "--output-format", "json", str(manifest)])
    (out / f"kube-score-{name}.json").write_text(result.stdout)
    if not check(result.stdout.strip().startswith("["), f"kube-score {name} failed: {result.stderr}"):
        return set()
    critical = set()
    for scored in json.loads(result.stdout):
        kind = scored["type_meta"]["kind"]
        for finding in scored["checks"]:
            if finding["skipped"] or finding["grade"] != 1:  # 1: CRITICAL in kube-score's scorecard
                continue
            key = (target, finding["check"]["id"])
            critical.add(key)
            comments = "; ".join(c.get("summary", "") for c in finding.get("comments") or [])
            allowed = allowlist.get(key)
            check(allowed is not None, f"kube-score {name}: CRITICAL {finding['check']['id']} on {kind} "
                                       f"{scored['object_name']} ({comments}) is not in {ALLOWLIST.name}")
    return critical


def check_kube_score(kube_score_bin, renderings, out):
    entries = yaml.safe_load(ALLOWLIST.read_text())["allowed"]
    allowlist = {(e["target"], e["check"]): e for e in entries}
    readme = (ROOT / "README.md").read_text()
    for entry in entries:
        check(f"`{entry['check']}`" in readme and entry["reason"].strip(),
              f"{ALLOWLIST.name}: {entry['check']} ({entry['target']}) has no justification in README.md")
    reported = set()
    for name, rendering in renderings.items():
        manifest = out / f"{name}.yaml"
        manifest.write_text(rendering.text)
        reported |= kube_score(kube_score_bin, name, "chart", manifest, allowlist, out)
    reported |= kube_score(kube_score_bin, "sidecar", "sidecar", SIDECAR_MANIFEST, allowlist, out)
    for key in allowlist:
        check(key in reported, f"{ALLOWLIST.name}: {key[1]} on {key[0]} is no longer reported: remove it")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--helm", required=True)
    parser.add_argument("--kube-score", required=True)
    parser.add_argument("--out", default=str(ROOT / "charts" / "target"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if not SIDECAR_MANIFEST.is_file():
        sys.exit(f"{SIDECAR_MANIFEST} is missing: mvn -pl operator -am test -Dtest=SidecarManifestTest -Dsurefire.failIfNoSpecifiedTests=false writes it")

    default = helm_template(args.helm, "default", {})
    check_default(default)
    watched = ["team-a", "team-b"]
    namespaced = helm_template(args.helm, "namespaced", {"rbac": {"scope": "namespaced"}, "watchNamespaces": watched})
    check_namespaced(namespaced, watched)
    monitors = helm_template(args.helm, "monitors", {"metrics": {
        "serviceMonitor": {"enabled": True, "labels": {"release": "prom"}}, "podMonitor": {"enabled": True}}})
    check_monitors(monitors, [])
    monitors_namespaced = helm_template(args.helm, "monitors-namespaced", {
        "rbac": {"scope": "namespaced"}, "watchNamespaces": watched,
        "metrics": {"serviceMonitor": {"enabled": True, "labels": {"release": "prom"}},
                    "podMonitor": {"enabled": True}}})
    check_monitors(monitors_namespaced, watched)
    rules = helm_template(args.helm, "rules", {"metrics": {"prometheusRule": {"enabled": True}}})
    check_rules(rules)
    wiki = "https://wiki.example.com/platform/healthcheck-runbook"
    check_rules(helm_template(args.helm, "rules-runbook", {"metrics": {"prometheusRule": {
        "enabled": True, "runbookBaseUrl": wiki + "/"}}}), wiki)
    dashboards = helm_template(args.helm, "dashboards", {"grafana": {"dashboards": {"enabled": True}}})
    check_dashboards(dashboards, "grafana_dashboard", "1")
    relabelled = helm_template(args.helm, "dashboards-label", {"grafana": {"dashboards": {
        "enabled": True, "label": "grafana.example/dashboard", "labelValue": "healthchecks"}}})
    check_dashboards(relabelled, "grafana.example/dashboard", "healthchecks")
    everything = helm_template(args.helm, "everything", {
        "replicas": 1, "rbac": {"scope": "namespaced"}, "watchNamespaces": watched,
        "metrics": {"serviceMonitor": {"enabled": True}, "podMonitor": {"enabled": True},
                    "prometheusRule": {"enabled": True}},
        "grafana": {"dashboards": {"enabled": True}}})
    check(len(everything.of_kind("PodMonitor")) == 1 and len(everything.of_kind("PrometheusRule")) == 1,
          f"{everything.name}: every option renders together")
    check_options(args.helm)
    check_crds(args.helm)
    check_app_version()

    check_kube_score(args.kube_score, {"default": default, "namespaced": namespaced, "everything": everything}, out)

    if failures:
        print(f"chart-check: {len(failures)} failed", file=sys.stderr)
        for failure in failures:
            print(f"  FAIL {failure}", file=sys.stderr)
        sys.exit(1)
    print("chart-check: helm lint, helm template (default and each option) and kube-score all passed")


if __name__ == "__main__":
    main()
