{{/* The chart name, or nameOverride; 63 characters at most (a label value). */}}
{{- define "wavesync.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The prefix of object names: fullnameOverride, else the release name (when it already holds the
chart name), else both. 63 characters at most, as some names become DNS labels.
*/}}
{{- define "wavesync.fullname" -}}
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

{{/* The helm.sh/chart label: name and version ("+" is not allowed in a label value). */}}
{{- define "wavesync.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The labels a Deployment selects its pods by; they must never change after install. */}}
{{- define "wavesync.selectorLabels" -}}
app.kubernetes.io/name: {{ include "wavesync.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: controller
{{- end }}

{{/* The labels of every object. */}}
{{- define "wavesync.labels" -}}
helm.sh/chart: {{ include "wavesync.chart" . }}
{{ include "wavesync.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* The controller's ServiceAccount: the one created, or the one given. */}}
{{- define "wavesync.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "wavesync.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}
