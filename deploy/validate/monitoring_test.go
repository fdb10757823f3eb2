package validate

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	promql "github.com/prometheus/prometheus/promql/parser"
)

// exportedMetrics reads the metric names resetbot registers from its
// source: every prometheus.*Opts literal outside tests (Namespace,
// Subsystem and Name joined as client_golang does), every name a custom
// collector builds with prometheus.BuildFQName (fqNames), plus the Go and process
// collectors' names when cmd/resetbot registers those collectors, plus
// Prometheus's own "up".
func exportedMetrics(t *testing.T) map[string]bool {
	t.Helper()
	names := map[string]bool{"up": true}
	root := "../.."
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "deploy" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		for name := range fqNames(f) {
			names[name] = true
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CompositeLit:
				sel, ok := n.Type.(*ast.SelectorExpr)
				if !ok || !strings.HasSuffix(sel.Sel.Name, "Opts") {
					return true
				}
				if pkg, ok := sel.X.(*ast.Ident); !ok || pkg.Name != "prometheus" {
					return true
				}
				parts := map[string]string{}
				for _, el := range n.Elts {
					kv, ok := el.(*ast.KeyValueExpr)
					if !ok {
						continue
					}
					key, _ := kv.Key.(*ast.Ident)
					lit, ok := kv.Value.(*ast.BasicLit)
					if key == nil || !ok || lit.Kind != token.STRING {
						continue
					}
					parts[key.Name], _ = strconv.Unquote(lit.Value)
				}
				var name []string
				for _, k := range []string{"Namespace", "Subsystem", "Name"} {
					if parts[k] != "" {
						name = append(name, parts[k])
					}
				}
				if parts["Name"] != "" {
					full := strings.Join(name, "_")
					names[full] = true
					if sel.Sel.Name == "HistogramOpts" || sel.Sel.Name == "SummaryOpts" {
						for _, s := range []string{"_bucket", "_sum", "_count"} {
							names[full+s] = true
						}
					}
				}
			case *ast.SelectorExpr:
				if pkg, ok := n.X.(*ast.Ident); ok && pkg.Name == "collectors" {
					switch n.Sel.Name {
					case "NewGoCollector":
						for _, m := range []string{"go_goroutines", "go_threads", "go_memstats_alloc_bytes", "go_gc_duration_seconds"} {
							names[m] = true
						}
					case "NewProcessCollector":
						for _, m := range []string{"process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds", "process_start_time_seconds"} {
							names[m] = true
						}
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !names["resetbot_flow_events_total"] {
		t.Fatalf("found no resetbot_flow_events_total in the source (found %v): has the metric moved?", names)
	}
	return names
}

// fqNames finds the names a custom collector builds for its descriptors
// with prometheus.BuildFQName: a direct call with three string literals,
// or a helper in the same file whose BuildFQName call takes its first
// parameter as the name (redisPoolDesc("hits_total", ...)), called with a
// literal.
func fqNames(f *ast.File) map[string]bool {
	lit := func(e ast.Expr) (string, bool) {
		b, ok := e.(*ast.BasicLit)
		if !ok || b.Kind != token.STRING {
			return "", false
		}
		v, err := strconv.Unquote(b.Value)
		return v, err == nil
	}
	isFQ := func(c *ast.CallExpr) bool {
		sel, ok := c.Fun.(*ast.SelectorExpr)
		if !ok {
			return false
		}
		pkg, _ := sel.X.(*ast.Ident)
		return pkg != nil && pkg.Name == "prometheus" && sel.Sel.Name == "BuildFQName" && len(c.Args) == 3
	}
	join := func(parts ...string) string {
		var nonEmpty []string
		for _, p := range parts {
			if p != "" {
				nonEmpty = append(nonEmpty, p)
			}
		}
		return strings.Join(nonEmpty, "_")
	}
	out := map[string]bool{}
	helpers := map[string]string{} // helper func name -> namespace_subsystem
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Type.Params.NumFields() == 0 || len(fn.Type.Params.List[0].Names) == 0 {
			continue
		}
		param := fn.Type.Params.List[0].Names[0].Name
		ast.Inspect(fn, func(n ast.Node) bool {
			c, ok := n.(*ast.CallExpr)
			if !ok || !isFQ(c) {
				return true
			}
			ns, ok1 := lit(c.Args[0])
			sub, ok2 := lit(c.Args[1])
			if id, ok := c.Args[2].(*ast.Ident); ok1 && ok2 && ok && id.Name == param {
				helpers[fn.Name.Name] = join(ns, sub)
			}
			return true
		})
	}
	ast.Inspect(f, func(n ast.Node) bool {
		c, ok := n.(*ast.CallExpr)
		if !ok || len(c.Args) == 0 {
			return true
		}
		if isFQ(c) {
			ns, ok1 := lit(c.Args[0])
			sub, ok2 := lit(c.Args[1])
			name, ok3 := lit(c.Args[2])
			if ok1 && ok2 && ok3 {
				out[join(ns, sub, name)] = true
			}
			return true
		}
		if id, ok := c.Fun.(*ast.Ident); ok {
			if prefix, ok := helpers[id.Name]; ok {
				if name, ok := lit(c.Args[0]); ok {
					out[join(prefix, name)] = true
				}
			}
		}
		return true
	})
	return out
}

var promqlParser = promql.NewParser(promql.Options{})

// metricsIn parses a PromQL expression and returns the metric names it
// selects.
func metricsIn(t *testing.T, where, expr string) []string {
	t.Helper()
	e, err := promqlParser.ParseExpr(expr)
	if err != nil {
		t.Errorf("%s: %q: %v", where, expr, err)
		return nil
	}
	var out []string
	promql.Inspect(e, func(n promql.Node, _ []promql.Node) error {
		if vs, ok := n.(*promql.VectorSelector); ok {
			if vs.Name == "" {
				t.Errorf("%s: %q selects without a metric name", where, expr)
			}
			out = append(out, vs.Name)
		}
		return nil
	})
	return out
}

// TestAlertRules parses the alert rules with Prometheus's own rulefmt
// (unknown fields, bad PromQL and bad templates fail) and checks that
// every metric they use is one resetbot exports.
func TestAlertRules(t *testing.T) {
	exported := exportedMetrics(t)
	groups, errs := rulefmt.ParseFile("../prometheus/resetbot-rules.yaml", false, model.UTF8Validation, promqlParser, slog.New(slog.DiscardHandler))
	for _, err := range errs {
		t.Error(err)
	}
	if groups == nil {
		t.FailNow()
	}
	var alerts []string
	for _, g := range groups.Groups {
		for _, r := range g.Rules {
			alerts = append(alerts, r.Alert)
			if r.Labels["severity"] == "" || r.Annotations["summary"] == "" {
				t.Errorf("%s: want a severity label and a summary", r.Alert)
			}
			for _, m := range metricsIn(t, r.Alert, r.Expr) {
				if !exported[m] {
					t.Errorf("%s uses %s, which resetbot does not export", r.Alert, m)
				}
			}
		}
	}
	for _, want := range []string{"ResetbotDown", "ResetbotDirectoryDown", "ResetbotVerificationFailureSpike",
		"ResetbotLinkDeliveryBehind", "ResetbotAuditBacklogGrowing", "ResetbotRedisPoolExhausted"} {
		if !slices.Contains(alerts, want) {
			t.Errorf("no %s alert", want)
		}
	}
}

// TestGrafanaDashboard checks the dashboard is valid JSON whose every
// query parses as PromQL (with Grafana's variables filled in) and uses
// only metrics resetbot exports.
func TestGrafanaDashboard(t *testing.T) {
	exported := exportedMetrics(t)
	raw, err := os.ReadFile("../grafana/resetbot-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		UID    string `json:"uid"`
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(raw, &dash); err != nil {
		t.Fatal(err)
	}
	if dash.UID == "" || len(dash.Panels) == 0 {
		t.Fatal("dashboard without uid or panels")
	}
	grafana := strings.NewReplacer("$__rate_interval", "5m", "$__interval", "1m", `"$job"`, `".+"`)
	used := map[string]bool{}
	for _, p := range dash.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			for _, m := range metricsIn(t, p.Title, grafana.Replace(tg.Expr)) {
				used[m] = true
				if !exported[m] {
					t.Errorf("panel %q uses %s, which resetbot does not export", p.Title, m)
				}
			}
		}
	}
	if !used["resetbot_flow_events_total"] {
		t.Error("no panel shows resetbot_flow_events_total")
	}
}
