package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/cmd/resetbot/internal/config"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/flows/redisstore"
)

// flowTraces are the byte strings by which anything in Redis belongs to
// one flow: its id (as text and as the 17-byte compact form's 16 id
// bytes), its link token's hash (hex and raw) and its audit events' stream
// entry ids.
type flowTraces struct {
	needles [][]byte
	entries map[string]bool // "<stream key>/<entry id>" of the flow's events
}

func tracesOf(t *testing.T, f *flows.Flow, events []flows.Event) flowTraces {
	t.Helper()
	tr := flowTraces{entries: map[string]bool{}}
	tr.needles = append(tr.needles, []byte(f.ID))
	if _, rest, ok := strings.Cut(f.ID, "-"); ok {
		if raw, err := base64.RawURLEncoding.DecodeString(rest); err == nil {
			tr.needles = append(tr.needles, raw)
		}
	}
	if f.TokenHash != "" {
		tr.needles = append(tr.needles, []byte(f.TokenHash))
		if raw, err := hex.DecodeString(f.TokenHash); err == nil {
			tr.needles = append(tr.needles, raw)
		}
	}
	for _, ev := range events {
		tr.entries[ev.ID] = true
		if i := strings.LastIndex(ev.ID, "/"); i >= 0 {
			tr.needles = append(tr.needles, []byte(ev.ID[i+1:]))
		}
	}
	return tr
}

// in reports which trace b holds, or "".
func (tr flowTraces) in(b []byte) string {
	for _, n := range tr.needles {
		if len(n) >= 8 && bytes.Contains(b, n) {
			return fmt.Sprintf("%q", n)
		}
	}
	return ""
}

// chainHeadEvent is the field of the audit log's chain head (the one
// key the hash-chained log keeps for good: its seq and last hash) that
// names the event of the last record written, so that a writer that died
// between moving the head and marking the event does not write it again.
// It is the log's pointer, not the flow's data: an entry id (a time, and
// the shard the stream key names), overwritten by the next event written.
// The scan passes over it and over nothing else of the head.
const chainHeadEvent = "e"

// leftAt lists what of the flow Redis still holds at the instant at: keys
// that expire later (or never) and hold a trace of the flow, and the
// flow's entries in the audit streams.
func leftAt(ctx context.Context, t *testing.T, rdb *redis.Client, prefix string, at time.Time, tr flowTraces) []string {
	t.Helper()
	var left []string
	iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		key := iter.Val()
		exp, err := rdb.PExpireTime(ctx, key).Result()
		if err != nil {
			t.Fatal(err)
		}
		if exp > 0 && exp <= time.Duration(at.UnixMilli())*time.Millisecond {
			continue // Redis drops it by then
		}
		typ, err := rdb.Type(ctx, key).Result()
		if err != nil {
			t.Fatal(err)
		}
		var parts [][]byte
		switch typ {
		case "string":
			v, _ := rdb.Get(ctx, key).Bytes()
			parts = append(parts, v)
		case "hash":
			m, _ := rdb.HGetAll(ctx, key).Result()
			for k, v := range m {
				if k == chainHeadEvent && strings.HasSuffix(key, "-auditlog}:head") {
					continue
				}
				parts = append(parts, []byte(k), []byte(v))
			}
		case "zset":
			ms, _ := rdb.ZRange(ctx, key, 0, -1).Result()
			for _, m := range ms {
				parts = append(parts, []byte(m))
			}
		case "set":
			ms, _ := rdb.SMembers(ctx, key).Result()
			for _, m := range ms {
				parts = append(parts, []byte(m))
			}
		case "list":
			ms, _ := rdb.LRange(ctx, key, 0, -1).Result()
			for _, m := range ms {
				parts = append(parts, []byte(m))
			}
		case "stream":
			msgs, _ := rdb.XRange(ctx, key, "-", "+").Result()
			for _, m := range msgs {
				if tr.entries[key+"/"+m.ID] {
					left = append(left, fmt.Sprintf("%s: the flow's audit entry %s", key, m.ID))
				}
				for k, v := range m.Values {
					parts = append(parts, []byte(k), []byte(fmt.Sprint(v)))
				}
			}
		}
		for _, p := range parts {
			if what := tr.in(p); what != "" {
				left = append(left, fmt.Sprintf("%s (%s, expiry %d ms): holds %s", key, typ, exp.Milliseconds(), what))
				break
			}
		}
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	return left
}

// TestNothingLeftAfterRetention is fault 10 of the fault suite: once a
// flow's retention has passed, nothing of it is left in Redis. A real
// reset runs through serve to the end (every sink acknowledged its
// events); then serve is stopped and its upkeep (the audit-stream
// trimming and the expiry sweep's index clean-up, the same redisstore
// code serve runs every few seconds) is run once with the clock at the
// flow's expiry plus flows.audit_retention, and the whole key prefix is
// scanned: a key holding the flow's id, its token hash or one of its
// event ids must expire by then, and no stream may hold its entries.
// serve has no clock to inject and Redis none to advance, so the keys'
// own expiry times (PEXPIRETIME) stand for Redis's side of the wait.
func TestNothingLeftAfterRetention(t *testing.T) {
	start := time.Now()
	r := newFaultRig(t, "")
	p := r.resetAtPasswordForm("faults-expiry")
	p.browser.Do(chromedp.Click(chromedp.CSS("#set-password")), chromedp.WaitVisible(chromedp.CSS("#done-headline")))
	id := p.flowID
	r.changeRecordedOnce(id)
	ctx := context.Background()
	f, err := r.store.Get(ctx, id)
	if err != nil || f.State != flows.StateCompleted {
		t.Fatalf("flow after the reset: %+v, %v", f, err)
	}
	r.threadExactly(id, 20*time.Second,
		"Requested by", "Link sent to the user", "Link opened", "Link used", "Verified with passkey", firstFlowRiskLines[0], firstFlowRiskLines[1],
		"Writing to the directory", "New password written to the directory", "Completed")
	r.eventually("the user told in chat", 20*time.Second, func() bool { return countDMs(r, p.chat, "Your password was changed") == 1 })
	r.eventually("every sink done with the flow", 20*time.Second, func() bool {
		for _, g := range []string{"chat-threads", "user-notify", "alerts", "stats", "link-delivery", "revoke-apply", "auditlog"} {
			if r.pendingWith(g, id) > 0 {
				return false
			}
		}
		return true
	})
	events := r.auditEvents(id)
	r.proc.kill()

	tr := tracesOf(t, f, events)
	if left := leftAt(ctx, t, r.rdb, r.prefix, time.Now(), tr); len(left) == 0 {
		t.Fatal("nothing of the flow found in Redis right after it: the scan looks for the wrong things")
	}

	// The moment the retention has passed, and serve's upkeep at it.
	after := f.ExpiresAt.Add(config.DefaultAuditRetention).Add(time.Second)
	st := redisstore.New(r.rdb, redisstore.Options{Prefix: r.prefix, Retention: config.DefaultAuditRetention, StreamMaxLen: config.DefaultStreamMaxLen})
	if _, err := st.MaintainStreams(ctx, flows.StreamUpkeep{Now: after, DeadAfter: deadConsumerAfter}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Due(ctx, after, 1000); err != nil {
		t.Fatal(err)
	}
	if left := leftAt(ctx, t, r.rdb, r.prefix, after, tr); len(left) > 0 {
		t.Errorf("after the flow's retention Redis still holds:\n  %s", strings.Join(left, "\n  "))
	}
	t.Logf("case took %s", time.Since(start).Round(100*time.Millisecond))
}
