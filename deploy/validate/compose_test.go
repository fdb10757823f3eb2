package validate

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"sigs.k8s.io/yaml"
)

// trialEnv reads trial.env.example as a user would fill it in: every
// variable it names, empty ones given a placeholder value.
func trialEnv(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open("../trial.env.example")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("trial.env.example: %q is not KEY=VALUE", line)
		}
		if v == "" {
			v = "filled-in-" + strings.ToLower(k)
		}
		env[k] = v
	}
	return env
}

func loadCompose(t *testing.T, env map[string]string) (*types.Project, error) {
	t.Helper()
	var list []string
	for k, v := range env {
		list = append(list, k+"="+v)
	}
	opts, err := cli.NewProjectOptions([]string{"../compose.yaml"},
		cli.WithEnv(list), cli.WithWorkingDirectory(".."), cli.WithResolvedPaths(true))
	if err != nil {
		t.Fatal(err)
	}
	return opts.LoadProject(context.Background())
}

// TestComposeTrial loads deploy/compose.yaml with the compose-spec loader
// (what `docker compose` itself uses), with the variables trial.env.example
// names, and checks what the trial promises: health checks and restart
// policies everywhere, Redis with AOF, the directory built from files that
// exist and seeded, Slack in Socket Mode, the management port unpublished.
func TestComposeTrial(t *testing.T) {
	env := trialEnv(t)
	p, err := loadCompose(t, env)
	if err != nil {
		t.Fatalf("compose.yaml does not load with trial.env.example's variables: %v", err)
	}
	if got, want := p.ServiceNames(), []string{"openldap", "redis", "resetbot"}; !slices.Equal(sorted(got), want) {
		t.Fatalf("services %v, want %v", got, want)
	}

	for name, s := range p.Services {
		t.Run(name+"/health and restart", func(t *testing.T) {
			if s.HealthCheck == nil || s.HealthCheck.Disable || len(s.HealthCheck.Test) == 0 {
				t.Error("no health check")
			}
			if s.Restart != "unless-stopped" && s.Restart != "always" {
				t.Errorf("restart %q, want unless-stopped or always", s.Restart)
			}
		})
		t.Run(name+"/referenced files exist", func(t *testing.T) {
			for _, v := range s.Volumes {
				if v.Type == types.VolumeTypeBind {
					mustExist(t, v.Source)
				}
			}
			for _, f := range s.EnvFiles {
				mustExist(t, f.Path)
			}
			if s.Build != nil {
				df := s.Build.Dockerfile
				if df == "" {
					df = "Dockerfile"
				}
				if !filepath.IsAbs(df) {
					df = filepath.Join(s.Build.Context, df)
				}
				mustExist(t, df)
				checkCopySources(t, df, s.Build.Context)
			}
		})
	}

	t.Run("redis persists with AOF", func(t *testing.T) {
		cmd := strings.Join(p.Services["redis"].Command, " ")
		if !strings.Contains(cmd, "--appendonly yes") {
			t.Errorf("redis command %q lacks --appendonly yes", cmd)
		}
		if !hasVolumeAt(p.Services["redis"], "/data") {
			t.Error("redis /data is not a volume")
		}
	})

	t.Run("resetbot", func(t *testing.T) {
		s := p.Services["resetbot"]
		if !s.ReadOnly {
			t.Error("resetbot does not run with a read-only root filesystem")
		}
		for _, port := range s.Ports {
			if port.Target == 9090 {
				t.Error("the management listener (9090) is published")
			}
			if port.HostIP != "127.0.0.1" {
				t.Errorf("port %d published on %q, want 127.0.0.1 only", port.Target, port.HostIP)
			}
		}
		for dep, d := range s.DependsOn {
			if d.Condition != types.ServiceConditionHealthy {
				t.Errorf("depends on %s with condition %q, want service_healthy", dep, d.Condition)
			}
		}
		if !hasVolumeAt(s, "/var/lib/resetbot") {
			t.Error("the audit log directory is not a volume")
		}
	})

	t.Run("config.compose.yaml: socket mode, every secret provided", func(t *testing.T) {
		raw, err := os.ReadFile("../config.compose.yaml")
		if err != nil {
			t.Fatal(err)
		}
		var cfg struct {
			Slack map[string]any `json:"slack"`
		}
		if err := yaml.Unmarshal(raw, &cfg); err != nil {
			t.Fatal(err)
		}
		if cfg.Slack["mode"] != "socket" {
			t.Errorf("slack.mode %v, want socket (the trial needs no public URL)", cfg.Slack["mode"])
		}
		environment := p.Services["resetbot"].Environment
		for _, m := range regexp.MustCompile(`\{env: ([A-Z0-9_]+)\}`).FindAllStringSubmatch(string(raw), -1) {
			if v, ok := environment[m[1]]; !ok || v == nil || *v == "" {
				t.Errorf("config.compose.yaml reads $%s, which compose.yaml does not give resetbot", m[1])
			}
		}
	})

	t.Run("a missing secret stops compose", func(t *testing.T) {
		delete(env, "RESETBOT_SLACK_APP_TOKEN")
		if _, err := loadCompose(t, env); err == nil || !strings.Contains(err.Error(), "RESETBOT_SLACK_APP_TOKEN") {
			t.Errorf("without RESETBOT_SLACK_APP_TOKEN: %v, want an error naming it", err)
		}
	})
}

// TestTrialSeed checks that the directory's seed gives the configured
// groups and service account something to find.
func TestTrialSeed(t *testing.T) {
	seed, err := os.ReadFile("../trial/openldap/seed.ldif")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("../config.compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Directory struct {
			BindDN           string   `json:"bind_dn"`
			PrivilegedGroups []string `json:"privileged_groups"`
		} `json:"directory"`
		Helpdesk struct {
			Group string `json:"group"`
		} `json:"helpdesk"`
	}
	if err := yaml.Unmarshal(raw, &cfg); err != nil {
		t.Fatal(err)
	}
	for _, dn := range append([]string{cfg.Directory.BindDN, cfg.Helpdesk.Group}, cfg.Directory.PrivilegedGroups...) {
		if !strings.Contains(string(seed), "\ndn: "+dn+"\n") {
			t.Errorf("seed.ldif has no entry %q that config.compose.yaml names", dn)
		}
	}
}

func sorted(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }

func hasVolumeAt(s types.ServiceConfig, target string) bool {
	for _, v := range s.Volumes {
		if v.Target == target && v.Type == types.VolumeTypeVolume {
			return true
		}
	}
	return false
}

func mustExist(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Errorf("referenced file missing: %v", err)
	}
}

// checkCopySources checks that every COPY/ADD source of a Dockerfile (other
// than from a stage) exists in the build context.
func checkCopySources(t *testing.T, dockerfile, context string) {
	t.Helper()
	for _, st := range parseDockerfile(t, dockerfile) {
		for _, in := range st.insts {
			if in.cmd != "copy" && in.cmd != "add" {
				continue
			}
			if slices.ContainsFunc(in.flags, func(f string) bool { return strings.HasPrefix(f, "--from=") }) {
				continue
			}
			for _, src := range in.args[:len(in.args)-1] {
				mustExist(t, filepath.Join(context, src))
			}
		}
	}
}
