package main

import (
	"runtime"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestBuildInfoMetric(t *testing.T) {
	oldV, oldC := version, commit
	t.Cleanup(func() { version, commit = oldV, oldC })
	version, commit = "v1.2.3", "fedcba9876543210fedcba9876543210fedcba98"

	reg := prometheus.NewRegistry()
	reg.MustRegister(newBuildInfo())
	want := `# HELP resetbot_build_info Always 1; the labels name the running build's version, commit and Go version.
# TYPE resetbot_build_info gauge
resetbot_build_info{commit="fedcba987654",goversion="` + runtime.Version() + `",version="v1.2.3"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "resetbot_build_info"); err != nil {
		t.Error(err)
	}
}
