package validate

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"sigs.k8s.io/yaml"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildOut  []byte
)

// resetbotBinary builds cmd/resetbot from this checkout once per test run,
// so the deployment files are checked by the same `config check` that
// `serve` applies at start.
func resetbotBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "resetbot-validate-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "resetbot")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/resetbot")
		cmd.Dir = "../.."
		buildOut, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("go build ./cmd/resetbot: %v\n%s", buildErr, buildOut)
	}
	return binPath
}

func configCheck(t *testing.T, file string) {
	t.Helper()
	out, err := exec.Command(resetbotBinary(t), "config", "check", file).CombinedOutput()
	if err != nil {
		t.Errorf("resetbot config check %s: %v\n%s", file, err, out)
	}
}

// TestDeployedConfigsPassConfigCheck runs `resetbot config check` on every
// configuration the deployment files ship: the compose trial's and the
// chart's, rendered with each values file.
func TestDeployedConfigsPassConfigCheck(t *testing.T) {
	t.Run("config.compose.yaml", func(t *testing.T) { configCheck(t, "../config.compose.yaml") })
	for name, values := range map[string][]string{
		"chart default":        nil,
		"chart Redis Sentinel": {chartDir + "/examples/values-redis-sentinel.yaml"},
		"chart Redis Cluster":  {chartDir + "/examples/values-redis-cluster.yaml"},
	} {
		t.Run(name, func(t *testing.T) {
			r := renderChart(t, values...)
			raw, err := yaml.Marshal(r.config)
			if err != nil {
				t.Fatal(err)
			}
			f := filepath.Join(t.TempDir(), "config.yaml")
			if err := os.WriteFile(f, raw, 0o600); err != nil {
				t.Fatal(err)
			}
			configCheck(t, f)
		})
	}
}
