package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// settingPaths lists the key path of every setting in t, from its yaml tags.
// Maps and Secrets are settings themselves (their keys are data).
func settingPaths(prefix string, t reflect.Type) []string {
	var paths []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
		if !f.IsExported() || tag == "" || tag == "-" {
			continue
		}
		p := tag
		if prefix != "" {
			p = prefix + "." + tag
		}
		paths = append(paths, p)
		if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeOf(Secret{}) && f.Type.PkgPath() == t.PkgPath() {
			paths = append(paths, settingPaths(p, f.Type)...)
		}
	}
	return paths
}

// commentedKeys maps the key paths of struct fields in the file to whether
// the key carries a comment (above it or on its line).
func commentedKeys(path string, n *yaml.Node, out map[string]bool) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			commentedKeys(path, c, out)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			out[p] = k.HeadComment != "" || k.LineComment != "" || v.LineComment != ""
			commentedKeys(p, v, out)
		}
	}
}

// TestExampleDocumentsEveryKey keeps deploy/config.example.yaml complete:
// a setting added to Config without an example and a comment fails here.
func TestExampleDocumentsEveryKey(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "..", "..", "deploy", "config.example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		t.Fatal(err)
	}
	commented := map[string]bool{}
	commentedKeys("", &root, commented)
	for _, p := range settingPaths("", reflect.TypeOf(Config{})) {
		t.Run(p, func(t *testing.T) {
			has, ok := commented[p]
			switch {
			case !ok:
				t.Errorf("%s is missing from the example", p)
			case !has:
				t.Errorf("%s has no comment in the example", p)
			}
		})
	}
}
