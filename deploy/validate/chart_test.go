package validate

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	"helm.sh/helm/v3/pkg/lint"
	"helm.sh/helm/v3/pkg/lint/support"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

var update = flag.Bool("update", false, "rewrite deploy/kubernetes/resetbot.yaml from the chart")

const (
	chartDir    = "../helm/resetbot"
	renderedK8s = "../kubernetes/resetbot.yaml"
	namespace   = "resetbot"
)

// The chart's public paths: the web app behind the links and the chat
// webhooks (cmd/resetbot/serve.go, webauth/server.go). Nothing else may be
// in the Ingress.
var publicPaths = []string{"/r/", "/f/", "/static/", "/favicon.ico", "/slack/", "/api/messages", "/discord/interactions"}

// serviceMonitor is the part of the Prometheus Operator's ServiceMonitor
// CRD the chart uses, decoded as strictly as the k8s.io/api types (the
// operator's Go types would pull in the whole operator).
type serviceMonitor struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              struct {
		Selector  metav1.LabelSelector `json:"selector"`
		Endpoints []struct {
			Port     string `json:"port"`
			Path     string `json:"path"`
			Interval string `json:"interval"`
		} `json:"endpoints"`
	} `json:"spec"`
}

// rendered is one chart's objects, decoded into their types.
type rendered struct {
	text     string // the whole manifest, as helm template prints it
	objects  []any
	deploy   *appsv1.Deployment
	config   map[string]any
	cm       *corev1.ConfigMap
	ingress  *networkingv1.Ingress
	netpol   *networkingv1.NetworkPolicy
	pdb      *policyv1.PodDisruptionBudget
	svc      *corev1.Service
	monitors []*serviceMonitor
}

func newObject(apiVersion, kind string) (any, error) {
	switch apiVersion + "/" + kind {
	case "v1/ConfigMap":
		return &corev1.ConfigMap{}, nil
	case "v1/Service":
		return &corev1.Service{}, nil
	case "v1/ServiceAccount":
		return &corev1.ServiceAccount{}, nil
	case "v1/Secret":
		return &corev1.Secret{}, nil
	case "apps/v1/Deployment":
		return &appsv1.Deployment{}, nil
	case "apps/v1/StatefulSet":
		return &appsv1.StatefulSet{}, nil
	case "networking.k8s.io/v1/Ingress":
		return &networkingv1.Ingress{}, nil
	case "networking.k8s.io/v1/NetworkPolicy":
		return &networkingv1.NetworkPolicy{}, nil
	case "policy/v1/PodDisruptionBudget":
		return &policyv1.PodDisruptionBudget{}, nil
	case "monitoring.coreos.com/v1/ServiceMonitor":
		return &serviceMonitor{}, nil
	}
	return nil, fmt.Errorf("no type known for %s %s", apiVersion, kind)
}

// decodeManifests splits a multi-document YAML stream and decodes every
// object strictly into its Go type: an unknown or misspelt field fails.
func decodeManifests(t *testing.T, text string) []any {
	t.Helper()
	var out []any
	for i, doc := range regexp.MustCompile(`(?m)^---\s*$`).Split(text, -1) {
		if strings.TrimSpace(stripComments(doc)) == "" {
			continue
		}
		var meta metav1.TypeMeta
		if err := yaml.Unmarshal([]byte(doc), &meta); err != nil {
			t.Fatalf("document %d: %v", i, err)
		}
		obj, err := newObject(meta.APIVersion, meta.Kind)
		if err != nil {
			t.Fatalf("document %d: %v", i, err)
		}
		if err := yaml.UnmarshalStrict([]byte(doc), obj); err != nil {
			t.Fatalf("document %d (%s): strict decoding: %v", i, meta.Kind, err)
		}
		out = append(out, obj)
	}
	return out
}

func stripComments(doc string) string {
	var b strings.Builder
	for _, l := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

// renderChart renders the chart as `helm template resetbot deploy/helm/resetbot
// -n resetbot -f FILE...` does, and decodes every object.
func renderChart(t *testing.T, valueFiles ...string) rendered {
	t.Helper()
	ch, err := loader.Load(chartDir)
	if err != nil {
		t.Fatal(err)
	}
	vals := map[string]any{}
	for _, f := range valueFiles {
		v, err := chartutil.ReadValuesFile(f)
		if err != nil {
			t.Fatal(err)
		}
		vals = chartutil.MergeTables(v.AsMap(), vals)
	}
	rv, err := chartutil.ToRenderValues(ch, vals, chartutil.ReleaseOptions{Name: "resetbot", Namespace: namespace, IsInstall: true, Revision: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	files, err := engine.Render(ch, rv)
	if err != nil {
		t.Fatalf("helm template: %v", err)
	}
	names := make([]string, 0, len(files))
	for n, body := range files {
		if strings.HasSuffix(n, ".yaml") && strings.TrimSpace(body) != "" {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "---\n# Source: %s\n%s\n", n, strings.TrimSpace(files[n]))
	}
	r := rendered{text: b.String()}
	r.objects = decodeManifests(t, r.text)
	for _, o := range r.objects {
		switch o := o.(type) {
		case *appsv1.Deployment:
			r.deploy = o
		case *corev1.ConfigMap:
			r.cm = o
			if err := yaml.Unmarshal([]byte(o.Data["config.yaml"]), &r.config); err != nil {
				t.Fatalf("ConfigMap config.yaml: %v", err)
			}
		case *networkingv1.Ingress:
			r.ingress = o
		case *networkingv1.NetworkPolicy:
			r.netpol = o
		case *policyv1.PodDisruptionBudget:
			r.pdb = o
		case *corev1.Service:
			r.svc = o
		case *serviceMonitor:
			r.monitors = append(r.monitors, o)
		case *corev1.Secret:
			t.Errorf("the chart renders a Secret %q: secrets must be referenced, never inlined", o.Name)
		}
	}
	for name, v := range map[string]any{"Deployment": r.deploy, "ConfigMap": r.cm, "Ingress": r.ingress,
		"NetworkPolicy": r.netpol, "PodDisruptionBudget": r.pdb, "Service": r.svc} {
		if v == nil || fmt.Sprint(v) == "<nil>" {
			t.Fatalf("no %s rendered", name)
		}
	}
	return r
}

// TestChartLint is `helm lint --strict`: any warning fails.
func TestChartLint(t *testing.T) {
	for _, values := range [][]string{nil, {chartDir + "/examples/values-redis-sentinel.yaml"}, {chartDir + "/examples/values-redis-cluster.yaml"}} {
		vals := map[string]any{}
		for _, f := range values {
			v, err := chartutil.ReadValuesFile(f)
			if err != nil {
				t.Fatal(err)
			}
			vals = v.AsMap()
		}
		res := lint.AllWithKubeVersion(chartDir, vals, namespace, nil)
		for _, m := range res.Messages {
			if m.Severity >= support.WarningSev {
				t.Errorf("helm lint %v: %s", values, m)
			}
		}
	}
}

// TestKubernetesManifestsInSync keeps deploy/kubernetes/resetbot.yaml the
// chart rendered with its default values (go test -run InSync -update
// rewrites it).
func TestKubernetesManifestsInSync(t *testing.T) {
	r := renderChart(t)
	want := "# Rendered from deploy/helm/resetbot with its default values:\n" +
		"#   helm template resetbot deploy/helm/resetbot -n resetbot\n" +
		"# Do not edit: change the chart, then go -C deploy test ./validate -run InSync -update\n" + r.text
	if *update {
		if err := os.WriteFile(renderedK8s, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(renderedK8s)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, []byte(want)) {
		t.Errorf("%s differs from the rendered chart; run go -C deploy test ./validate -run InSync -update", renderedK8s)
	}
	// The plain manifests decode strictly too (also redis-aof.yaml).
	decodeManifests(t, string(got))
	aof, err := os.ReadFile("../kubernetes/redis-aof.yaml")
	if err != nil {
		t.Fatal(err)
	}
	objs := decodeManifests(t, string(aof))
	var sts *appsv1.StatefulSet
	for _, o := range objs {
		if s, ok := o.(*appsv1.StatefulSet); ok {
			sts = s
		}
	}
	if sts == nil || !strings.Contains(strings.Join(sts.Spec.Template.Spec.Containers[0].Args, " "), "--appendonly yes") || len(sts.Spec.VolumeClaimTemplates) == 0 {
		t.Error("redis-aof.yaml: want a StatefulSet running redis-server --appendonly yes on a PersistentVolumeClaim")
	}
}

// TestChartRules checks what the chart promises a cluster administrator,
// with the default values and with each Redis example.
func TestChartRules(t *testing.T) {
	cases := []struct {
		name      string
		values    []string
		redisMode string
	}{
		{name: "default (single Redis with AOF)", redisMode: "single"},
		{name: "Redis Sentinel", values: []string{chartDir + "/examples/values-redis-sentinel.yaml"}, redisMode: "sentinel"},
		{name: "Redis Cluster", values: []string{chartDir + "/examples/values-redis-cluster.yaml"}, redisMode: "cluster"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := renderChart(t, tc.values...)
			checkDeployment(t, r)
			checkConfig(t, r, tc.redisMode)
			checkIngress(t, r)
			checkNetworkPolicy(t, r)
			if r.pdb.Spec.MinAvailable == nil || r.pdb.Spec.MinAvailable.IntValue() < 1 ||
				!selects(r.pdb.Spec.Selector, r.deploy.Spec.Template.Labels) {
				t.Error("PodDisruptionBudget: want minAvailable >= 1 selecting the pods")
			}
			if len(r.monitors) != 1 || len(r.monitors[0].Spec.Endpoints) != 1 ||
				r.monitors[0].Spec.Endpoints[0].Port != "management" || r.monitors[0].Spec.Endpoints[0].Path != "/metrics" {
				t.Error("ServiceMonitor: want one endpoint scraping /metrics on the management port")
			}
		})
	}
}

func checkDeployment(t *testing.T, r rendered) {
	t.Helper()
	d := r.deploy
	if d.Spec.Replicas == nil || *d.Spec.Replicas != 2 {
		t.Errorf("replicas %d, want 2", ptrValue(d.Spec.Replicas))
	}
	pod := d.Spec.Template.Spec
	if pod.Affinity == nil || pod.Affinity.PodAntiAffinity == nil {
		t.Fatal("no pod anti-affinity: both replicas may land on one node")
	}
	spread := false
	for _, term := range pod.Affinity.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution {
		if term.PodAffinityTerm.TopologyKey == "kubernetes.io/hostname" && selects(term.PodAffinityTerm.LabelSelector, d.Spec.Template.Labels) {
			spread = true
		}
	}
	for _, term := range pod.Affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution {
		if term.TopologyKey == "kubernetes.io/hostname" && selects(term.LabelSelector, d.Spec.Template.Labels) {
			spread = true
		}
	}
	if !spread {
		t.Error("pod anti-affinity does not spread this release's pods over nodes")
	}
	if pod.SecurityContext == nil || pod.SecurityContext.RunAsNonRoot == nil || !*pod.SecurityContext.RunAsNonRoot ||
		pod.SecurityContext.SeccompProfile == nil || pod.SecurityContext.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Error("pod securityContext: want runAsNonRoot and the RuntimeDefault seccomp profile")
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("want one container, got %d", len(pod.Containers))
	}
	c := pod.Containers[0]
	sc := c.SecurityContext
	if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
		sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
		sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") {
		t.Error("container securityContext: want readOnlyRootFilesystem, no privilege escalation, runAsNonRoot, all capabilities dropped")
	}
	ports := map[string]int32{}
	for _, p := range c.Ports {
		ports[p.Name] = p.ContainerPort
	}
	if ports["http"] != 8080 || ports["management"] != 9090 {
		t.Errorf("container ports %v, want http 8080 and management 9090", ports)
	}
	for name, p := range map[string]*corev1.Probe{"liveness": c.LivenessProbe, "readiness": c.ReadinessProbe} {
		want := map[string]string{"liveness": "/healthz", "readiness": "/readyz"}[name]
		if p == nil || p.HTTPGet == nil || p.HTTPGet.Port.String() != "management" || p.HTTPGet.Path != want {
			t.Errorf("%s probe: want GET %s on the management port, got %+v", name, want, p)
		}
	}
	for _, res := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		if _, ok := c.Resources.Requests[res]; !ok {
			t.Errorf("no %s request", res)
		}
	}
	if _, ok := c.Resources.Limits[corev1.ResourceMemory]; !ok {
		t.Error("no memory limit")
	}
	for _, e := range c.Env {
		if e.Value != "" || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
			t.Errorf("env %s is not a secretKeyRef: secrets are referenced, never inlined", e.Name)
		}
	}
	if len(c.EnvFrom) != 0 {
		t.Error("envFrom imports a whole object; name each secret")
	}
	mounted := false
	for _, v := range pod.Volumes {
		if v.ConfigMap != nil && v.ConfigMap.Name == r.cm.Name {
			for _, m := range c.VolumeMounts {
				if m.Name == v.Name && m.MountPath == "/etc/resetbot" && m.ReadOnly {
					mounted = true
				}
			}
		}
	}
	if !mounted || !slices.Equal(c.Args, []string{"serve", "--config", "/etc/resetbot/config.yaml"}) {
		t.Error("the config is not the ConfigMap mounted read-only at /etc/resetbot and passed to serve")
	}
	if d.Spec.Template.Annotations["checksum/config"] == "" {
		t.Error("no checksum/config annotation: a config change would not roll the pods")
	}
}

var secretKey = regexp.MustCompile(`(?i)(password|secret|token|_key)$`)

func checkConfig(t *testing.T, r rendered, redisMode string) {
	t.Helper()
	provided := map[string]bool{}
	for _, e := range r.deploy.Spec.Template.Spec.Containers[0].Env {
		provided[e.Name] = true
	}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		m, ok := v.(map[string]any)
		if !ok {
			if secretKey.MatchString(path) {
				t.Errorf("config %s is an inline value: use {env: NAME} from the Secret", path)
			}
			return
		}
		if env, ok := m["env"].(string); ok && len(m) == 1 {
			if !provided[env] {
				t.Errorf("config %s reads $%s, which the Deployment does not provide", path, env)
			}
			return
		}
		if _, ok := m["file"]; ok && len(m) == 1 {
			return
		}
		for k, sub := range m {
			walk(strings.TrimPrefix(path+"."+k, "."), sub)
		}
	}
	walk("", r.config)
	server, _ := r.config["server"].(map[string]any)
	if server["management_listen"] != ":9090" {
		t.Errorf("server.management_listen %v, want :9090 (the probes and Prometheus come from outside the pod)", server["management_listen"])
	}
	redis, _ := r.config["redis"].(map[string]any)
	if redis["mode"] != redisMode {
		t.Errorf("redis.mode %v, want %s", redis["mode"], redisMode)
	}
	if redisMode == "sentinel" && redis["master_name"] == nil {
		t.Error("sentinel without master_name")
	}
}

func checkIngress(t *testing.T, r rendered) {
	t.Helper()
	if len(r.ingress.Spec.TLS) == 0 {
		t.Error("Ingress without TLS")
	}
	for _, rule := range r.ingress.Spec.Rules {
		for _, p := range rule.HTTP.Paths {
			if !slices.Contains(publicPaths, p.Path) {
				t.Errorf("Ingress exposes %s, which is not a public path %v", p.Path, publicPaths)
			}
			if p.Backend.Service == nil || p.Backend.Service.Port.Name != "http" {
				t.Errorf("Ingress path %s does not go to the public port", p.Path)
			}
		}
	}
}

func checkNetworkPolicy(t *testing.T, r rendered) {
	t.Helper()
	np := r.netpol.Spec
	if !selects(&np.PodSelector, r.deploy.Spec.Template.Labels) {
		t.Error("NetworkPolicy does not select the pods")
	}
	if !slices.Contains(np.PolicyTypes, networkingv1.PolicyTypeIngress) || !slices.Contains(np.PolicyTypes, networkingv1.PolicyTypeEgress) {
		t.Errorf("policyTypes %v, want Ingress and Egress", np.PolicyTypes)
	}
	ingressPorts := map[string]bool{}
	for _, rule := range np.Ingress {
		if len(rule.From) == 0 {
			t.Error("an ingress rule admits every source")
		}
		for _, p := range rule.Ports {
			ingressPorts[p.Port.String()] = true
		}
		if len(rule.Ports) != 1 {
			t.Error("each ingress rule admits exactly one port")
		}
	}
	if len(ingressPorts) != 2 || !ingressPorts["http"] || !ingressPorts["management"] {
		t.Errorf("ingress ports %v, want http (ingress controller) and management (monitoring)", ingressPorts)
	}
	egressPorts := map[string]bool{}
	for _, rule := range np.Egress {
		if len(rule.To) == 0 {
			t.Error("an egress rule allows every destination")
		}
		for _, p := range rule.Ports {
			egressPorts[p.Port.String()] = true
		}
	}
	for _, p := range []string{"53", "443", "636"} {
		if !egressPorts[p] {
			t.Errorf("no egress to port %s (DNS, chat APIs, directory)", p)
		}
	}
	if !egressPorts["6379"] {
		t.Error("no egress to Redis")
	}
}

func selects(sel *metav1.LabelSelector, labels map[string]string) bool {
	if sel == nil || len(sel.MatchLabels) == 0 {
		return false
	}
	for k, v := range sel.MatchLabels {
		if labels[k] != v {
			return false
		}
	}
	return true
}

func ptrValue(p *int32) int32 {
	if p == nil {
		return 0
	}
	return *p
}
