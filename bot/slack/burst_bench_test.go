package slack

// The helpdesk thread under a burst (#10 §4): many resets at once through
// the real core and engine on real Redis, the thread sink's reader posting
// them to a fake Slack that enforces Slack's documented limits. It reports
// what the helpdesk channel cost and checks what it shows; the numbers are
// in docs/BENCHMARKS.md. It never asserts on timing.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/bot/slack/slackfake"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/flows/storetest"
)

// burstRecorder is a sink of its own consumer group that keeps every
// event of the burst per flow, in stream order: what each thread must
// show.
type burstRecorder struct {
	mu     sync.Mutex
	seen   map[string]bool
	byFlow map[string][]flows.Event
}

func (*burstRecorder) Name() string { return "burst-record" }

func (r *burstRecorder) Deliver(_ context.Context, ev flows.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ev.FlowID == "" || r.seen[ev.ID] {
		return nil
	}
	r.seen[ev.ID] = true
	r.byFlow[ev.FlowID] = append(r.byFlow[ev.FlowID], ev)
	return nil
}

func (r *burstRecorder) events(flowID string) []flows.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.byFlow[flowID])
}

// stepWords names each step by the words its line starts with in the
// helpdesk's language (English), to read a thread back as steps.
var stepWords = []struct {
	words string
	step  flows.EventType
}{
	{"Requested by", flows.EventRequested},
	{"Link sent to the user", flows.EventLinkSent},
	{"Link used", flows.EventLinkRedeemed},
	{"Link opened", flows.EventLinkOpened},
	{"Verified with", flows.EventVerified},
	{"Risk signal", flows.EventRiskDecided},
	{"Writing to the directory", flows.EventApplying},
	{"New password written", flows.EventPasswordSet},
	{"Completed", flows.EventCompleted},
}

// stepOf reads a thread line ("10:04 · Link used from ...") as a step.
func stepOf(line string) flows.EventType {
	_, what, _ := strings.Cut(line, " · ")
	for _, w := range stepWords {
		if strings.HasPrefix(what, w.words) {
			return w.step
		}
	}
	return flows.EventType("unrecognised: " + what)
}

// sectionLines returns the step lines ("<time> · <what>") of a message's
// body.
func sectionLines(blocks json.RawMessage) []string {
	var out []string
	for _, l := range slackfake.SectionLines(blocks) {
		if strings.Contains(l, " · ") {
			out = append(out, l)
		}
	}
	return out
}

// parentFlowID finds the flow a thread parent is about in its note
// ("Flow <id> · started ...").
var parentFlowID = regexp.MustCompile(`Flow ([0-9a-f]{2}-[A-Za-z0-9_-]+)`)

var linkToken = regexp.MustCompile(`https://reset\.example\.test/r/([A-Za-z0-9_.-]+)`)

// BenchmarkHelpdeskBurst starts RESETBOT_BENCH_BURST resets at once (a
// signed /reset each, through the Slack ingress and the real core; the
// link DM; then, as the web app would, redeem, a passkey verification and
// the new password through the engine), while the helpdesk-thread sink's
// reader posts the threads through the production pacing to a fake Slack
// enforcing Slack's limits (slackfake.LimitLikeSlack: chat.postMessage one
// a second per channel with a burst of 3, chat.update Tier 3 app-wide). It
// waits until every flow's thread shows every one of its events, then
// reports:
//
//   - 429s: helpdesk-channel calls Slack refused (posts and edits);
//   - dup-lines: a flow's step shown more often than it happened;
//   - missing, out-of-order: threads whose steps differ from the flow's
//     events (both also fail the benchmark);
//   - posts, edits: the calls Slack accepted for the helpdesk channel;
//   - drain-s: from the first accepted helpdesk post to the last accepted
//     helpdesk call;
//   - floor-s: the least time Slack's limit allows for the posts the
//     threads must make, one top-level message per flow: (flows - burst)
//     x 1 s; drain/floor is the goal's ratio (<= 1.2);
//   - lines/thread (min, median, max) and flows-s, how long the flows
//     themselves took.
//
// Opt-in: it runs only with RESETBOT_BENCH_BURST set (scripts/bench does,
// with RESETBOT_BENCH_BURST=500); 500 flows take some ten minutes of
// posting.
func BenchmarkHelpdeskBurst(b *testing.B) {
	n, _ := strconv.Atoi(os.Getenv("RESETBOT_BENCH_BURST"))
	if n <= 0 {
		b.Skip("RESETBOT_BENCH_BURST is not set (the number of resets of the burst)")
	}
	if n > loadUsers {
		b.Fatalf("RESETBOT_BENCH_BURST=%d: at most %d", n, loadUsers)
	}
	storetest.OnRedis(b, func(b *testing.B, rdb redis.UniversalClient) {
		for i := 0; i < b.N; i++ {
			burstOnce(b, rdb, n)
		}
	})
}

func burstOnce(b *testing.B, rdb redis.UniversalClient, n int) {
	r := newAckRig(b, rdb)
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	// The rig's messenger is unpaced; this one paces as production does.
	m, err := NewMessenger(testConfig(r.fake.APIURL()), WithHTTPClient(r.fake.Client()), WithLogger(discard))
	if err != nil {
		b.Fatal(err)
	}
	r.core.AddPlatform(Platform, m)
	r.fake.LimitLikeSlack()

	ctx, cancel := context.WithCancel(b.Context())
	defer cancel()
	rec := &burstRecorder{seen: map[string]bool{}, byFlow: map[string][]flows.Event{}}
	var readers sync.WaitGroup
	for _, sink := range []flows.Sink{r.core.Sink(), rec} {
		reader := flows.NewReader(r.store, sink, "bench", discard)
		readers.Go(func() { _ = reader.Run(ctx) })
	}
	defer readers.Wait()
	defer cancel()

	// The burst: every request at once; each person then completes the
	// reset as soon as the link arrives.
	began := time.Now()
	flowIDs := make([]string, n)
	var people sync.WaitGroup
	var failMu sync.Mutex
	var failures []string
	fail := func(format string, args ...any) {
		failMu.Lock()
		failures = append(failures, fmt.Sprintf(format, args...))
		failMu.Unlock()
	}
	for i := 0; i < n; i++ {
		people.Go(func() {
			user := r.users[i]
			w := httptest.NewRecorder()
			r.routes.ServeHTTP(w, r.command(int64(i)))
			if w.Code != http.StatusOK {
				fail("ack of %s: status %d", user, w.Code)
				return
			}
			// The link comes by DM, or where the DM failed (a timeout
			// under the burst's load) in the private reply to the command.
			token := ""
			for wait := time.Now().Add(5 * time.Minute); token == "" && time.Now().Before(wait); {
				for _, dm := range r.fake.DMs(user) {
					if mt := linkToken.FindStringSubmatch(dm.Text + string(dm.Blocks)); mt != nil {
						token = mt[1]
					}
				}
				for _, rp := range r.fake.Responses() {
					if mt := linkToken.FindStringSubmatch(rp.Text + string(rp.Blocks)); rp.ID == fmt.Sprintf("r%d", i) && mt != nil {
						token = mt[1]
					}
				}
				if token == "" {
					time.Sleep(250 * time.Millisecond)
				}
			}
			if token == "" {
				fail("%s never got a link", user)
				return
			}
			client := flows.Client{IP: "192.0.2.7", Device: "burst"}
			f, binding, err := r.eng.Redeem(ctx, token, client)
			if err != nil {
				fail("redeem for %s: %v", user, err)
				return
			}
			flowIDs[i] = f.ID
			if _, err := r.eng.RecordVerification(ctx, f.ID, binding, flows.Verification{Method: flows.MethodPasskey, OK: true, Client: client}); err != nil {
				fail("verify for %s: %v", user, err)
				return
			}
			if _, err := r.eng.Complete(ctx, f.ID, binding, flows.Completion{NewPassword: fmt.Sprintf("Burst-Tide-%d-Harbour!", i), Client: client}); err != nil {
				fail("complete for %s: %v", user, err)
			}
		})
	}
	people.Wait()
	flowsDone := time.Now()
	if len(failures) > 0 {
		b.Fatalf("%d of %d flows failed, first: %s", len(failures), n, failures[0])
	}

	// Wait for every thread to show as many lines as its flow has events,
	// and for the recorder to have them all (a flow is complete when its
	// record has reached "completed").
	var report burstReport
	lastNote := time.Now()
	deadline := time.Now().Add(time.Duration(3*n)*time.Second + 2*time.Minute)
	for {
		report = readBurst(r.fake, rec, flowIDs)
		if report.complete || time.Now().After(deadline) {
			break
		}
		if time.Since(lastNote) > time.Minute {
			lastNote = time.Now()
			first := ""
			if len(report.problems) > 0 {
				first = report.problems[0]
			}
			fmt.Fprintf(os.Stderr, "burst: %s in, %d of %d threads complete, %d posts; %s\n", time.Since(began).Round(time.Second), report.whole, n, report.posts, first)
		}
		time.Sleep(5 * time.Second) // reading the channel back costs CPU the posting shares
	}
	cancel()
	readers.Wait()
	if !report.complete {
		b.Errorf("after %s the threads were not complete: %d of %d flows show all their steps", time.Since(began).Round(time.Second), report.whole, n)
	}
	for _, p := range report.problems[:min(len(report.problems), 10)] {
		b.Error(p)
	}
	for _, t := range report.split[:min(len(report.split), 15)] {
		b.Logf("flow posted in more than one post: %s", t)
	}

	floor := time.Duration(n-slackfake.PostLimit.Burst) * slackfake.PostLimit.Every
	load, _ := os.ReadFile("/proc/loadavg")
	b.ReportMetric(float64(n), "flows")
	b.ReportMetric(float64(report.limited), "429s")
	b.ReportMetric(float64(report.dups), "dup-lines")
	b.ReportMetric(float64(report.missing), "missing")
	b.ReportMetric(float64(report.disordered), "out-of-order")
	b.ReportMetric(float64(report.posts), "posts")
	b.ReportMetric(float64(report.edits), "edits")
	b.ReportMetric(report.drain.Seconds(), "drain-s")
	b.ReportMetric(floor.Seconds(), "floor-s")
	b.ReportMetric(report.drain.Seconds()/floor.Seconds(), "drain/floor")
	b.ReportMetric(flowsDone.Sub(began).Seconds(), "flows-s")
	b.ReportMetric(float64(report.parents), "parents")
	b.ReportMetric(float64(report.partial), "partial-parents")
	b.ReportMetric(float64(report.replies), "replies")
	b.ReportMetric(report.spacing.Seconds(), "spacing-s")
	b.ReportMetric(report.slow.Seconds(), "idle-s")
	b.ReportMetric(float64(report.slowGaps), "idle-gaps")
	if len(report.lines) > 0 {
		slices.Sort(report.lines)
		b.ReportMetric(float64(report.lines[0]), "min-lines/thread")
		b.ReportMetric(float64(report.lines[len(report.lines)/2]), "median-lines/thread")
		b.ReportMetric(float64(report.lines[len(report.lines)-1]), "max-lines/thread")
	}
	b.Logf("burst of %d: %d helpdesk posts and %d edits accepted, %d refused with 429; drained in %s against a floor of %s (%.3fx); flows took %s; load average %s",
		n, report.posts, report.edits, report.limited, report.drain.Round(100*time.Millisecond), floor, report.drain.Seconds()/floor.Seconds(),
		flowsDone.Sub(began).Round(100*time.Millisecond), strings.TrimSpace(string(load)))
}

// burstReport is what the helpdesk channel shows of the burst.
type burstReport struct {
	complete                   bool // every flow's thread shows every event
	whole                      int  // flows whose thread is complete
	limited, posts, edits      int
	dups, missing, disordered  int
	drain                      time.Duration
	lines                      []int
	problems                   []string
	firstPost, lastHelpdeskAck time.Time
	// parents and replies split posts: top-level messages and thread
	// replies; partial are parents posted before their flow ended.
	parents, replies, partial int
	// spacing is what the gaps between consecutive accepted posts cost
	// over Slack's one a second, split at slow (gaps over 1.5 s: the
	// channel idled) and the rest (the pacer's margin and answer times).
	spacing, slow time.Duration
	slowGaps      int
	// split describes the flows posted in more than one post: when each
	// post went (from the first helpdesk post) and how many lines it held.
	split []string
}

// readBurst reads the helpdesk channel back: each flow's thread lines
// (its parent's steps, then its replies') against the flow's events.
func readBurst(fake *slackfake.Server, rec *burstRecorder, flowIDs []string) burstReport {
	var rep burstReport
	byFlow := map[string][]string{}
	ours := map[string]bool{}
	for _, id := range flowIDs {
		ours[id] = true
	}
	for _, parent := range fake.Messages(testChannel) {
		mt := parentFlowID.FindSubmatch(parent.Blocks)
		if mt == nil || !ours[string(mt[1])] {
			continue
		}
		flowID := string(mt[1])
		lines := sectionLines(parent.Blocks)
		for _, reply := range fake.Thread(parent.TS) {
			lines = append(lines, sectionLines(reply.Blocks)...)
		}
		byFlow[flowID] = append(byFlow[flowID], lines...)
	}
	rep.complete = true
	for _, id := range flowIDs {
		evs := rec.events(id)
		lines := byFlow[id]
		rep.lines = append(rep.lines, len(lines))
		// A flow's events are all in once it has completed and its link's
		// delivery is recorded (which may come after a quick person has
		// already finished).
		if !slices.ContainsFunc(evs, func(ev flows.Event) bool { return ev.Type == flows.EventCompleted }) ||
			!slices.ContainsFunc(evs, func(ev flows.Event) bool { return ev.Type == flows.EventLinkSent }) {
			rep.complete = false
			continue
		}
		want := map[flows.EventType]int{}
		var wantSeq, gotSeq []flows.EventType
		for _, ev := range evs {
			want[ev.Type]++
			wantSeq = append(wantSeq, ev.Type)
		}
		got := map[flows.EventType]int{}
		for _, l := range lines {
			got[stepOf(l)]++
			gotSeq = append(gotSeq, stepOf(l))
		}
		for step, k := range got {
			if k > want[step] {
				rep.dups += k - want[step]
				rep.problems = append(rep.problems, fmt.Sprintf("flow %s: %q %d times, happened %d", id, step, k, want[step]))
			}
		}
		short := 0
		for step, k := range want {
			short += max(0, k-got[step])
		}
		switch {
		case short > 0:
			rep.complete = false
			rep.missing += short
			rep.problems = append(rep.problems, fmt.Sprintf("flow %s: thread shows %v, happened %v", id, gotSeq, wantSeq))
		case !slices.Equal(gotSeq, wantSeq):
			rep.disordered++
			rep.problems = append(rep.problems, fmt.Sprintf("flow %s: thread shows %v, happened %v", id, gotSeq, wantSeq))
			rep.whole++
		default:
			rep.whole++
		}
	}
	var lastPost time.Time
	for _, c := range fake.Calls() {
		helpdesk := c.Method == "chat.update" || c.Method == "chat.postMessage" && c.Channel == testChannel
		if !helpdesk {
			continue
		}
		if c.Error == "ratelimited" {
			rep.limited++
			continue
		}
		if c.Error != "" {
			continue
		}
		if c.Method == "chat.update" {
			rep.edits++
		} else {
			rep.posts++
			if rep.firstPost.IsZero() {
				rep.firstPost = c.At
			}
			if c.ThreadTS != "" {
				rep.replies++
			} else {
				rep.parents++
				if !strings.Contains(string(c.Blocks), "Completed") {
					rep.partial++
				}
			}
			if !lastPost.IsZero() {
				gap := c.At.Sub(lastPost) - slackfake.PostLimit.Every
				if gap > slackfake.PostLimit.Every/2 {
					rep.slow += gap
					rep.slowGaps++
				} else {
					rep.spacing += max(gap, 0)
				}
			}
			lastPost = c.At
		}
		if c.At.After(rep.lastHelpdeskAck) {
			rep.lastHelpdeskAck = c.At
		}
	}
	rep.drain = rep.lastHelpdeskAck.Sub(rep.firstPost)
	flowOfTS := map[string]string{}
	var order []string
	posts := map[string][]string{}
	for _, c := range fake.Calls() {
		if c.Method != "chat.postMessage" || c.Channel != testChannel || c.Error != "" {
			continue
		}
		flow := flowOfTS[c.ThreadTS]
		if c.ThreadTS == "" {
			if mt := parentFlowID.FindSubmatch(c.Blocks); mt != nil {
				flow = string(mt[1])
				flowOfTS[c.TS] = flow
			}
		}
		if flow == "" {
			continue
		}
		if _, ok := posts[flow]; !ok {
			order = append(order, flow)
		}
		kind := "parent"
		if c.ThreadTS != "" {
			kind = "reply"
		}
		posts[flow] = append(posts[flow], fmt.Sprintf("%s %d lines at %.1fs", kind, len(sectionLines(c.Blocks)), c.At.Sub(rep.firstPost).Seconds()))
	}
	for _, f := range order {
		if len(posts[f]) > 1 {
			rep.split = append(rep.split, f+": "+strings.Join(posts[f], ", "))
		}
	}
	return rep
}
