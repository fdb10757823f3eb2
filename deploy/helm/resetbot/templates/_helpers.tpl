{{/* The name of every object: the release name, unless fullnameOverride. */}}
{{- define "resetbot.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels selecting this release's pods; never change after install. */}}
{{- define "resetbot.selectorLabels" -}}
app.kubernetes.io/name: resetbot
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "resetbot.labels" -}}
{{ include "resetbot.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "resetbot.image" -}}
{{- $tag := default (printf "v%s" .Chart.AppVersion) .Values.image.tag -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}:{{ $tag }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ $tag }}
{{- end -}}
{{- end -}}

{{/* Port numbers from the listen addresses in the config. */}}
{{- define "resetbot.httpPort" -}}
{{- splitList ":" .Values.config.server.listen | last | int -}}
{{- end -}}
{{- define "resetbot.managementPort" -}}
{{- splitList ":" .Values.config.server.management_listen | last | int -}}
{{- end -}}
