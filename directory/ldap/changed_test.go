package ldap

import (
	"testing"
	"time"
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
