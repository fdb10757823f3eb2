package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

const leaked = "correct-horse-battery"

func TestSecretNeverPrinted(t *testing.T) {
	refs := []struct {
		name string
		yaml string
		env  map[string]string
		desc string
	}{
		{"env", "{env: PW}", map[string]string{"PW": leaked}, "secret(env:PW)"},
		{"inline", "{value: " + leaked + "}", nil, "secret(inline)"},
	}
	for _, ref := range refs {
		yml := strings.Replace(minimal, "{env: BIND_PW}", ref.yaml, 1)
		c, err := LoadBytes([]byte(yml), Options{LookupEnv: testEnv(ref.env)})
		if err != nil {
			t.Fatal(err)
		}
		if c.Directory.BindPassword.Reveal() != leaked {
			t.Fatalf("%s: Reveal = %q", ref.name, c.Directory.BindPassword.Reveal())
		}
		s := c.Directory.BindPassword
		var logBuf bytes.Buffer
		slog.New(slog.NewJSONHandler(&logBuf, nil)).Info("cfg", "secret", s, "dir", c.Directory, "ptr", &s)
		var textBuf bytes.Buffer
		slog.New(slog.NewTextHandler(&textBuf, nil)).Info("cfg", "secret", s)
		js, _ := json.Marshal(c)
		ym, _ := yaml.Marshal(c)
		outputs := []struct {
			name string
			got  string
		}{
			{"%v", fmt.Sprintf("%v", s)},
			{"%+v", fmt.Sprintf("%+v", s)},
			{"%#v", fmt.Sprintf("%#v", s)},
			{"%s", fmt.Sprintf("%s", s)},
			{"%q", fmt.Sprintf("%q", s)},
			{"%d", fmt.Sprintf("%d", s)},
			{"%x", fmt.Sprintf("%x", s)},
			{"pointer %v", fmt.Sprintf("%v", &s)},
			{"struct %+v", fmt.Sprintf("%+v", c.Directory)},
			{"config %#v", fmt.Sprintf("%#v", *c)},
			{"config ptr %+v", fmt.Sprintf("%+v", c)},
			{"error %w", fmt.Errorf("wrap: %w: %v", errors.New("x"), s).Error()},
			{"slog json", logBuf.String()},
			{"slog text", textBuf.String()},
			{"json", string(js)},
			{"yaml", string(ym)},
		}
		for _, o := range outputs {
			t.Run(ref.name+" "+o.name, func(t *testing.T) {
				if strings.Contains(o.got, leaked) {
					t.Errorf("secret printed: %s", o.got)
				}
				if !strings.Contains(o.got, ref.desc) && o.name != "yaml" {
					t.Errorf("reference %q not shown: %s", ref.desc, o.got)
				}
			})
		}
	}
}

func TestSecretFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    string
		wantErr string
	}{
		{name: "set", env: map[string]string{"BIND_PW": "pw"}, want: "pw"},
		{name: "unset", env: map[string]string{}, wantErr: "directory.bind_password: secret(env:BIND_PW): environment variable BIND_PW is not set"},
		{name: "empty", env: map[string]string{"BIND_PW": ""}, wantErr: "environment variable BIND_PW is not set or empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			others := testEnv(nil)
			lookup := func(k string) (string, bool) {
				if k == "BIND_PW" {
					v, ok := tt.env[k]
					return v, ok
				}
				return others(k)
			}
			c, err := LoadBytes([]byte(minimal), Options{LookupEnv: lookup})
			msgs := problemsOf(t, err)
			if tt.wantErr != "" {
				if len(msgs) != 1 || !strings.Contains(msgs[0], tt.wantErr) {
					t.Errorf("problems = %q, want %q", msgs, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Directory.BindPassword.Reveal(); got != tt.want {
				t.Errorf("Reveal = %q", got)
			}
		})
	}
}

func TestSecretOptional(t *testing.T) {
	c := valid(t)
	if c.Redis.Password.IsSet() || c.Redis.Password.Reveal() != "" || c.Redis.Password.String() != "secret(unset)" {
		t.Errorf("unset secret: %v %q", c.Redis.Password, c.Redis.Password.Reveal())
	}
}
