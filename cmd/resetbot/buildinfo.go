package main

import (
	"runtime"

	"github.com/prometheus/client_golang/prometheus"
)

// newBuildInfo is resetbot_build_info, a gauge that is always 1 and carries
// the version, commit and Go version as labels, so a dashboard can show
// which build each replica runs and alerts can be joined on it during a
// rollout. The values are the ones `resetbot version` prints.
func newBuildInfo() prometheus.Collector {
	v, rev, _ := resolveVersion(version, commit, date, buildInfo())
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace:   "resetbot",
		Name:        "build_info",
		Help:        "Always 1; the labels name the running build's version, commit and Go version.",
		ConstLabels: prometheus.Labels{"version": v, "commit": rev, "goversion": runtime.Version()},
	})
	g.Set(1)
	return g
}
