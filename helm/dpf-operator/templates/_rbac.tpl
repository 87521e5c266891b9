{{/*
The operator's permissions, exactly those of operator/src/main/resources/dpf-operator-rbac.yaml
(the list the operator's RbacTest keeps true); the chart's ChartRbacTest fails if they differ.
*/}}

{{/* Namespaced objects in the watched namespaces (all of them: the ClusterRole; else Roles). */}}
{{- define "dpf-operator.watchedRules" -}}
- apiGroups: [dpf.privacy.dev]
  resources: [privateblocks, privacyclaims]
  verbs: [get, list, watch, patch, update]
- apiGroups: [dpf.privacy.dev]
  resources: [privateblocks/status, privacyclaims/status]
  verbs: [update]
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list, watch, patch{{ if eq .Values.operator.deniedPods "delete" }}, delete{{ end }}]
- apiGroups: [batch]
  resources: [jobs]
  verbs: [get, list, watch]
{{- if .Values.operator.events }}
- apiGroups: [""]
  resources: [events]
  verbs: [create]
{{- end }}
{{- range .Values.rbac.workloadOwners }}
- apiGroups: [{{ .apiGroup | quote }}]
  resources: [{{ .resource | quote }}]
  verbs: [get]
{{- end }}
{{- end }}

{{/* Cluster-scoped objects. */}}
{{- define "dpf-operator.clusterRules" -}}
{{- if .Values.webhook.enabled }}
- apiGroups: [""]
  resources: [namespaces]
  verbs: [get]
  {{- with .Values.operator.namespaces }}
  resourceNames: {{ toJson . }}
  {{- end }}
- apiGroups: [""]
  resources: [nodes]
  verbs: [get]
{{- end }}
{{- if include "dpf-operator.ownCa" . }}
- apiGroups: [admissionregistration.k8s.io]
  resources: [mutatingwebhookconfigurations, validatingwebhookconfigurations]
  verbs: [get, watch, update]
  resourceNames: [{{ include "dpf-operator.webhookConfiguration" . | quote }}]
{{- end }}
{{- if .Values.leaderElection.enabled }}
- apiGroups: [authorization.k8s.io]
  resources: [selfsubjectrulesreviews]
  verbs: [create]
{{- end }}
{{- end }}

{{/* Objects in the release namespace: the webhook Secret (own CA) and the Lease. */}}
{{- define "dpf-operator.releaseNamespaceRules" -}}
{{- if include "dpf-operator.ownCa" . }}
- apiGroups: [""]
  resources: [secrets]
  verbs: [create]
- apiGroups: [""]
  resources: [secrets]
  verbs: [get, update]
  resourceNames: [{{ include "dpf-operator.webhookSecret" . | quote }}]
{{- end }}
{{- if .Values.leaderElection.enabled }}
- apiGroups: [coordination.k8s.io]
  resources: [leases]
  verbs: [create]
- apiGroups: [coordination.k8s.io]
  resources: [leases]
  verbs: [get, update, patch]
  resourceNames: [{{ include "dpf-operator.leaseName" . | quote }}]
{{- end }}
{{- end }}
