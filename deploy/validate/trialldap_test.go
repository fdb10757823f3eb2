package validate

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"
)

// TestTrialDirectory runs the compose trial's OpenLDAP entrypoint against
// this machine's slapd (the same Debian package the image installs) and
// checks that resetbot's service account can do what the trial needs:
// bind after StartTLS with the CA the script made, find a seeded person
// by email, and reset that person's password; and that a plain bind
// without TLS is refused. In CI a missing slapd fails the test.
func TestTrialDirectory(t *testing.T) {
	if _, err := os.Stat("/usr/sbin/slapd"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("slapd is not installed (scripts/testenv/install.sh installs it)")
		}
		t.Skip("slapd is not installed")
	}
	dir := t.TempDir()
	port := freePort(t)
	const svcDN, svcPW = "cn=resetbot,ou=Services,dc=example,dc=com", "Trial-Svc-Passw0rd.1"
	cmd := exec.Command("../trial/openldap/entrypoint.sh")
	cmd.Env = append(os.Environ(),
		"DATA_DIR="+filepath.Join(dir, "db"), "CERT_DIR="+filepath.Join(dir, "certs"),
		"CONF="+filepath.Join(dir, "slapd.conf"), "SEED=../trial/openldap/seed.ldif",
		"LISTEN=ldap://127.0.0.1:"+strconv.Itoa(port)+"/", "HOSTNAME_SAN=DNS:openldap,IP:127.0.0.1",
		"TRIAL_USER_PASSWORD=Start-Passw0rd.1", "LDAP_SERVICE_PASSWORD="+svcPW, "TRIAL_MAIL_DOMAIN=corp.test")
	out, err := os.Create(filepath.Join(dir, "log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })

	url := "ldap://127.0.0.1:" + strconv.Itoa(port)
	var conn *ldap.Conn
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if conn, err = ldap.DialURL(url); err == nil {
			break
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "log"))
			t.Fatalf("slapd did not start: %v\n%s", err, log)
		}
	}
	defer conn.Close()

	var ldapErr *ldap.Error
	if err := conn.Bind(svcDN, svcPW); !errors.As(err, &ldapErr) || ldapErr.ResultCode != ldap.LDAPResultConfidentialityRequired {
		t.Errorf("plain bind before StartTLS: %v, want confidentiality required", err)
	}
	caPEM, err := os.ReadFile(filepath.Join(dir, "certs", "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(caPEM)
	// The name config.compose.yaml expects (directory.server_name).
	if err := conn.StartTLS(&tls.Config{RootCAs: roots, ServerName: "openldap", MinVersion: tls.VersionTLS12}); err != nil {
		t.Fatalf("StartTLS with the trial CA for the name openldap: %v", err)
	}
	if err := conn.Bind(svcDN, svcPW); err != nil {
		t.Fatalf("service account bind: %v", err)
	}
	res, err := conn.Search(ldap.NewSearchRequest("ou=People,dc=example,dc=com", ldap.ScopeWholeSubtree,
		ldap.NeverDerefAliases, 0, 0, false, "(mail=pwuser@corp.test)", []string{"uid"}, nil))
	if err != nil || len(res.Entries) != 1 {
		t.Fatalf("find pwuser by the trial mail domain: %v, %d entries", err, len(res.Entries))
	}
	if _, err := conn.PasswordModify(ldap.NewPasswordModifyRequest(res.Entries[0].DN, "", "Trial-New-Passw0rd.2")); err != nil {
		t.Errorf("service account resets pwuser: %v", err)
	}
	user, err := ldap.DialURL(url)
	if err != nil {
		t.Fatal(err)
	}
	defer user.Close()
	if err := user.StartTLS(&tls.Config{RootCAs: roots, ServerName: "openldap", MinVersion: tls.VersionTLS12}); err != nil {
		t.Fatal(err)
	}
	if err := user.Bind(res.Entries[0].DN, "Trial-New-Passw0rd.2"); err != nil {
		t.Errorf("pwuser binds with the new password: %v", err)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
