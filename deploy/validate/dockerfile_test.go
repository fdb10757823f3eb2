package validate

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// instruction is one Dockerfile instruction: its keyword (lower case), its
// flags and its arguments, with JSON-form arguments unwrapped.
type instruction struct {
	cmd   string
	flags []string
	args  []string
	line  int
}

// stage is one FROM ... block.
type stage struct {
	from  instruction
	insts []instruction
}

func parseDockerfile(t *testing.T, path string) []stage {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := parser.Parse(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var stages []stage
	for _, n := range res.AST.Children {
		in := instruction{cmd: strings.ToLower(n.Value), flags: n.Flags, line: n.StartLine}
		for a := n.Next; a != nil; a = a.Next {
			in.args = append(in.args, a.Value)
			// HEALTHCHECK CMD [...] keeps its command as a child node.
			for _, c := range a.Children {
				for b := c; b != nil; b = b.Next {
					in.args = append(in.args, b.Value)
				}
			}
		}
		if in.cmd == "from" {
			stages = append(stages, stage{from: in})
			continue
		}
		if len(stages) == 0 {
			if in.cmd == "arg" {
				continue // global ARG before the first FROM
			}
			t.Fatalf("%s:%d: %s before FROM", path, in.line, in.cmd)
		}
		stages[len(stages)-1].insts = append(stages[len(stages)-1].insts, in)
	}
	return stages
}

func (s stage) all(cmd string) []instruction {
	var out []instruction
	for _, in := range s.insts {
		if in.cmd == cmd {
			out = append(out, in)
		}
	}
	return out
}

// argDefaults returns a stage's ARG names with their defaults ("" when
// there is none).
func (s stage) argDefaults() map[string]string {
	out := map[string]string{}
	for _, in := range s.all("arg") {
		for _, a := range in.args {
			name, def, _ := strings.Cut(a, "=")
			out[name] = def
		}
	}
	return out
}

// labels returns a stage's LABEL keys and values. The parser gives each
// pair as three words: key, value, separator.
func (s stage) labels() map[string]string {
	out := map[string]string{}
	for _, in := range s.all("label") {
		for i := 0; i+1 < len(in.args); i += 3 {
			out[in.args[i]] = strings.Trim(in.args[i+1], `"`)
		}
	}
	return out
}

var digestPinned = regexp.MustCompile(`^[a-z0-9.\-/:]+@sha256:[0-9a-f]{64}$`)

// TestDockerfile checks the properties the image promises: base images
// pinned by digest, the version stamped from a build argument with a
// default, OCI labels, a non-root user, a read-only-root friendly layout,
// and a HEALTHCHECK against the management listener.
func TestDockerfile(t *testing.T) {
	for _, path := range []string{"Dockerfile", "trial/openldap/Dockerfile"} {
		t.Run(path+"/digests", func(t *testing.T) {
			stages := parseDockerfile(t, "../"+path)
			names := map[string]bool{}
			for _, s := range stages {
				img := s.from.args[0]
				if len(s.from.args) == 3 && strings.EqualFold(s.from.args[1], "as") {
					defer func(n string) { names[n] = true }(s.from.args[2])
				}
				if names[img] {
					continue // FROM an earlier stage
				}
				if !digestPinned.MatchString(img) {
					t.Errorf("%s:%d: FROM %s is not pinned by a sha256 digest", path, s.from.line, img)
				}
			}
		})
	}

	stages := parseDockerfile(t, "../Dockerfile")
	if len(stages) < 2 {
		t.Fatalf("want a multi-stage build, got %d stage(s)", len(stages))
	}
	build, final := stages[0], stages[len(stages)-1]

	t.Run("version build argument", func(t *testing.T) {
		for name, s := range map[string]stage{"build": build, "final": final} {
			if def, ok := s.argDefaults()["VERSION"]; !ok || def == "" {
				t.Errorf("%s stage: want ARG VERSION with a default, got %q (declared %v)", name, def, ok)
			}
		}
		stamped := false
		for _, in := range build.all("run") {
			joined := strings.Join(in.args, " ")
			if strings.Contains(joined, "go build") && strings.Contains(joined, "-X main.version=${VERSION}") &&
				strings.Contains(joined, "CGO_ENABLED=0") {
				stamped = true
			}
		}
		if !stamped {
			t.Error("no static `go build` stamping -X main.version=${VERSION}")
		}
	})

	t.Run("OCI labels", func(t *testing.T) {
		labels := final.labels()
		want := map[string]string{
			"org.opencontainers.image.title":    "resetbot",
			"org.opencontainers.image.source":   "https://github.com/resetbot/resetbot",
			"org.opencontainers.image.licenses": "Apache-2.0",
			"org.opencontainers.image.version":  "${VERSION}",
			"org.opencontainers.image.revision": "${COMMIT}",
			"org.opencontainers.image.created":  "${DATE}",
		}
		for k, v := range want {
			if labels[k] != v {
				t.Errorf("LABEL %s = %q, want %q", k, labels[k], v)
			}
		}
		if labels["org.opencontainers.image.description"] == "" {
			t.Error("no org.opencontainers.image.description")
		}
	})

	t.Run("non-root user", func(t *testing.T) {
		users := final.all("user")
		if len(users) == 0 {
			t.Fatal("final stage has no USER: it would run as root")
		}
		u := users[len(users)-1].args[0]
		uid, _, _ := strings.Cut(u, ":")
		if !regexp.MustCompile(`^[1-9][0-9]*$`).MatchString(uid) {
			// Numeric, so Kubernetes' runAsNonRoot can verify it.
			t.Errorf("USER %q: want a numeric non-zero uid", u)
		}
	})

	t.Run("read-only root friendly", func(t *testing.T) {
		// The only path the binary writes is the audit log directory of
		// config.example.yaml; it must be a volume owned by the user.
		vols := strings.Join(flatten(final.all("volume")), " ")
		if !strings.Contains(vols, "/var/lib/resetbot") {
			t.Errorf("VOLUME %q does not cover /var/lib/resetbot", vols)
		}
		owned := false
		for _, in := range final.all("copy") {
			if strings.Contains(strings.Join(in.flags, " "), "--chown=65532:65532") && strings.Contains(strings.Join(in.args, " "), "/var/lib/resetbot") {
				owned = true
			}
		}
		if !owned {
			t.Error("/var/lib/resetbot is not copied in owned by the runtime user")
		}
		example, err := os.ReadFile("../config.example.yaml")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(example), `log_file: "/var/lib/resetbot/`) {
			t.Error("config.example.yaml's audit.log_file is no longer under /var/lib/resetbot")
		}
	})

	t.Run("health check on the management listener", func(t *testing.T) {
		hcs := final.all("healthcheck")
		if len(hcs) != 1 {
			t.Fatalf("want one HEALTHCHECK, got %d", len(hcs))
		}
		args := hcs[0].args
		want := []string{"CMD", "/usr/local/bin/resetbot", "healthcheck", "--url", "http://127.0.0.1:9090/healthz"}
		if strings.Join(args, " ") != strings.Join(want, " ") {
			t.Errorf("HEALTHCHECK %q, want %q (exec form: distroless has no shell)", args, want)
		}
		exposed := strings.Join(flatten(final.all("expose")), " ")
		for _, p := range []string{"8080", "9090"} {
			if !strings.Contains(exposed, p) {
				t.Errorf("EXPOSE %q lacks %s", exposed, p)
			}
		}
	})
}

func flatten(ins []instruction) []string {
	var out []string
	for _, in := range ins {
		out = append(out, in.args...)
	}
	return out
}
