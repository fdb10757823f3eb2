// Package geoiptest writes MaxMind-format (MMDB) country databases for
// tests, with maxmind/mmdbwriter, so the country risk signal and the
// configuration's check of risk.geoip_db are tested against a real
// database file read by the same reader production uses, with networks of
// the test's choosing (documentation ranges, loopback).
package geoiptest

import (
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// WriteCountryDB writes a country database mapping each CIDR of networks
// to its ISO 3166-1 alpha-2 code, laid out as GeoLite2-Country is
// (country.iso_code), into the test's temporary directory, and returns
// its path. Reserved networks (192.0.2.0/24, 127.0.0.0/8) are allowed, so
// tests need no real address.
func WriteCountryDB(t testing.TB, networks map[string]string) string {
	t.Helper()
	tree, err := mmdbwriter.New(mmdbwriter.Options{
		DatabaseType: "GeoLite2-Country", RecordSize: 24, IncludeReservedNetworks: true,
		Description: map[string]string{"en": "resetbot test country database"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for cidr, code := range networks {
		_, n, err := net.ParseCIDR(cidr)
		if err != nil {
			t.Fatalf("geoiptest: %v", err)
		}
		rec := mmdbtype.Map{"country": mmdbtype.Map{"iso_code": mmdbtype.String(code)}}
		if err := tree.Insert(n, rec); err != nil {
			t.Fatalf("geoiptest: insert %s: %v", cidr, err)
		}
	}
	path := filepath.Join(t.TempDir(), "country.mmdb")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tree.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}
