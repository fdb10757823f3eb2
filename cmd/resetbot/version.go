package main

import (
	"runtime"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3"; when
// it is empty the module version and VCS revision from the build info are
// used, so `go install` builds report something useful too.
var version = ""

// versionString is what `resetbot version` prints.
func versionString() string {
	v := version
	rev := ""
	if info, ok := debug.ReadBuildInfo(); ok {
		if v == "" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				rev = s.Value[:12]
			}
		}
	}
	if v == "" {
		v = "(devel)"
	}
	s := "resetbot " + v
	if rev != "" {
		s += " " + rev
	}
	return s + " " + runtime.Version()
}
