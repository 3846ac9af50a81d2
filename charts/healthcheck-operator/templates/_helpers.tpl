{{/* Chart name, as in object names and labels. */}}
{{- define "healthcheck-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name of the release's objects: the release name, with the chart name unless it holds it. */}}
{{- define "healthcheck-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "healthcheck-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "healthcheck-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "healthcheck-operator.labels" -}}
{{ include "healthcheck-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "healthcheck-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "healthcheck-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* registry/repository:tag of an image value; the tag defaults to the chart's appVersion. */}}
{{- define "healthcheck-operator.image" -}}
{{- $image := index . 0 }}
{{- $root := index . 1 }}
{{- $tag := default $root.Chart.AppVersion $image.tag }}
{{- if $image.registry }}
{{- printf "%s/%s:%s" (trimSuffix "/" $image.registry) $image.repository $tag }}
{{- else }}
{{- printf "%s:%s" $image.repository $tag }}
{{- end }}
{{- end }}

{{/*
The watched namespaces as the operator reads them (QUARKUS_OPERATOR_SDK_CONTROLLERS_HEALTHCHECK_NAMESPACES), after
checking that the RBAC scope can serve them.
*/}}
{{- define "healthcheck-operator.watchNamespaces" -}}
{{- if not (has .Values.rbac.scope (list "cluster" "namespaced")) }}
{{- fail (printf "rbac.scope must be cluster or namespaced, not %q" .Values.rbac.scope) }}
{{- end }}
{{- if .Values.watchNamespaces }}
{{- join "," (uniq .Values.watchNamespaces) }}
{{- else if eq .Values.rbac.scope "namespaced" }}
{{- fail "rbac.scope=namespaced needs watchNamespaces: the operator gets rights only in the namespaces listed there" }}
{{- else }}
{{- print "JOSDK_ALL_NAMESPACES" }}
{{- end }}
{{- end }}

{{/* Whether the PodDisruptionBudget is rendered: by value, or when there is more than one replica. */}}
{{- define "healthcheck-operator.pdbEnabled" -}}
{{- if kindIs "bool" .Values.podDisruptionBudget.enabled }}
{{- if .Values.podDisruptionBudget.enabled }}true{{ end }}
{{- else if gt (int .Values.replicas) 1 }}true{{ end }}
{{- end }}

{{/* The names of a pull-secret list ([{name: a}, {name: b}]) as one comma-separated setting: "a,b". */}}
{{- define "healthcheck-operator.secretNames" -}}
{{- $names := list }}
{{- range . }}
{{- if not (and (kindIs "map" .) .name) }}
{{- fail (printf "sidecarImage.pullSecrets: each entry is {name: <Secret>}, not %v" .) }}
{{- end }}
{{- $names = append $names .name }}
{{- end }}
{{- join "," $names }}
{{- end }}
