package webauth

import (
	"fmt"
	"net/netip"

	"github.com/oschwald/maxminddb-golang/v2"
)

// CountryReader names the country of a client address, for the country
// risk signal. ok is false when the address is not in the database (a
// private network, an unassigned range).
type CountryReader interface {
	Country(ip netip.Addr) (code string, ok bool)
}

// CountryDB is an offline MaxMind-format database (GeoLite2 or GeoIP2
// Country, City, or any MMDB with country.iso_code), read in place: no
// request leaves the host to learn a country.
type CountryDB struct{ r *maxminddb.Reader }

var _ CountryReader = (*CountryDB)(nil)

// OpenCountryDB opens the database at path.
func OpenCountryDB(path string) (*CountryDB, error) {
	r, err := maxminddb.Open(path)
	if err != nil {
		return nil, fmt.Errorf("webauth: geo database %s: %w", path, err)
	}
	return &CountryDB{r: r}, nil
}

// Country implements CountryReader.
func (d *CountryDB) Country(ip netip.Addr) (string, bool) {
	var rec struct {
		Country struct {
			ISOCode string `maxminddb:"iso_code"`
		} `maxminddb:"country"`
	}
	if err := d.r.Lookup(ip.Unmap()).Decode(&rec); err != nil || rec.Country.ISOCode == "" {
		return "", false
	}
	return rec.Country.ISOCode, true
}

// Close releases the database.
func (d *CountryDB) Close() error { return d.r.Close() }
