package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/resetbot/resetbot/internal/testenv"
)

// realSlapdFile is a complete configuration against the harness's slapd
// and Redis; each start-up case breaks one setting of it.
func realSlapdFile(t *testing.T) testConfig {
	t.Helper()
	d := realSlapd(t)
	d.BindPassword = "Svc-Passw0rd.1"
	return testConfig{
		Listen:        closedPort(t),
		PublicBaseURL: "http://localhost:8080",
		RedisAddr:     testenv.RequireEnv(t, "RESETBOT_TEST_REDIS_ADDR"),
		KeyPrefix:     "startup",
		LDAP:          d,
		AuditLog:      filepath.Join(t.TempDir(), "audit.jsonl"),
	}
}

// write renders the file into a temporary directory of its own.
func (c testConfig) write(t *testing.T) string {
	t.Helper()
	return writeTestConfig(t, t.TempDir(), c)
}

// closedPort is a loopback address nothing listens on.
func closedPort(t *testing.T) string { return freeAddr(t) }

// wrongCA writes a freshly generated CA certificate that signed nothing.
func wrongCA(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "not the directory's CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// unwritablePath is a path no process can create, not even root's: its
// parent is a regular file.
func unwritablePath(t *testing.T) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "not-a-directory")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(file, "audit.jsonl")
}

// TestServeStartupFailures runs `resetbot serve` through its entry point
// against the real slapd and Redis with one setting broken per case: each
// prints exactly one line naming the key and the cause, and exits 1.
func TestServeStartupFailures(t *testing.T) {
	tests := []struct {
		name   string
		break_ func(t *testing.T, f *testConfig)
		want   []string // substrings of the one stderr line, in order
	}{
		{"wrong bind password", func(t *testing.T, f *testConfig) { f.LDAP.BindPassword = "not-the-password" },
			[]string{"resetbot: directory.bind_password: ", "LDAP bind as cn=resetbot,ou=Services,dc=example,dc=test: invalid credentials"}},
		{"wrong CA file", func(t *testing.T, f *testConfig) { f.LDAP.CAFile = wrongCA(t) },
			[]string{"resetbot: directory.ca_file: ", "certificate signed by unknown authority"}},
		{"redis not listening", func(t *testing.T, f *testConfig) { f.RedisAddr = closedPort(t) },
			[]string{"resetbot: redis.addrs: Redis at 127.0.0.1:", "connection refused"}},
		{"unwritable audit path", func(t *testing.T, f *testConfig) { f.AuditLog = unwritablePath(t) },
			[]string{"resetbot: audit.log_file: ", "not a directory"}},
		{"missing group_base_dn", func(t *testing.T, f *testConfig) { f.LDAP.NoGroupBaseDN = true },
			[]string{"resetbot: line ", ": directory.group_base_dn: required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := realSlapdFile(t)
			tt.break_(t, &f)
			code, out, errOut := runCLI(t, "serve", "--config", f.write(t))
			if code != 1 {
				t.Errorf("exit code = %d, want 1", code)
			}
			lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
			if len(lines) != 1 || out != "" {
				t.Fatalf("want one line on stderr and nothing on stdout; stderr:\n%s\nstdout:\n%s", errOut, out)
			}
			t.Log(lines[0])
			rest := lines[0]
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("stderr line %q lacks %q (in order %q)", lines[0], w, tt.want)
				}
				rest = rest[i+len(w):]
			}
		})
	}
}

// TestServeStartsWithTheUnbrokenFile proves the cases above fail for the
// setting each breaks: the same file, unbroken, builds.
func TestServeStartsWithTheUnbrokenFile(t *testing.T) {
	cfg, err := loadConfig(realSlapdFile(t).write(t))
	if err != nil {
		t.Fatal(err)
	}
	log, _ := newLogger(cfg.Log, os.Stderr)
	s, err := build(context.Background(), cfg, log)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	s.close()
}

func TestHelpExitsZero(t *testing.T) {
	for _, cmd := range []string{"serve", "demo", "config"} {
		args := []string{cmd, "-h"}
		if cmd == "config" {
			args = []string{"config", "check", "-h"}
		}
		t.Run(cmd, func(t *testing.T) {
			if code, _, errOut := runCLI(t, args...); code != 0 {
				t.Errorf("%v: exit code %d, stderr %q", args, code, errOut)
			}
		})
	}
}
