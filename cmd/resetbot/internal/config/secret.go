package config

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Secret is a password or key given by reference: {env: NAME} or
// {file: PATH}, or (discouraged, for local trials) {value: "..."}. The
// configuration file can then be committed and shared, and the secret lives
// where the platform keeps secrets (a Kubernetes Secret, a Docker secret).
//
// The resolved value is reachable only through Reveal. Every way of printing
// a Secret (fmt verbs, slog, YAML, JSON) shows the reference, never the
// value, so a config dumped into a log or an error leaks nothing.
type Secret struct {
	env   string
	file  string
	value string // inline value from the file, if that form was used
	// resolved is the secret itself, set by resolve.
	resolved string
	set      bool // a reference was given at all
	ok       bool // resolve succeeded
	line     int
}

// SecretValue is a secret made in code instead of read from a file: the
// throwaway keys of a configuration the binary builds itself (the demo's).
// It prints as an inline secret, never as its value.
func SecretValue(v string) Secret { return Secret{value: v, resolved: v, set: true, ok: true} }

// Reveal returns the resolved secret, "" if none is configured. Call it only
// where the secret is handed to a client library.
func (s Secret) Reveal() string { return s.resolved }

// IsSet reports whether the configuration gave this secret at all.
func (s Secret) IsSet() bool { return s.set }

// String describes the reference, never the value.
func (s Secret) String() string {
	switch {
	case s.env != "":
		return "secret(env:" + s.env + ")"
	case s.file != "":
		return "secret(file:" + s.file + ")"
	case s.set:
		return "secret(inline)"
	default:
		return "secret(unset)"
	}
}

// GoString keeps %#v from printing the fields.
func (s Secret) GoString() string { return s.String() }

// Format makes every fmt verb (%v, %+v, %#v, %s, %q, %d, %x ...) print the
// redacted description, including when a Secret is a field of a printed
// struct.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", s.String())
		return
	}
	fmt.Fprint(f, s.String())
}

// LogValue makes slog print the reference, never the value.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalYAML writes the reference back, without an inline value.
func (s Secret) MarshalYAML() (any, error) {
	switch {
	case s.env != "":
		return map[string]string{"env": s.env}, nil
	case s.file != "":
		return map[string]string{"file": s.file}, nil
	case s.set:
		return map[string]string{"value": "REDACTED"}, nil
	default:
		return nil, nil
	}
}

// MarshalJSON writes the same redacted description as String.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// UnmarshalYAML accepts exactly one of env, file or value. It never quotes
// the offending YAML in its errors: a secret pasted inline where a reference
// was expected must not end up in a log.
func (s *Secret) UnmarshalYAML(n *yaml.Node) error {
	bad := func(format string, args ...any) error {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: "+format, append([]any{n.Line}, args...)...)}}
	}
	*s = Secret{line: n.Line}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return bad("a secret must be a reference {env: NAME} or {file: PATH}, not an inline value")
	}
	count := 0
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if v.Kind != yaml.ScalarNode {
			return bad("a secret reference takes one string: {env: NAME} or {file: PATH}")
		}
		switch k.Value {
		case "env":
			s.env = v.Value
		case "file":
			s.file = v.Value
		case "value":
			s.value = v.Value
		default:
			// The key is not quoted: a pasted secret could be in it.
			return bad("unknown key in a secret reference: use env, file or value")
		}
		count++
	}
	switch {
	case count == 0:
		return bad("empty secret reference: use {env: NAME} or {file: PATH}")
	case count > 1:
		return bad("a secret takes exactly one of env, file or value")
	case s.env == "" && s.file == "" && s.value == "":
		return bad("empty secret reference: use {env: NAME} or {file: PATH}")
	}
	s.set = true
	return nil
}

// resolve reads the secret from its source. Errors name the source, never a
// value. A file's trailing newline is dropped (most secret files have one).
func (s *Secret) resolve(lookup func(string) (string, bool)) error {
	switch {
	case s.env != "":
		v, ok := lookup(s.env)
		if !ok || v == "" {
			return fmt.Errorf("environment variable %s is not set or empty", s.env)
		}
		s.resolved, s.ok = v, true
	case s.file != "":
		b, err := os.ReadFile(s.file)
		if err != nil {
			return fmt.Errorf("read secret file: %w", err)
		}
		v := strings.TrimRight(string(b), "\r\n")
		if v == "" {
			return fmt.Errorf("secret file %s is empty", s.file)
		}
		s.resolved, s.ok = v, true
	case s.set:
		s.resolved, s.ok = s.value, true
	}
	return nil
}
