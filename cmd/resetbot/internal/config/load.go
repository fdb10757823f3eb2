package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
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
	c, decodeProbs, err := parse(data)
	if err != nil {
		return c, err
	}
	// A key that failed to decode is left at its zero value: the checks
	// below still run on the rest of the file, so one run reports every
	// problem, but nothing more is said about the key already reported.
	var later []error
	later = append(later, c.applyEnv(lookup)...)
	c.ApplyDefaults()
	c.offline = opts.Offline
	if !opts.Offline {
		later = append(later, c.resolveSecrets(lookup)...)
	}
	later = append(later, c.Validate()...)
	probs := append(Problems{}, decodeProbs...)
	for _, e := range later {
		if !underReported(e, decodeProbs) {
			probs = append(probs, e)
		}
	}
	sortByLine(probs)
	if len(probs) > 0 {
		return c, probs
	}
	return c, nil
}

// parse decodes strictly. A file that is not YAML (or is empty, or holds
// two documents) is an error; unknown keys and wrong types are returned as
// problems with their line and key path, and the decode goes on past them,
// so the caller can check the rest of the file in the same run.
func parse(data []byte) (*Config, Problems, error) {
	c := &Config{lines: map[string]int{}, fromEnv: map[string]string{}}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return c, nil, Problems{fmt.Errorf("config: %w", err)}
	}
	at := map[int][]keyAt{}
	indexLines("", &root, c.lines, at)

	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	err := dec.Decode(c)
	if errors.Is(err, io.EOF) {
		return c, nil, Problems{errors.New("config: the file is empty")}
	}
	var probs Problems
	var te *yaml.TypeError
	switch {
	case errors.As(err, &te):
		for _, msg := range te.Errors {
			probs = append(probs, explainDecode(msg, at))
		}
	case err != nil:
		return c, nil, Problems{fmt.Errorf("config: %w", err)}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return c, nil, Problems{errors.New("config: more than one YAML document; use one")}
	}
	return c, probs, nil
}

// keyAt is a key path whose key or value starts on some line, with the
// value's text when it is a scalar, to tell apart keys that share a line.
type keyAt struct {
	path   string
	scalar string
	isKey  bool
}

// decodeLine splits yaml.v3's "line N: message".
var decodeLine = regexp.MustCompile(`^line (\d+): (.*)$`)

// unknownField matches yaml.v3's message for a key with no struct field.
var unknownField = regexp.MustCompile(`^field (\S+) not found in type \S+$`)

// wrongType matches yaml.v3's message for a value of the wrong type.
var wrongType = regexp.MustCompile("^cannot unmarshal !!\\w+ `(.*)` into (\\S+)$")

// explainDecode turns one of yaml.v3's decode messages into a FieldError
// with the key path an operator recognises: "line 7: server.lisen: unknown
// key", "line 9: flows.link_ttl: cannot unmarshal !!int `600` into
// time.Duration (write a duration such as 10m)".
func explainDecode(msg string, at map[int][]keyAt) error {
	m := decodeLine.FindStringSubmatch(msg)
	if m == nil {
		return errors.New("config: " + msg)
	}
	line, _ := strconv.Atoi(m[1])
	text := m[2]
	if u := unknownField.FindStringSubmatch(text); u != nil {
		path := u[1]
		for _, k := range at[line] {
			if k.isKey && (k.path == u[1] || strings.HasSuffix(k.path, "."+u[1])) {
				path = k.path
				break
			}
		}
		return &FieldError{Path: path, Line: line, Msg: "unknown key"}
	}
	path := ""
	if w := wrongType.FindStringSubmatch(text); w != nil {
		if w[2] == "time.Duration" {
			text += " (write a duration such as 10m)"
		}
		for _, k := range at[line] {
			if k.scalar == w[1] {
				path = k.path
				break
			}
		}
	}
	if path == "" {
		// A type's own UnmarshalYAML (a Secret's) names only the line of
		// the value it rejected; of the keys there, it is the one of that
		// type.
		for _, k := range at[line] {
			if t := typeAt(k.path); t != nil && reflect.PointerTo(t).Implements(unmarshaler) {
				path = k.path
				break
			}
		}
	}
	if path == "" && len(at[line]) > 0 {
		path = at[line][0].path
	}
	if path == "" {
		return fmt.Errorf("line %d: %s", line, text)
	}
	return &FieldError{Path: path, Line: line, Msg: text}
}

// unmarshaler is the interface of types that decode themselves.
var unmarshaler = reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()

// typeAt is the Go type a key path decodes into, nil for no such key.
func typeAt(path string) reflect.Type {
	t := reflect.TypeOf(Config{})
	for _, part := range strings.Split(path, ".") {
		name, _, _ := strings.Cut(part, "[")
		if t.Kind() != reflect.Struct {
			return nil
		}
		var next reflect.Type
		for i := 0; i < t.NumField(); i++ {
			if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); tag == name {
				next = t.Field(i).Type
				break
			}
		}
		if next == nil {
			return nil
		}
		for n := strings.Count(part, "["); n > 0 && (next.Kind() == reflect.Slice || next.Kind() == reflect.Map); n-- {
			next = next.Elem()
		}
		t = next
	}
	return t
}

// underReported says whether e is about a key (or a key inside a section)
// that a decode problem already reported: its value is the zero value the
// failed decode left, so "missing" or "out of range" would only mislead.
func underReported(e error, decodeProbs Problems) bool {
	var fe *FieldError
	if !errors.As(e, &fe) {
		return false
	}
	for _, d := range decodeProbs {
		var de *FieldError
		if errors.As(d, &de) && de.Msg != "unknown key" &&
			(fe.Path == de.Path || strings.HasPrefix(fe.Path, de.Path+".") || strings.HasPrefix(fe.Path, de.Path+"[")) {
			return true
		}
	}
	return false
}

// indexLines records the line of every key path below n, and which paths
// have a key or a value starting on each line (keys of flow mappings can
// share one), parents before their children.
func indexLines(path string, n *yaml.Node, lines map[string]int, at map[int][]keyAt) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, ch := range n.Content {
			indexLines(path, ch, lines, at)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			lines[p] = k.Line
			scalar := ""
			if v.Kind == yaml.ScalarNode {
				scalar = v.Value
			}
			at[k.Line] = append(at[k.Line], keyAt{path: p, scalar: scalar, isKey: true})
			if v.Line != k.Line {
				at[v.Line] = append(at[v.Line], keyAt{path: p, scalar: scalar})
			}
			indexLines(p, v, lines, at)
		}
	case yaml.SequenceNode:
		for i, ch := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			lines[p] = ch.Line
			scalar := ""
			if ch.Kind == yaml.ScalarNode {
				scalar = ch.Value
			}
			at[ch.Line] = append(at[ch.Line], keyAt{path: p, scalar: scalar})
			indexLines(p, ch, lines, at)
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
