package config

import (
	"strings"
	"testing"
)

// FuzzLoadBytes feeds the loader arbitrary files: it never panics, and
// every problem it reports is a non-empty line that never echoes an inline
// secret's value.
func FuzzLoadBytes(f *testing.F) {
	f.Add([]byte(minimal))
	f.Add([]byte(minimal + "flows:\n  link_ttl: 600\n  colour: x\n"))
	f.Add([]byte(minimal + "redis:\n  password:\n    env: A\n    file: /b\n"))
	f.Add([]byte("server: {listen: [1, {a: b}]}\nlimits: {requests_per_account_per_hour: lots}\n"))
	f.Add([]byte("redis:\n  password: hunter2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := LoadBytes(data, Options{Offline: true, LookupEnv: env(nil)})
		if err == nil {
			return
		}
		probs, ok := err.(Problems)
		if !ok {
			return
		}
		for _, p := range probs {
			msg := p.Error()
			if msg == "" || strings.Contains(msg, "\n") {
				t.Fatalf("problem %q is not one line", msg)
			}
			if strings.Contains(string(data), "password: hunter2") && strings.Contains(msg, "hunter2") {
				t.Fatalf("problem echoes an inline secret: %q", msg)
			}
		}
	})
}
