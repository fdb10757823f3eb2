package main

import (
	"runtime"
	"runtime/debug"
)

// version, commit and date are stamped at release time (.goreleaser.yaml,
// deploy/Dockerfile) with
//
//	-ldflags "-X main.version=v1.2.3 -X main.commit=<sha> -X main.date=<RFC 3339>"
//
// so that `resetbot version` of a shipped binary names exactly what it was
// built from. When they are empty the module version and VCS revision from
// the build info are used, so `go install` builds report something useful too.
var (
	version = ""
	commit  = ""
	date    = ""
)

// versionString is what `resetbot version` prints: the version, the commit
// (12 hex digits), the build date when stamped, and the Go version.
func versionString() string {
	return formatVersion(version, commit, date, buildInfo())
}

// buildInfo reads the module version and VCS settings the Go toolchain
// records, for builds that were not stamped.
func buildInfo() *debug.BuildInfo {
	info, _ := debug.ReadBuildInfo()
	return info
}

func formatVersion(v, rev, when string, info *debug.BuildInfo) string {
	if info != nil {
		if v == "" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			switch {
			case s.Key == "vcs.revision" && rev == "":
				rev = s.Value
			case s.Key == "vcs.time" && when == "":
				when = s.Value
			}
		}
	}
	if v == "" {
		v = "(devel)"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	s := "resetbot " + v
	if rev != "" {
		s += " " + rev
	}
	if when != "" {
		s += " " + when
	}
	return s + " " + runtime.Version()
}
