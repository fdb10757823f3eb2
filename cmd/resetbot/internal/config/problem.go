package config

import (
	"fmt"
	"strings"
)

// FieldError is one configuration problem, tied to the key path an operator
// edits ("directory.urls[1]") and, when known, the line in the file or the
// environment variable the value came from.
type FieldError struct {
	Path string
	Line int
	Env  string
	Msg  string
	// Err is the underlying cause (a missing file, an unset variable), if
	// any; it never carries a secret value.
	Err error
}

// Error renders "line N: path (from $VAR): message: cause", leaving out
// the parts that are unknown.
func (e *FieldError) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	b.WriteString(e.Path)
	if e.Env != "" {
		fmt.Fprintf(&b, " (from $%s)", e.Env)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap exposes the cause to errors.Is (fs.ErrNotExist, ...).
func (e *FieldError) Unwrap() error { return e.Err }

// Problems is every problem found in one load. It is an error so Load can
// return it, and it unwraps to the individual problems so callers can print
// them one per line.
type Problems []error

// Error joins the problems on one line, for callers that only log errors.
func (p Problems) Error() string {
	msgs := make([]string, len(p))
	for i, e := range p {
		msgs[i] = e.Error()
	}
	return "config: " + strings.Join(msgs, "; ")
}

// Unwrap exposes the individual problems to errors.Is and errors.As.
func (p Problems) Unwrap() []error { return p }

// problemf records a problem at path, filling in where its value came from.
func (c *Config) problemf(path, format string, args ...any) error {
	line, env := c.origin(path)
	return &FieldError{Path: path, Line: line, Env: env, Msg: fmt.Sprintf(format, args...)}
}

// problemErr records a problem at path caused by err.
func (c *Config) problemErr(path string, err error, format string, args ...any) error {
	line, env := c.origin(path)
	return &FieldError{Path: path, Line: line, Env: env, Msg: fmt.Sprintf(format, args...), Err: err}
}

// origin returns the environment variable that set path (or a parent), else
// the line of path or of its nearest parent in the file, so a missing key
// points at the section it belongs in.
func (c *Config) origin(path string) (line int, env string) {
	for p := path; p != ""; p = parentPath(p) {
		if e, ok := c.fromEnv[p]; ok {
			return 0, e
		}
	}
	for p := path; p != ""; p = parentPath(p) {
		if l, ok := c.lines[p]; ok {
			return l, ""
		}
	}
	return 0, ""
}

// parentPath strips the last ".key" or "[i]" from a key path.
func parentPath(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i < 0 {
		return ""
	}
	return p[:i]
}
