package webauthtest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// AxeEnv names the axe-core script (axe.min.js) the accessibility checks
// inject; scripts/test fetches the pinned release into its test data and
// sets it. Missing, the check fails under CI=true and is skipped (with a
// log line) otherwise, so that a run without network still tests the flows.
const AxeEnv = "RESETBOT_TEST_AXE"

// axeScript is the file AxeEnv names, read once per test binary: it is
// 650 kB and every state of every browser test injects it.
var axeScript = sync.OnceValues(func() (string, error) {
	path := os.Getenv(AxeEnv)
	if path == "" {
		return "", nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%s: %w", AxeEnv, err)
	}
	return string(b), nil
})

// axeViolation is one failed axe rule with the nodes it failed on: what
// the test reports, so the failure names the fix.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  []any  `json:"target"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

// axeRun runs every axe rule (WCAG 2.x A and AA and axe's best practices)
// on the whole document, except the rules in disabled, and returns the
// violations as JSON. Incomplete results ("needs review") are not
// failures: axe cannot decide them.
const axeRun = `(async (disabled) => {
	const rules = {};
	for (const id of disabled) rules[id] = {enabled: false};
	const r = await axe.run(document, {resultTypes: ["violations"], rules});
	return JSON.stringify(r.violations);
})`

// Axe checks the current page with axe-core in the light and the dark
// colour scheme (prefers-color-scheme, which the stylesheet follows) and
// fails the test on any violation, naming the rule, its impact and the
// elements. disabled turns rules off for this one check; a caller passing
// one must say in a comment why the rule cannot apply to that page.
func (b *Browser) Axe(state string, disabled ...string) {
	b.t.Helper()
	script, err := axeScript()
	if err != nil {
		b.t.Fatal(err)
	}
	if script == "" {
		if os.Getenv("CI") == "true" {
			b.t.Fatalf("%s is not set: CI=true requires the accessibility check (scripts/test fetches axe-core)", AxeEnv)
		}
		b.axeSkipLogged.Do(func() { b.t.Logf("%s is not set: accessibility checks skipped", AxeEnv) })
		return
	}
	for _, scheme := range []string{"light", "dark"} {
		b.axeScheme(state, scheme, script, disabled)
	}
	b.emulateScheme("")
}

// emulateScheme sets prefers-color-scheme ("" for the browser's default).
func (b *Browser) emulateScheme(scheme string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, 10*time.Second)
	defer cancel()
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
	}); err != nil {
		b.t.Fatalf("emulate prefers-color-scheme %q: %v", scheme, err)
	}
}

// axeScheme runs axe once in one colour scheme and reports what it finds.
func (b *Browser) axeScheme(state, scheme, script string, disabled []string) {
	b.t.Helper()
	vs, err := b.axeViolations(scheme, script, disabled)
	if err != nil {
		b.t.Fatalf("axe on %s (%s): %v", state, scheme, err)
	}
	if len(vs) == 0 {
		return
	}
	loc, _ := chromedp.Run(b.Ctx, chromedp.Location())
	b.Screenshot("axe-" + scheme)
	b.t.Errorf("accessibility: %d axe violation(s) on %s in the %s scheme (%s):%s", len(vs), state, scheme, loc, describe(vs))
}

// axeViolations injects axe into the current page (once per document)
// and runs it in the colour scheme given.
func (b *Browser) axeViolations(scheme, script string, disabled []string) ([]axeViolation, error) {
	b.emulateScheme(scheme)
	ctx, cancel := context.WithTimeout(b.Ctx, 30*time.Second)
	defer cancel()
	if loaded, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.axe === "object"`)); !loaded {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](script)); err != nil {
			return nil, fmt.Errorf("inject axe-core: %w", err)
		}
	}
	if disabled == nil {
		disabled = []string{}
	}
	arg, _ := json.Marshal(disabled)
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](axeRun+"("+string(arg)+")", chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, err
	}
	var vs []axeViolation
	if err := json.Unmarshal([]byte(out), &vs); err != nil {
		return nil, err
	}
	return vs, nil
}

// describe lists violations one rule a line, each failing element below
// it with axe's summary of the fix.
func describe(vs []axeViolation) string {
	var sb strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&sb, "\n  %s (%s): %s", v.ID, v.Impact, v.Help)
		for _, n := range v.Nodes {
			fmt.Fprintf(&sb, "\n    %v: %s", n.Target, strings.ReplaceAll(n.Summary, "\n", " "))
		}
	}
	return sb.String()
}

// State records one state of a page the tests visit: the accessibility
// check in both colour schemes, then the screenshot.
func (b *Browser) State(name string, disabled ...string) {
	b.t.Helper()
	b.Axe(name, disabled...)
	b.Screenshot(name)
}
