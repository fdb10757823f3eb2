package ldap

import (
	"bytes"
	"testing"

	goldap "github.com/go-ldap/ldap/v3"
)

func TestGUIDByteOrder(t *testing.T) {
	// The canonical string prints the first three fields big-endian; AD
	// stores them little-endian (as Get-ADUser and the raw attribute show).
	const canonical = "6f1c2b9e-3d4a-4b5c-8d7e-0123456789ab"
	raw := []byte{0x9e, 0x2b, 0x1c, 0x6f, 0x4a, 0x3d, 0x5c, 0x4b, 0x8d, 0x7e, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab}

	got, err := formatGUID(raw)
	if err != nil || got != canonical {
		t.Fatalf("formatGUID = %q, %v; want %q", got, err, canonical)
	}
	tests := []struct {
		name, in string
	}{
		{"canonical", canonical},
		{"upper case", "6F1C2B9E-3D4A-4B5C-8D7E-0123456789AB"},
		{"braces", "{" + canonical + "}"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			back, err := parseGUID(tc.in)
			if err != nil || !bytes.Equal(back, raw) {
				t.Fatalf("parseGUID(%q) = % x, %v; want % x", tc.in, back, err, raw)
			}
		})
	}
}

func TestParseGUIDRejects(t *testing.T) {
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"no dashes", "6f1c2b9e3d4a4b5c8d7e0123456789ab"},
		{"short", "6f1c2b9e-3d4a-4b5c-8d7e-0123456789a"},
		{"not hex", "6f1c2b9e-3d4a-4b5c-8d7e-0123456789zz"},
		{"filter injection", "*)(objectClass=*)(x=12345678901234567"},
		{"wildcard", "*"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if raw, err := parseGUID(tc.in); err == nil {
				t.Fatalf("parseGUID(%q) = % x, want error", tc.in, raw)
			}
		})
	}
	if _, err := formatGUID([]byte{1, 2, 3}); err == nil {
		t.Error("formatGUID(3 bytes) succeeded")
	}
}

func TestIDFiltersCompile(t *testing.T) {
	// Bytes such as 0x2a ('*'), 0x28 ('(') and 0x00 must arrive escaped.
	const tricky = "0028002a-5c29-2a00-2a28-295c002a2829"
	tests := []struct {
		name string
		d    dialect
	}{
		{"activedirectory", activeDirectory{}},
		{"openldap", openLDAP{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := tc.d.idFilter(tricky)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := goldap.CompileFilter(f); err != nil {
				t.Fatalf("filter %q does not compile: %v", f, err)
			}
		})
	}
	f, _ := activeDirectory{}.idFilter(tricky)
	if want := `(objectGUID=\2a\00\28\00\29\5c\00\2a\2a\28\29\5c\00\2a\28\29)`; f != want {
		t.Errorf("AD filter = %s, want %s", f, want)
	}
}
