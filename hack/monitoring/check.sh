#!/usr/bin/env bash
# The monitoring files' own checks (make monitoring-check), without a cluster:
#   - promtool check rules and promtool test rules (prometheus-rules.test.yaml: every alert fires and resolves);
#   - lint.py: every alert's summary, description and runbook_url, each runbook anchor a section of
#     docs/runbook.md, every alert covered by a firing and a resolving unit test, the dashboards' JSON models.
# The real Prometheus test and `promtool check metrics` on both apps' output run in mvn verify
# (cluster-tests: PrometheusIT), with the tools tools.sh installs.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
RULES="$ROOT/charts/healthcheck-operator/files/prometheus-rules.yaml"

"$HERE/tools.sh"
promtool check rules "$RULES"
promtool test rules "$HERE/prometheus-rules.test.yaml"
python3 "$HERE/lint.py" --rules "$RULES" --tests "$HERE/prometheus-rules.test.yaml" \
    --runbook "$ROOT/docs/runbook.md" --dashboards "$ROOT/charts/healthcheck-operator/files/dashboards"
