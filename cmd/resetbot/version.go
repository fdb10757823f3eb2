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
	v, rev, when = resolveVersion(v, rev, when, info)
	s := "resetbot " + v
	if rev != "" {
		s += " " + rev
	}
	if when != "" {
		s += " " + when
	}
	return s + " " + runtime.Version()
}

// resolveVersion fills what the release did not stamp from the build info:
// the version ("(devel)" when nothing is known), the commit cut to 12 hex
// digits and the build time. `resetbot version` and resetbot_build_info
// share it so they never disagree.
func resolveVersion(v, rev, when string, info *debug.BuildInfo) (string, string, string) {
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
	return v, rev, when
}
