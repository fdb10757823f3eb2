package validate

import (
	"bufio"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestPublicPathsMatchTheCode keeps the public path list (the chart's
// Ingress test, the reverse-proxy guide) in step with the routes the code
// serves: every route of the web app and every webhook path constant must
// fall under one of the public paths.
func TestPublicPathsMatchTheCode(t *testing.T) {
	route := regexp.MustCompile(`m\.Handle(?:Func)?\("(?:GET |POST )?(/[^"]*)"`)
	src, err := os.ReadFile("../../webauth/server.go")
	if err != nil {
		t.Fatal(err)
	}
	var routes []string
	for _, m := range route.FindAllStringSubmatch(string(src), -1) {
		if m[1] != "/" { // the catch-all not-found page
			routes = append(routes, m[1])
		}
	}
	for file, re := range map[string]string{
		"../../bot/slack/http.go":   `Path[A-Za-z]+\s*=\s*"(/[^"]+)"`,
		"../../bot/teams/http.go":   `PathMessages\s*=\s*"(/[^"]+)"`,
		"../../bot/discord/http.go": `PathInteractions\s*=\s*"(/[^"]+)"`,
	} {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		ms := regexp.MustCompile(re).FindAllStringSubmatch(string(src), -1)
		if len(ms) == 0 {
			t.Fatalf("%s: no webhook path found with %s", file, re)
		}
		for _, m := range ms {
			routes = append(routes, m[1])
		}
	}
	if len(routes) < 10 {
		t.Fatalf("found only %d routes in webauth/server.go; has the mux moved?", len(routes))
	}
	for _, r := range routes {
		if !slices.ContainsFunc(publicPaths, func(p string) bool { return r == p || strings.HasPrefix(r, p) }) {
			t.Errorf("the code serves %s, which no public path %v covers (add it to the chart, the guide and this list)", r, publicPaths)
		}
	}
}

// TestReverseProxyGuide checks that the guide's nginx and Caddy examples
// forward every public path and no management path.
func TestReverseProxyGuide(t *testing.T) {
	raw, err := os.ReadFile("../reverse-proxy.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := map[string]string{}
	for _, m := range regexp.MustCompile("(?s)```(nginx|caddy)\n(.*?)```").FindAllStringSubmatch(string(raw), -1) {
		blocks[m[1]] = m[2]
	}
	for _, lang := range []string{"nginx", "caddy"} {
		b, ok := blocks[lang]
		if !ok {
			t.Errorf("no %s example", lang)
			continue
		}
		for _, p := range []string{"/r/", "/f/", "/static/", "/favicon.ico", "/slack/commands", "/slack/interactivity", "/slack/events", "/api/messages", "/discord/interactions"} {
			if !strings.Contains(b, p) {
				t.Errorf("%s example does not forward %s", lang, p)
			}
		}
		for _, p := range []string{"9090", "location /metrics", "location /healthz", "path /metrics"} {
			if strings.Contains(b, p) {
				t.Errorf("%s example mentions %q: the management listener must not be proxied", lang, p)
			}
		}
	}
}

// TestSystemdUnit checks the VM unit runs serve with the hardening options
// the guide promises.
func TestSystemdUnit(t *testing.T) {
	f, err := os.Open("../systemd/resetbot.service")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	keys := map[string][]string{}
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "["):
			section = strings.Trim(line, "[]")
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				t.Fatalf("not key=value: %q", line)
			}
			keys[section+"."+k] = append(keys[section+"."+k], v)
		}
	}
	want := map[string]string{
		"Service.ExecStart":               "/usr/local/bin/resetbot serve --config /etc/resetbot/config.yaml",
		"Service.DynamicUser":             "yes",
		"Service.StateDirectory":          "resetbot",
		"Service.NoNewPrivileges":         "yes",
		"Service.CapabilityBoundingSet":   "",
		"Service.ProtectSystem":           "strict",
		"Service.ProtectHome":             "yes",
		"Service.PrivateTmp":              "yes",
		"Service.PrivateDevices":          "yes",
		"Service.ProtectKernelTunables":   "yes",
		"Service.ProtectKernelModules":    "yes",
		"Service.ProtectControlGroups":    "yes",
		"Service.RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
		"Service.RestrictNamespaces":      "yes",
		"Service.MemoryDenyWriteExecute":  "yes",
		"Service.SystemCallFilter":        "@system-service",
		"Service.Restart":                 "on-failure",
		"Install.WantedBy":                "multi-user.target",
	}
	for k, v := range want {
		if !slices.Contains(keys[k], v) {
			t.Errorf("%s = %q, want %q", k, keys[k], v)
		}
	}
	if _, ok := keys["Service.Environment"]; ok {
		t.Error("Environment= in the unit: secrets belong in the EnvironmentFile or in files, not in a world-readable unit")
	}
}
