package ldap

import (
	"testing"
	"time"

	goldap "github.com/go-ldap/ldap/v3"
)

// TestDS389Expiry: 389-ds's passwordExpirationTime is the expiry, except
// its "must change at next bind" (the epoch) and "never" (2038-01-19)
// values; without pwdUpdateTime the change time is zero, not an error.
func TestDS389Expiry(t *testing.T) {
	cases := []struct {
		name, updated, expires string
		wantChanged, wantExp   time.Time
		wantErr                bool
	}{
		{name: "expires", updated: "20261203123446Z", expires: "20270303123446Z",
			wantChanged: time.Date(2026, 12, 3, 12, 34, 46, 0, time.UTC), wantExp: time.Date(2027, 3, 3, 12, 34, 46, 0, time.UTC)},
		{name: "no update time tracked", expires: "20270303123446Z", wantExp: time.Date(2027, 3, 3, 12, 34, 46, 0, time.UTC)},
		{name: "must change at next bind", updated: "20261203123446Z", expires: "19700101000000Z",
			wantChanged: time.Date(2026, 12, 3, 12, 34, 46, 0, time.UTC)},
		{name: "never", expires: "20380119031407Z"},
		{name: "garbled", expires: "soon", wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			attrs := map[string][]string{ds389ExpirationTime: {tc.expires}}
			if tc.updated != "" {
				attrs[ds389PwdUpdateTime] = []string{tc.updated}
			}
			changed, expires, err := ds389Expiry(goldap.NewEntry("uid=x,dc=example,dc=test", attrs))
			if tc.wantErr {
				if err == nil {
					t.Fatalf("no error for %q", tc.expires)
				}
				return
			}
			if err != nil || !changed.Equal(tc.wantChanged) || !expires.Equal(tc.wantExp) {
				t.Errorf("= %s, %s, %v; want %s, %s", changed, expires, err, tc.wantChanged, tc.wantExp)
			}
		})
	}
}
