package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Options change how a file is loaded.
type Options struct {
	// LookupEnv reads environment variables, for overrides and {env:}
	// secrets; nil means os.LookupEnv. Tests pass a map's lookup.
	LookupEnv func(string) (string, bool)
	// Offline skips what depends on the machine the server runs on:
	// resolving secrets and checking that referenced files (CA bundles,
	// certificates) exist. For checking a file in CI or on a laptop.
	Offline bool
}

// Load reads and checks the file at path: strict decode, environment
// overrides, defaults, validation and secret resolution. On any problem it
// returns Problems listing all of them (and the partial Config, useful for a
// summary). The Config is ready to use only when the error is nil.
func Load(path string, opts Options) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return LoadBytes(data, opts)
}

// LoadBytes is Load for a file already in memory.
func LoadBytes(data []byte, opts Options) (*Config, error) {
	lookup := opts.LookupEnv
	if lookup == nil {
		lookup = os.LookupEnv
	}
	c, err := parse(data)
	if err != nil {
		return c, err
	}
	var probs Problems
	probs = append(probs, c.applyEnv(lookup)...)
	c.ApplyDefaults()
	c.offline = opts.Offline
	if !opts.Offline {
		probs = append(probs, c.resolveSecrets(lookup)...)
	}
	probs = append(probs, c.Validate()...)
	sortByLine(probs)
	if len(probs) > 0 {
		return c, probs
	}
	return c, nil
}

// parse decodes strictly: unknown keys and wrong types are all reported,
// each with its line.
func parse(data []byte) (*Config, error) {
	c := &Config{lines: map[string]int{}, fromEnv: map[string]string{}}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return c, Problems{fmt.Errorf("config: %w", err)}
	}
	keyLines := map[int][]string{}
	indexLines("", &root, c.lines, keyLines)

	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	err := dec.Decode(c)
	if errors.Is(err, io.EOF) {
		return c, Problems{errors.New("config: the file is empty")}
	}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		probs := make(Problems, 0, len(te.Errors))
		for _, msg := range te.Errors {
			probs = append(probs, errors.New(explainDecode(msg, keyLines)))
		}
		return c, probs
	}
	if err != nil {
		return c, Problems{fmt.Errorf("config: %w", err)}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return c, Problems{errors.New("config: more than one YAML document; use one")}
	}
	return c, nil
}

// unknownField matches yaml.v3's message for a key with no struct field.
var unknownField = regexp.MustCompile(`^line (\d+): field (\S+) not found in type \S+$`)

// explainDecode rewrites yaml.v3's unknown-field message into the key path
// an operator recognises: "line 7: server.lisen: unknown key".
func explainDecode(msg string, keyLines map[int][]string) string {
	m := unknownField.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	line, _ := strconv.Atoi(m[1])
	for _, p := range keyLines[line] {
		if p == m[2] || strings.HasSuffix(p, "."+m[2]) {
			return fmt.Sprintf("line %d: %s: unknown key", line, p)
		}
	}
	return fmt.Sprintf("line %d: %s: unknown key", line, m[2])
}

// indexLines records the line of every key path below n, and which paths
// start on each line (keys of flow mappings can share one).
func indexLines(path string, n *yaml.Node, lines map[string]int, keyLines map[int][]string) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, ch := range n.Content {
			indexLines(path, ch, lines, keyLines)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			lines[p] = k.Line
			keyLines[k.Line] = append(keyLines[k.Line], p)
			indexLines(p, v, lines, keyLines)
		}
	case yaml.SequenceNode:
		for i, ch := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			lines[p] = ch.Line
			indexLines(p, ch, lines, keyLines)
		}
	}
}

// sortByLine orders problems as they appear in the file, so they read top
// to bottom; problems without a line (from the environment, or about a
// missing key of a missing section) keep their order, after the others.
func sortByLine(probs Problems) {
	line := func(e error) int {
		var fe *FieldError
		if errors.As(e, &fe) && fe.Line > 0 {
			return fe.Line
		}
		return int(^uint(0) >> 1)
	}
	sort.SliceStable(probs, func(i, j int) bool { return line(probs[i]) < line(probs[j]) })
}
