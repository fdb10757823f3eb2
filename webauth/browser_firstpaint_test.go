package webauth

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/webauth/webauthtest"
)

// scriptGate is a slow network for the page scripts: while it is held,
// every /static/*.js response waits (but the ones let through), so the
// browser has the page's HTML (and paints it) before its scripts arrive,
// as a phone on a bad connection does.
type scriptGate struct {
	mu      sync.Mutex
	holding bool
	let     map[string]bool // paths let through while holding
	waiting map[string]int  // paths of the script requests waiting now
	changed chan struct{}   // closed (and replaced) when holding or let change
}

func newScriptGate() *scriptGate {
	return &scriptGate{let: map[string]bool{}, waiting: map[string]int{}, changed: make(chan struct{})}
}

// set changes what the gate holds, waking every waiting request to look.
func (g *scriptGate) set(holding bool, let []string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.holding = holding
	if !holding {
		clear(g.let)
	}
	for _, p := range let {
		g.let[p] = true
	}
	close(g.changed)
	g.changed = make(chan struct{})
}

// hold makes the script responses from now on wait for release.
func (g *scriptGate) hold() { g.set(true, nil) }

// release lets every waiting and later script response through.
func (g *scriptGate) release() { g.set(false, nil) }

// letThrough lets the script responses for paths through, the others
// still held.
func (g *scriptGate) letThrough(paths []string) { g.set(true, paths) }

// waitingFor are those of paths whose request waits at the gate.
func (g *scriptGate) waitingFor(paths []string) []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []string
	for _, p := range paths {
		if g.waiting[p] > 0 {
			out = append(out, p)
		}
	}
	return out
}

func (g *scriptGate) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/static/") && strings.HasSuffix(r.URL.Path, ".js") {
			g.mu.Lock()
			g.waiting[r.URL.Path]++
			for g.holding && !g.let[r.URL.Path] {
				changed := g.changed
				g.mu.Unlock()
				select {
				case <-changed:
				case <-r.Context().Done():
				}
				g.mu.Lock()
				if r.Context().Err() != nil {
					break
				}
			}
			g.waiting[r.URL.Path]--
			g.mu.Unlock()
		}
		h.ServeHTTP(w, r)
	})
}

// tapAtFirstPaint opens url with the page scripts held back and taps sel
// the moment the new page shows it, after fill (typing, before the tap)
// if set; then it lets the scripts through. A page whose scripts load in
// the head without defer shows nothing before they ran (the parser waits
// for them before the body): those are let through first, since no tap
// can come before them; the deferred ones stay held until the tap. It
// reports whether common.js (deferred on the password page, in the head
// elsewhere) had run at the tap.
func tapAtFirstPaint(t *testing.T, c *chrome, g *scriptGate, url, sel string, fill func()) (scriptsRan bool) {
	t.Helper()
	g.hold()
	defer g.release()
	// The old document carries a mark; the new one (a new window) does not.
	c.Do(chromedp.Evaluate[chromedp.Void](`window.__before = true`))
	// Page.navigate without waiting for the load event, which waits for
	// the held scripts.
	c.Do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, cdppage.Navigate, cdppage.NavigateParams{URL: url})
		return err
	}))
	type probe struct {
		Found bool    `json:"found"`
		X     float64 `json:"x"`
		Y     float64 `json:"y"`
		Ran   bool    `json:"ran"`
		// Blocking are the paths of the head's scripts without defer
		// while the body does not exist yet.
		Blocking []string `json:"blocking"`
		SameDoc  bool     `json:"sameDoc"`
	}
	js := `(() => {
		if (window.__before) return {sameDoc: true};
		const e = document.querySelector(` + jsString(sel) + `);
		if (!e && !document.body && document.head) return {blocking: Array.from(
			document.head.querySelectorAll("script[src]:not([defer]):not([async])"), s => new URL(s.src).pathname)};
		if (!e) return {};
		e.scrollIntoView({block: "center"});
		const r = e.getBoundingClientRect();
		// A person taps what they see: the page must have painted.
		if (!r.width || !r.height || !performance.getEntriesByName("first-contentful-paint").length) return {};
		return {found: true, x: r.x + r.width / 2, y: r.y + r.height / 2, ran: !!window.rb}; // rb: common.js
	})()`
	deadline := time.Now().Add(20 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(c.Ctx, 2*time.Second)
		p, err := chromedp.Run(ctx, chromedp.Evaluate[probe](js))
		cancel()
		if err == nil && p.Found && fill != nil {
			fill() // typing may scroll the page: measure again
			fill = nil
			continue
		}
		if err == nil && p.Found {
			c.Do(chromedp.MouseClickXY(p.X, p.Y))
			return p.Ran
		}
		if err == nil {
			if blocking := g.waitingFor(p.Blocking); len(blocking) > 0 {
				// The parser waits in the head for a script without
				// defer: nothing paints before it runs, so no tap can
				// come first. The deferred ones stay held.
				g.letThrough(blocking)
			}
		}
		if time.Now().After(deadline) {
			c.Screenshot("failure")
			t.Fatalf("%s never appeared at %s (%+v, %v)", sel, url, p, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestBrowserTapsAtFirstPaint taps the enrollment's Add a passkey, the
// landing's Continue with passkey and the password page's Show and Set the
// moment each page shows them, while the page scripts are still on their way
// (#11: "2 of 8 immediate taps did nothing"). No tap may be lost: it
// either works through the script, which then runs from the head and
// listens before the button exists, or as the plain form POST it is, which
// leads on as the script would.
func TestBrowserTapsAtFirstPaint(t *testing.T) {
	ctx := context.Background()
	dir := memoryDir(t)
	u, err := dir.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: "jdoe"})
	if err != nil {
		t.Fatal(err)
	}
	old := webauthtest.RandomPassword()
	if err := dir.SetPassword(ctx, u, old); err != nil {
		t.Fatal(err)
	}
	g := newScriptGate()
	s := newSiteWith(t, rigOptions{dir: dir, wrap: g.wrap})
	c := newChrome(t, "firstpaint")
	c.Authenticator(true)
	// The scripts come from the network every time, not from the cache
	// the first page load filled.
	if _, err := chromedp.Call(c.Ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(c.Ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
		t.Fatal(err)
	}
	location := func() string {
		loc, err := chromedp.Run(c.Ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}

	// Enrollment: the page with Add a passkey, opened again at once.
	is := s.start(t, flows.KindEnroll, "jdoe")
	c.OpenEnroll(s.base+"/r/"+is.Token, old)
	ran := tapAtFirstPaint(t, c, g, location(), "#passkey-register", nil)
	t.Logf("enrollment: scripts had run at the tap: %v", ran)
	c.WaitJS(`!!document.getElementById("passkey-added")`)
	c.Tap("#enroll-finish")
	c.WaitJS(`!!document.getElementById("done-headline")`)

	// Reset: the landing's one button.
	is = s.start(t, flows.KindReset, "jdoe")
	ran = tapAtFirstPaint(t, c, g, s.base+"/r/"+is.Token, "#continue", nil)
	t.Logf("landing: scripts had run at the tap: %v", ran)
	c.WaitJS(`!!document.getElementById("password-form")`)

	// The password page: Show, tapped the moment it is painted, shows
	// what is typed.
	passwordPage := location()
	ran = tapAtFirstPaint(t, c, g, passwordPage, "#toggle", nil)
	t.Logf("password page, Show: scripts had run at the tap: %v", ran)
	c.WaitJS(`document.getElementById("password").type === "text" && document.getElementById("toggle").getAttribute("aria-pressed") === "true"`)

	// The password page, opened again: the new password typed and Set
	// tapped before its scripts arrive.
	newPassword := webauthtest.RandomPassword()
	ran = tapAtFirstPaint(t, c, g, passwordPage, "#set-password", func() {
		c.Do(chromedp.Evaluate[chromedp.Void](`document.getElementById("password").focus()`))
		if _, err := chromedp.Call(c.Ctx, input.InsertText, input.InsertTextParams{Text: newPassword}); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("password page: scripts had run at the tap: %v", ran)
	if ran {
		t.Error("the password page's scripts ran before its first paint: the tap tested nothing")
	}
	c.WaitJS(`!!document.getElementById("done-headline")`)
	if !strings.Contains(c.Text(), "Your password was changed") {
		t.Fatalf("Set at first paint did not change the password:\n%s", c.Text())
	}
	if err := dir.VerifyPassword(ctx, u, newPassword); err != nil {
		t.Errorf("the directory does not take the new password: %v", err)
	}
}
