package ldap

import (
	"testing"
	"time"

	goldap "github.com/go-ldap/ldap/v3"
)

func TestParseChangeTime(t *testing.T) {
	cases := []struct {
		name, attr, value string
		want              time.Time
		wantErr           bool
	}{
		{name: "absent", attr: adPwdLastSet, value: ""},
		{name: "AD must change at next logon", attr: adPwdLastSet, value: "0"},
		{name: "AD FILETIME", attr: adPwdLastSet, value: "134091288001234567",
			want: time.Date(2025, 12, 2, 6, 0, 0, 123456700, time.UTC)},
		{name: "AD Unix epoch", attr: adPwdLastSet, value: "116444736000000000", want: time.Unix(0, 0).UTC()},
		{name: "AD not a number", attr: adPwdLastSet, value: "yesterday", wantErr: true},
		{name: "AD negative", attr: adPwdLastSet, value: "-1", wantErr: true},
		{name: "AD before 1970", attr: adPwdLastSet, value: "1", wantErr: true},
		{name: "OpenLDAP whole seconds", attr: openLDAPPwdChangedTime, value: "20261202060000Z",
			want: time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)},
		{name: "OpenLDAP fraction", attr: openLDAPPwdChangedTime, value: "20261202060000.25Z",
			want: time.Date(2026, 12, 2, 6, 0, 0, 250000000, time.UTC)},
		{name: "OpenLDAP offset", attr: openLDAPPwdChangedTime, value: "20261202080000+0200",
			want: time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)},
		{name: "OpenLDAP garbage", attr: openLDAPPwdChangedTime, value: "20261302", wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseChangeTime(tc.attr, tc.value)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if !got.Equal(tc.want) {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

// TestADExpiry: AD's computed expiry is a FILETIME; the largest value
// means "never" and is no expiry, so such accounts are never reminded.
func TestADExpiry(t *testing.T) {
	entry := func(set, expiry string) *goldap.Entry {
		return goldap.NewEntry("CN=x", map[string][]string{adPwdLastSet: {set}, adExpiryComputed: {expiry}})
	}
	// 2026-01-01T00:00:00Z and 90 days later as FILETIMEs.
	const set, exp = "134116992000000000", "134194752000000000"
	tests := []struct {
		name        string
		e           *goldap.Entry
		wantExpires time.Time
		wantErr     bool
	}{
		{"expires", entry(set, exp), time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), false},
		{"never", entry(set, "9223372036854775807"), time.Time{}, false},
		{"missing computed attribute", goldap.NewEntry("CN=x", map[string][]string{adPwdLastSet: {set}}), time.Time{}, true},
		{"garbage", entry(set, "soon"), time.Time{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			changed, expires, err := adExpiry(tt.e)
			if (err != nil) != tt.wantErr || !expires.Equal(tt.wantExpires) {
				t.Errorf("adExpiry = %s, %v; want %s (error %v)", expires, err, tt.wantExpires, tt.wantErr)
			}
			if err == nil && !changed.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("changed = %s", changed)
			}
		})
	}
}
