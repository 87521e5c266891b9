{{/* The chart's name, truncated to 63 characters (a label value). */}}
{{- define "dpf-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The release's full name, the base of every object's name. A release named like the chart
(helm install dpf-operator ...) gives the operator's default names: Service dpf-operator-webhook,
Secret dpf-operator-webhook-tls, webhook configurations and Lease dpf-operator. Kept short enough
for the suffixes below to stay within 63 characters.
*/}}
{{- define "dpf-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "dpf-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "dpf-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "dpf-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "dpf-operator.labels" -}}
helm.sh/chart: {{ include "dpf-operator.chart" . }}
{{ include "dpf-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: dpf
{{- end }}

{{- define "dpf-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "dpf-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "dpf-operator.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* Names the operator's flags point at; the objects below are named by the same helpers. */}}
{{- define "dpf-operator.webhookService" -}}
{{- printf "%s-webhook" (include "dpf-operator.fullname" .) }}
{{- end }}

{{- define "dpf-operator.webhookSecret" -}}
{{- printf "%s-webhook-tls" (include "dpf-operator.fullname" .) }}
{{- end }}

{{- define "dpf-operator.webhookConfiguration" -}}
{{- include "dpf-operator.fullname" . }}
{{- end }}

{{- define "dpf-operator.certificate" -}}
{{- printf "%s-webhook" (include "dpf-operator.fullname" .) }}
{{- end }}

{{- define "dpf-operator.certificateSecret" -}}
{{- printf "%s-webhook-cert" (include "dpf-operator.fullname" .) }}
{{- end }}

{{- define "dpf-operator.leaseName" -}}
{{- default (include "dpf-operator.fullname" .) .Values.leaderElection.leaseName }}
{{- end }}

{{/* Where the cert-manager Secret is mounted (--webhook-cert-dir). */}}
{{- define "dpf-operator.certDir" -}}
/etc/dpf/webhook-tls
{{- end }}

{{/* The operator keeps its own CA (webhooks on, no cert-manager). */}}
{{- define "dpf-operator.ownCa" -}}
{{- if and .Values.webhook.enabled (not .Values.certManager.enabled) }}true{{ end }}
{{- end }}

{{/*
The namespaceSelector of every webhook: never the system namespaces nor the release's own (a
fail-closed webhook must not stand between the cluster and the pods it needs to recover); with
operator.namespaces, only those.
*/}}
{{- define "dpf-operator.webhookNamespaceExpressions" -}}
- key: kubernetes.io/metadata.name
  operator: NotIn
  values:
    {{- range (concat (list "kube-system" "kube-public" "kube-node-lease" .Release.Namespace) .Values.webhook.excludeNamespaces | uniq) }}
    - {{ . | quote }}
    {{- end }}
{{- with .Values.operator.namespaces }}
- key: kubernetes.io/metadata.name
  operator: In
  values:
    {{- range . }}
    - {{ . | quote }}
    {{- end }}
{{- end }}
{{- end }}

{{/*
Checks across values that the schema cannot express; each failure names the value.
*/}}
{{- define "dpf-operator.validate" -}}
{{- if and (gt (int .Values.replicaCount) 1) (not .Values.leaderElection.enabled) }}
{{- fail (printf "replicaCount is %d: more than one replica needs leaderElection.enabled=true (one scheduler at a time)" (int .Values.replicaCount)) }}
{{- end }}
{{- $prev := 1.0 }}
{{- range $i, $o := .Values.operator.orders }}
{{- if le (float64 $o) $prev }}
{{- fail (printf "operator.orders must be increasing and all > 1, got %v at position %d of %v" $o $i $.Values.operator.orders) }}
{{- end }}
{{- $prev = float64 $o }}
{{- end }}
{{- if and .Values.certManager.enabled (not .Values.webhook.enabled) }}
{{- fail "certManager.enabled=true needs webhook.enabled=true (the certificate is for the webhooks)" }}
{{- end }}
{{- end }}
