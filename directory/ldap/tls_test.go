package ldap_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/dirtest"
	"github.com/resetbot/resetbot/directory/ldap"
)

// writeCA writes a freshly generated CA certificate that signed nothing,
// the "wrong CA" for a real server.
func writeCA(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "not the directory's CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
}

// silentServer accepts TCP connections and never answers, like a server
// that hangs; it returns its address.
func silentServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	return l.Addr().String()
}

// closedPort returns an address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestHungServerTimesOut(t *testing.T) {
	tests := []struct {
		name     string
		scheme   string
		startTLS bool
	}{
		{"ldaps handshake", "ldaps", false},
		{"StartTLS request", "ldap", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := validConfig(t)
			cfg.URLs = []string{tc.scheme + "://" + silentServer(t)}
			cfg.StartTLS = tc.startTLS
			cfg.Timeout = 300 * time.Millisecond
			d := open(t, cfg)
			start := time.Now()
			err := d.Ping(context.Background())
			if !errors.Is(err, directory.ErrUnavailable) {
				t.Fatalf("Ping = %v, want ErrUnavailable", err)
			}
			if took := time.Since(start); took > 3*time.Second {
				t.Errorf("Ping took %s with a 300ms timeout", took)
			}
		})
	}
}

func TestContextCancelsAHungDial(t *testing.T) {
	cfg := validConfig(t)
	cfg.URLs = []string{"ldaps://" + silentServer(t)}
	cfg.Timeout = time.Minute
	d := open(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := d.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: "jdoe"})
	if !errors.Is(err, directory.ErrUnavailable) {
		t.Fatalf("Find = %v, want ErrUnavailable", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Find took %s although its context ended after 200ms", took)
	}
}

func TestNoServerReachable(t *testing.T) {
	cfg := validConfig(t)
	cfg.URLs = []string{"ldaps://" + closedPort(t), "ldaps://" + closedPort(t)}
	d := open(t, cfg)
	err := d.Ping(context.Background())
	if !errors.Is(err, directory.ErrUnavailable) {
		t.Fatalf("Ping = %v, want ErrUnavailable", err)
	}
	for _, u := range cfg.URLs {
		if !strings.Contains(err.Error(), strings.TrimPrefix(u, "ldaps://")) {
			t.Errorf("error does not say %s was tried: %v", u, err)
		}
	}
}

// The tests below need the harness's slapd.

func TestWrongCAIsRefused(t *testing.T) {
	servers := []struct {
		name, env string
		config    func(t *testing.T, url string, startTLS bool) ldap.Config
		startTLS  bool
	}{
		{"slapd ldaps", "RESETBOT_TEST_SLAPD_LDAPS_URL", slapdConfig, false},
		{"slapd starttls", "RESETBOT_TEST_SLAPD_URL", slapdConfig, true},
		{"samba ldaps", "RESETBOT_TEST_SAMBA_URL", sambaConfig, false},
		{"samba starttls", "RESETBOT_TEST_SAMBA_STARTTLS_URL", sambaConfig, true},
	}
	for _, sv := range servers {
		t.Run(sv.name, func(t *testing.T) {
			cfg := sv.config(t, dirtest.RequireEnv(t, sv.env), sv.startTLS)
			cfg.CAFile = writeCA(t)
			d := open(t, cfg)
			err := d.Ping(context.Background())
			if !errors.Is(err, directory.ErrUnavailable) {
				t.Fatalf("Ping with the wrong CA = %v, want ErrUnavailable", err)
			}
			if !strings.Contains(err.Error(), "certificate") {
				t.Errorf("error does not name the certificate problem: %v", err)
			}
			_, err = d.Find(context.Background(), directory.Lookup{Kind: directory.ByAccountName, Value: "jdoe"})
			if !errors.Is(err, directory.ErrUnavailable) {
				t.Errorf("Find with the wrong CA = %v, want ErrUnavailable (no fallback to an unverified connection)", err)
			}
		})
	}
}

func TestFailoverToTheNextServer(t *testing.T) {
	good := dirtest.RequireEnv(t, "RESETBOT_TEST_SLAPD_LDAPS_URL")
	cfg := slapdConfig(t, good, false)
	cfg.URLs = []string{"ldaps://" + closedPort(t), "ldaps://" + silentServer(t), good}
	cfg.Timeout = 500 * time.Millisecond
	d := open(t, cfg)
	u, err := d.Find(context.Background(), directory.Lookup{Kind: directory.ByAccountName, Value: "jdoe"})
	if err != nil {
		t.Fatalf("Find with two dead servers before a good one: %v", err)
	}
	if u.AccountName != "jdoe" {
		t.Errorf("found %q", u.AccountName)
	}
}

func TestWrongServicePasswordIsNotTheUsersFault(t *testing.T) {
	cfg := slapdConfig(t, dirtest.RequireEnv(t, "RESETBOT_TEST_SLAPD_LDAPS_URL"), false)
	cfg.BindPassword = "not-the-password"
	d := open(t, cfg)
	_, err := d.Find(context.Background(), directory.Lookup{Kind: directory.ByAccountName, Value: "jdoe"})
	if !errors.Is(err, directory.ErrUnavailable) || errors.Is(err, directory.ErrInvalidCredentials) {
		t.Fatalf("Find with a wrong service password = %v, want ErrUnavailable and not ErrInvalidCredentials", err)
	}
	if strings.Contains(err.Error(), cfg.BindPassword) {
		t.Errorf("error contains the bind password: %v", err)
	}
}
