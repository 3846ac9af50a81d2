#!/usr/bin/env python3
"""Checks of the alert rules, their unit tests, the runbook and the dashboards that promtool does not make.

- every alert has the annotations summary, description and runbook_url, a severity label, and no label whose value
  a template fills from a series (a URL or an error text would make a series per value);
- every runbook_url points at docs/runbook.md#<anchor> and the anchor is a section heading there (GitHub's anchors:
  lowercase, spaces to dashes, punctuation dropped), and every section of the runbook belongs to an alert;
- the unit tests make every alert fire (an eval with expected alerts) and resolve (a later eval with none);
- every dashboard is a Grafana JSON model with a uid, the current schema, the variables datasource, namespace and
  (but the operator's) healthcheck, and panels that query "${datasource}" with PromQL.

Exits 1 naming every problem found.
"""
import argparse
import json
import pathlib
import re
import sys

import yaml

SCHEMA_VERSION = 39
RUNBOOK_PREFIX = "https://github.com/healthcheck-operator/healthcheck-operator/blob/main/docs/runbook.md#"


def anchor(heading):
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def check_rules(rules_file, tests_file, runbook_file, problems):
    rules = yaml.safe_load(rules_file.read_text())
    anchors = {anchor(m.group(1)) for m in re.finditer(r"^#{2,3} (.+)$", runbook_file.read_text(), re.M)}
    alerts = []
    for group in rules["groups"]:
        for rule in group["rules"]:
            if "alert" not in rule:
                continue
            name = rule["alert"]
            alerts.append(name)
            annotations = rule.get("annotations", {})
            for key in ("summary", "description", "runbook_url"):
                if not annotations.get(key, "").strip():
                    problems.append(f"{name}: annotation {key} is missing")
            if "severity" not in rule.get("labels", {}):
                problems.append(f"{name}: no severity label")
            for label, value in rule.get("labels", {}).items():
                if "{{" in str(value):
                    problems.append(f"{name}: label {label} is templated ({value}): one series per value")
            url = annotations.get("runbook_url", "")
            if not url.startswith(RUNBOOK_PREFIX):
                problems.append(f"{name}: runbook_url {url} is not {RUNBOOK_PREFIX}<anchor>")
            elif url[len(RUNBOOK_PREFIX):] not in anchors:
                problems.append(f"{name}: runbook_url anchor #{url[len(RUNBOOK_PREFIX):]} is no section of "
                                f"{runbook_file.name} (sections: {sorted(anchors)})")
    if not alerts:
        problems.append(f"{rules_file}: no alerts")
    for section in sorted(anchors - {a.lower() for a in alerts}):
        problems.append(f"{runbook_file.name}: section #{section} belongs to no alert")

    fired, resolved = {}, {}
    tests = yaml.safe_load(tests_file.read_text())
    for case in tests["tests"]:
        for expectation in case.get("alert_rule_test", []):
            name = expectation["alertname"]
            time = expectation["eval_time"]
            if expectation.get("exp_alerts"):
                fired.setdefault(name, []).append(time)
            else:
                resolved.setdefault(name, []).append(time)
    for name in alerts:
        if name not in fired:
            problems.append(f"{tests_file.name}: no test makes {name} fire")
        elif not any(duration(r) > min(map(duration, fired[name])) for r in resolved.get(name, [])):
            problems.append(f"{tests_file.name}: no test sees {name} resolved after it fired")


def duration(text):
    units = {"s": 1, "m": 60, "h": 3600}
    return sum(int(n) * units[u] for n, u in re.findall(r"(\d+)([smh])", text))


def panels_of(model):
    for panel in model.get("panels", []):
        yield panel
        yield from panel.get("panels", [])


def check_dashboards(directory, problems):
    files = sorted(directory.glob("*.json"))
    if not files:
        problems.append(f"{directory}: no dashboards")
    uids = {}
    for file in files:
        model = json.loads(file.read_text())
        where = file.name
        uid = model.get("uid", "")
        if not re.fullmatch(r"[a-zA-Z0-9_-]{1,40}", uid):
            problems.append(f"{where}: uid {uid!r} is not 1-40 letters, digits, - or _")
        if uid in uids:
            problems.append(f"{where}: uid {uid} also used by {uids[uid]}")
        uids[uid] = where
        if model.get("schemaVersion") != SCHEMA_VERSION:
            problems.append(f"{where}: schemaVersion {model.get('schemaVersion')} is not {SCHEMA_VERSION}")
        if model.get("id") is not None:
            problems.append(f"{where}: id must be null or absent (Grafana assigns it on import)")
        variables = {v["name"]: v for v in model.get("templating", {}).get("list", [])}
        wanted = ["datasource", "namespace"] + ([] if uid == "healthcheck-operator" else ["healthcheck"])
        for name in wanted:
            if name not in variables:
                problems.append(f"{where}: no template variable {name}")
        if variables.get("datasource", {}).get("type") != "datasource":
            problems.append(f"{where}: variable datasource is not of type datasource")
        ids = set()
        for panel in panels_of(model):
            title = panel.get("title", "")
            if panel.get("id") in ids:
                problems.append(f"{where}: panel id {panel.get('id')} twice")
            ids.add(panel.get("id"))
            if panel.get("type") == "row":
                continue
            if not title or not panel.get("description"):
                problems.append(f"{where}: panel {title!r} without title or description")
            targets = panel.get("targets", [])
            if not targets:
                problems.append(f"{where}: panel {title!r} has no query")
            for target in targets:
                if not target.get("expr", "").strip():
                    problems.append(f"{where}: panel {title!r} has a query without PromQL")
                if target.get("datasource", {}).get("uid") != "${datasource}":
                    problems.append(f"{where}: panel {title!r} does not query ${{datasource}}")
            if panel.get("datasource", {}).get("uid") != "${datasource}":
                problems.append(f"{where}: panel {title!r} does not use ${{datasource}}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=pathlib.Path, required=True)
    parser.add_argument("--tests", type=pathlib.Path, required=True)
    parser.add_argument("--runbook", type=pathlib.Path, required=True)
    parser.add_argument("--dashboards", type=pathlib.Path, required=True)
    args = parser.parse_args()
    problems = []
    check_rules(args.rules, args.tests, args.runbook, problems)
    check_dashboards(args.dashboards, problems)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    print("alert rules, unit tests, runbook and dashboards: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
