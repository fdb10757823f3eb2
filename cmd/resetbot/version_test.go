package main

import (
	"runtime"
	"runtime/debug"
	"testing"
)

func TestFormatVersion(t *testing.T) {
	info := &debug.BuildInfo{
		Main: debug.Module{Version: "v0.0.0-20260101000000-abcdefabcdef"},
		Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
			{Key: "vcs.time", Value: "2026-01-01T00:00:00Z"},
		},
	}
	tests := []struct {
		name            string
		v, commit, date string
		info            *debug.BuildInfo
		want            string
	}{
		{name: "stamped by the release", v: "v1.2.3", commit: "fedcba9876543210fedcba9876543210fedcba98", date: "2026-12-01T10:00:00Z", info: info,
			want: "resetbot v1.2.3 fedcba987654 2026-12-01T10:00:00Z " + runtime.Version()},
		{name: "go install: build info", info: info,
			want: "resetbot v0.0.0-20260101000000-abcdefabcdef 0123456789ab 2026-01-01T00:00:00Z " + runtime.Version()},
		{name: "version only", v: "v1.2.3",
			want: "resetbot v1.2.3 " + runtime.Version()},
		{name: "nothing known", want: "resetbot (devel) " + runtime.Version()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := formatVersion(tt.v, tt.commit, tt.date, tt.info); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
