{{- define "apl.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "apl.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "apl.tokenSecret" -}}
{{- default (printf "%s-tokens" (include "apl.fullname" .)) .Values.tokens.existingSecret -}}
{{- end -}}

{{/* The OPA container: the same flags `apl-policy fleet up` runs each replica with. */}}
{{- define "apl.opaContainer" -}}
- name: opa
  image: {{ .root.Values.opa.image | quote }}
  args:
    - run
    - --server
    - --addr={{ .addr }}:{{ .root.Values.opa.port }}
    - --diagnostic-addr=0.0.0.0:{{ .root.Values.opa.diagnosticPort }}
    - --config-file=/config/opa-config.yaml
    - --set-file=keys.apl-signing.key=/config/signing.pub.pem
    - --set=bundles.apl.polling.min_delay_seconds={{ .root.Values.bundleServer.polling.minDelaySeconds }}
    - --set=bundles.apl.polling.max_delay_seconds={{ .root.Values.bundleServer.polling.maxDelaySeconds }}
    - --authentication=token
    - --authorization=basic
    - --optimize-store-for-read-speed
    - --skip-version-check
    - --shutdown-grace-period=10
    - --set=server.decoding.max_length={{ int .root.Values.opa.maxRequestBytes }}
    - --set=server.decoding.gzip.max_length={{ int .root.Values.opa.maxRequestBytes }}
  env:
    - name: GOGC
      value: {{ .root.Values.opa.gogc | quote }}
    - name: GOMEMLIMIT
      value: {{ .root.Values.opa.goMemLimit | quote }}
    - name: APL_BUNDLE_SERVER_URL
      value: http://{{ include "apl.fullname" .root }}-bundles:{{ .root.Values.bundleServer.port }}
    - name: APL_AUDIT_URL
      value: http://{{ include "apl.fullname" .root }}-audit:{{ .root.Values.audit.port }}
    - name: APL_REPLICA
      valueFrom:
        fieldRef:
          fieldPath: metadata.name
    - name: APL_PERSIST_DIR
      value: /var/lib/opa
    - name: APL_OPA_TOKEN
      valueFrom:
        secretKeyRef:
          name: {{ include "apl.tokenSecret" .root }}
          key: token
    - name: APL_OPA_MONITOR_TOKEN
      valueFrom:
        secretKeyRef:
          name: {{ include "apl.tokenSecret" .root }}
          key: monitor-token
    - name: APL_AUDIT_TOKEN
      valueFrom:
        secretKeyRef:
          name: {{ include "apl.tokenSecret" .root }}
          key: audit-token
  ports:
    - name: decisions
      containerPort: {{ .root.Values.opa.port }}
    - name: diagnostic
      containerPort: {{ .root.Values.opa.diagnosticPort }}
  # Ready only once the signed bundle is activated (downloaded or persisted).
  readinessProbe:
    httpGet:
      path: /health?bundles
      port: diagnostic
    periodSeconds: 2
    failureThreshold: 2
  livenessProbe:
    httpGet:
      path: /health
      port: diagnostic
    periodSeconds: 10
  resources:
    {{- toYaml .root.Values.opa.resources | nindent 4 }}
  securityContext:
    runAsNonRoot: true
    runAsUser: 1000
    readOnlyRootFilesystem: true
    allowPrivilegeEscalation: false
    capabilities:
      drop: ["ALL"]
  volumeMounts:
    - name: opa-config
      mountPath: /config
      readOnly: true
    - name: opa-persist
      mountPath: /var/lib/opa
{{- end -}}

{{- define "apl.opaVolumes" -}}
- name: opa-config
  configMap:
    name: {{ include "apl.fullname" . }}-opa
- name: opa-persist
  emptyDir: {}
{{- end -}}
