package slack

// What each command of the open-loop ack benchmark ended with, as the
// person saw it: the benchmark counts outcomes, not only link DMs, so a
// flow that answered with an error (or with nothing) is told apart from
// one whose link went out late.

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"

	"github.com/resetbot/resetbot/bot/slack/slackfake"
	"github.com/resetbot/resetbot/internal/i18n"
)

// ackOutcome names what one command ended with: the link in a DM, the
// link in the private reply, one of the catalogue's answers through the
// response URL or in the ack itself (its key, e.g. "chat.trouble"), or
// nothing beyond the first reply ("working-only") or nothing at all.
const (
	outcomeLinkDM      = "link-dm"
	outcomeLinkReply   = "link-reply"
	outcomeWorkingOnly = "working-only"
	outcomeNothing     = "nothing"
)

// ackFinal are the catalogue's final answers to a /reset, by the text
// Slack shows (the summary, as render writes it), in English (the
// benchmark's people have no known locale).
func ackFinal() map[string]string {
	l := i18n.For("en")
	out := map[string]string{}
	for _, key := range []string{"chat.busy", "chat.trouble.summary", "chat.unavailable.summary",
		"chat.ratelimited.summary", "chat.slowdown.summary", "chat.nofactor.summary", "chat.risk.denied.summary"} {
		out[mrkdwn(l.T(key))] = strings.TrimSuffix(key, ".summary")
	}
	return out
}

// ackOutcomes classifies every command i (from users[i], response URL
// "r<i>", ack body acks[i]) by what the fake Slack received for it, and
// returns the counts by outcome and the commands that ended with nothing.
func ackOutcomes(fake *slackfake.Server, users []string, acks [][]byte) (counts map[string]int, lost []int) {
	final := ackFinal()
	working := mrkdwn(i18n.For("en").T("chat.working.reset.summary"))
	isLink := func(text string, blocks []byte) bool {
		return strings.Contains(text, "/r/") || bytes.Contains(blocks, []byte("reset.example.test/r/"))
	}
	classify := func(text string, blocks []byte) string {
		switch {
		case isLink(text, blocks):
			return outcomeLinkReply
		case text == working:
			return outcomeWorkingOnly
		}
		if k, ok := final[text]; ok {
			return k
		}
		return "other:" + clip(text, 40)
	}
	idx := map[string]int{}
	dm := map[string]int{}
	for i := range acks {
		idx[fmt.Sprintf("r%d", i)] = i
		if ch := fake.IMChannel(users[i]); ch != "" {
			dm[ch] = i
		}
	}
	got := make([][]string, len(acks))
	for i, body := range acks {
		if len(body) == 0 {
			continue
		}
		var text string
		if j := bytes.Index(body, []byte(`"text":"`)); j >= 0 {
			rest := body[j+len(`"text":"`):]
			if e := bytes.IndexByte(rest, '"'); e >= 0 {
				text = string(rest[:e])
			}
		}
		got[i] = append(got[i], classify(text, body))
	}
	for _, r := range fake.Responses() {
		if i, ok := idx[r.ID]; ok {
			got[i] = append(got[i], classify(r.Text, r.Blocks))
		}
	}
	for _, c := range fake.Calls() {
		if c.Method != "chat.postMessage" || c.Error != "" {
			continue
		}
		if i, ok := dm[c.Channel]; ok {
			if isLink(c.Text, c.Blocks) {
				got[i] = append(got[i], outcomeLinkDM)
			} else {
				got[i] = append(got[i], "dm:"+classify(c.Text, c.Blocks))
			}
		}
	}
	counts = map[string]int{}
	for i, g := range got {
		o := outcomeNothing
		switch {
		case slices.Contains(g, outcomeLinkDM):
			o = outcomeLinkDM
		case slices.Contains(g, outcomeLinkReply):
			o = outcomeLinkReply
		default:
			for _, k := range g {
				if k != outcomeWorkingOnly {
					o = k
				}
			}
			if o == outcomeNothing && len(g) > 0 {
				o = outcomeWorkingOnly
			}
		}
		counts[o]++
		if o == outcomeNothing || o == outcomeWorkingOnly {
			lost = append(lost, i)
		}
	}
	return counts, lost
}

// warnings counts the core's and the app's log records at Warn and above
// by message and error text, so a benchmark run can say why a command
// ended badly (the records are otherwise discarded).
type warnings struct {
	mu     sync.Mutex
	counts map[string]int
}

func newWarnings() *warnings { return &warnings{counts: map[string]int{}} }

// Enabled implements slog.Handler.
func (w *warnings) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }

// Handle implements slog.Handler.
func (w *warnings) Handle(_ context.Context, r slog.Record) error {
	key := r.Message
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "err" || a.Key == "work" {
			key += " " + a.Key + "=" + clip(a.Value.String(), 160)
		}
		return true
	})
	w.mu.Lock()
	w.counts[key]++
	w.mu.Unlock()
	return nil
}

// WithAttrs implements slog.Handler (the attributes are not counted).
func (w *warnings) WithAttrs([]slog.Attr) slog.Handler { return w }

// WithGroup implements slog.Handler.
func (w *warnings) WithGroup(string) slog.Handler { return w }

// top returns the n most frequent records, most frequent first.
func (w *warnings) top(n int) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	keys := make([]string, 0, len(w.counts))
	for k := range w.counts {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return w.counts[b] - w.counts[a] })
	var out []string
	for _, k := range keys[:min(n, len(keys))] {
		out = append(out, fmt.Sprintf("%6d x %s", w.counts[k], k))
	}
	return out
}
