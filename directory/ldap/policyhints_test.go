package ldap_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/dirtest"
	"github.com/resetbot/resetbot/directory/ldap"
)

// policyHintsValue is the BER encoding of SEQUENCE { INTEGER 1 }: "enforce
// the password policy", the only flag LDAP_SERVER_POLICY_HINTS has.
var policyHintsValue = []byte{0x30, 0x03, 0x02, 0x01, 0x01}

func recorderConfig(url, ca string) ldap.Config {
	return ldap.Config{
		Flavour:      ldap.ActiveDirectory,
		URLs:         []string{url},
		CAFile:       ca,
		BindDN:       "CN=resetbot,OU=Services,DC=example,DC=test",
		BindPassword: "Svc-Passw0rd.1",
		UserBaseDN:   "OU=People,DC=example,DC=test",
		GroupBaseDN:  "OU=Groups,DC=example,DC=test",
	}
}

// alice is the user the recorder finds for any search; resolve only needs
// a well-formed immutable id.
var alice = &directory.User{ID: "00112233-4455-6677-8899-aabbccddeeff", AccountName: "alice"}

func TestPolicyHintsControlOnEveryADPasswordWrite(t *testing.T) {
	off := false
	cases := []struct {
		name      string
		supported []string
		enforce   *bool
		wantOID   string // "" means no control at all
	}{
		{"windows 2012 r2 and later", []string{"1.2.840.113556.1.4.319", "1.2.840.113556.1.4.2239", "1.2.840.113556.1.4.2066"}, nil, "1.2.840.113556.1.4.2239"},
		{"windows 2008 r2: only the deprecated oid", []string{"1.2.840.113556.1.4.2066"}, nil, "1.2.840.113556.1.4.2066"},
		{"server advertises neither (samba)", []string{"1.2.840.113556.1.4.319"}, nil, ""},
		{"enforce_history off", []string{"1.2.840.113556.1.4.2239"}, &off, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{supported: tc.supported}
			url, ca := startRecorder(t, rec)
			cfg := recorderConfig(url, ca)
			cfg.EnforceHistory = tc.enforce
			d := open(t, cfg)
			ctx := context.Background()
			for range 2 {
				if err := d.SetPassword(ctx, alice, "N3w-Passw0rd.1"); err != nil {
					t.Fatalf("SetPassword: %v", err)
				}
			}
			got := rec.recorded()
			if len(got) != 2 {
				t.Fatalf("recorder saw %d modifies, want 2", len(got))
			}
			for i, controls := range got {
				if tc.wantOID == "" {
					if len(controls) != 0 {
						t.Errorf("write %d carried controls %+v, want none", i, controls)
					}
					continue
				}
				if len(controls) != 1 {
					t.Fatalf("write %d carried %d controls, want 1: %+v", i, len(controls), controls)
				}
				c := controls[0]
				if c.OID != tc.wantOID || !c.Critical || !bytes.Equal(c.Value, policyHintsValue) {
					t.Errorf("write %d: control %s critical=%v value=% x, want %s critical with % x", i, c.OID, c.Critical, c.Value, tc.wantOID, policyHintsValue)
				}
			}
			rec.mu.Lock()
			reads := rec.rootDSE
			rec.mu.Unlock()
			if tc.enforce == nil && reads != 1 {
				t.Errorf("rootDSE read %d times for two writes, want once", reads)
			}

			h, err := d.HistoryEnforcement(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if h.Enforced != (tc.wantOID != "") || (h.Enforced && !strings.Contains(h.By, tc.wantOID)) || (!h.Enforced && h.Why == "") {
				t.Errorf("HistoryEnforcement = %+v, want enforced=%v by %s", h, tc.wantOID != "", tc.wantOID)
			}
		})
	}
}

func TestADHistoryRefusalSaysUsedRecently(t *testing.T) {
	rec := &recorder{
		supported:    []string{"1.2.840.113556.1.4.2239"},
		modifyResult: 19,
		modifyDiag:   "0000052D: Constraint violation - check_password_restrictions: the password was already used (in history)!",
	}
	url, ca := startRecorder(t, rec)
	err := open(t, recorderConfig(url, ca)).SetPassword(context.Background(), alice, "0ld-Passw0rd.1")
	var pe *directory.PolicyError
	if !errors.Is(err, directory.ErrPasswordPolicy) || !errors.As(err, &pe) || !strings.Contains(pe.Reason, "used recently") {
		t.Fatalf("SetPassword = %v, want a policy error saying the password was used recently", err)
	}
}

// Samba 4.17 advertises neither control and ignores it even when critical,
// so against Samba the honest answer is "not enforced", with the reason.
func TestSambaReportsHistoryNotEnforced(t *testing.T) {
	d := open(t, sambaConfig(t, dirtest.RequireEnv(t, "RESETBOT_TEST_SAMBA_URL"), false))
	h, err := d.HistoryEnforcement(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if h.Enforced || !strings.Contains(h.Why, "advertises neither") {
		t.Fatalf("HistoryEnforcement on Samba = %+v, want not enforced because the server advertises neither control", h)
	} // The domain keeps a history, but resets skip it: the policy the web
	// form shows must not promise it.
	p, err := d.PasswordPolicy(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if p.HistoryLength != 0 {
		t.Fatalf("PasswordPolicy on Samba has HistoryLength %d, want 0 (not enforced on resets)", p.HistoryLength)
	}
}

func TestOpenLDAPReportsHistoryEnforcedByPpolicy(t *testing.T) {
	d := open(t, slapdConfig(t, dirtest.RequireEnv(t, "RESETBOT_TEST_SLAPD_LDAPS_URL"), false))
	h, err := d.HistoryEnforcement(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !h.Enforced || h.By != "ppolicy" {
		t.Fatalf("HistoryEnforcement on slapd = %+v, want enforced by ppolicy", h)
	}
}
