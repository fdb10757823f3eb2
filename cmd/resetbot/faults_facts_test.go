package main

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"time"

	goldap "github.com/go-ldap/ldap/v3"

	"github.com/resetbot/resetbot/bot/slack/slackfake"
	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/testenv"
)

// The facts a fault case ends with, read from outside serve: the
// directory's own record of password changes, the JSON audit log and the
// helpdesk thread as the fake Slack holds it.

// passwordChangesSince counts the password changes slapd recorded for u
// after since: ppolicy keeps a pwdHistory value per change (up to the
// policy's pwdInHistory, 3 in the test directory), each stamped with its
// time. Only the time is read here, never the hash after it.
func (r *faultRig) passwordChangesSince(u *directory.User, since time.Time) int {
	r.t.Helper()
	url := testenv.RequireEnv(r.t, "RESETBOT_TEST_SLAPD_URL")
	conn, err := goldap.DialURL(url)
	if err != nil {
		r.t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.Bind("cn=resetbot,ou=Services,dc=example,dc=test", "Svc-Passw0rd.1"); err != nil {
		r.t.Fatal(err)
	}
	res, err := conn.Search(goldap.NewSearchRequest(u.DN, goldap.ScopeBaseObject, goldap.NeverDerefAliases, 1, 10, false,
		"(objectClass=*)", []string{"pwdHistory"}, nil))
	if err != nil || len(res.Entries) != 1 {
		r.t.Fatalf("read pwdHistory of %s: %v", u.DN, err)
	}
	n := 0
	for _, v := range res.Entries[0].GetAttributeValues("pwdHistory") {
		stamp, _, _ := strings.Cut(v, "#")
		at, err := time.Parse("20060102150405Z", stamp)
		if err != nil {
			r.t.Fatalf("pwdHistory value of %s has no time: %v", u.DN, err)
		}
		// pwdChangedTime has whole seconds: a change in since's own
		// second counts.
		if !at.Before(since.Truncate(time.Second)) {
			n++
		}
	}
	return n
}

// auditEvents returns the JSON audit log's events of one flow, in the
// log's order.
func (r *faultRig) auditEvents(flowID string) []flows.Event {
	r.t.Helper()
	f, err := os.Open(r.auditPath)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []flows.Event
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		var rec struct {
			Event flows.Event `json:"event"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			r.t.Fatalf("audit log line is not a record: %v\n%s", err, sc.Text())
		}
		if rec.Event.FlowID == flowID {
			out = append(out, rec.Event)
		}
	}
	return out
}

// auditExactly waits until the flow's events in the audit log are as
// many as want, then checks they are want's types, in that order, each
// event id once: nothing lost, nothing twice.
func (r *faultRig) auditExactly(flowID string, within time.Duration, want ...flows.EventType) {
	r.t.Helper()
	var evs []flows.Event
	r.eventually("the flow's events in the audit log", within, func() bool {
		evs = r.auditEvents(flowID)
		return len(evs) >= len(want)
	})
	got := make([]string, len(evs))
	ids := map[string]int{}
	for i, ev := range evs {
		got[i] = string(ev.Type)
		ids[ev.ID]++
	}
	for id, n := range ids {
		if n != 1 {
			r.t.Errorf("audit log: event %s %d times", id, n)
		}
	}
	wantS := make([]string, len(want))
	for i, w := range want {
		wantS[i] = string(w)
	}
	if strings.Join(got, " ") != strings.Join(wantS, " ") {
		r.t.Errorf("audit log of flow %s:\n got  %s\n want %s", flowID, strings.Join(got, " "), strings.Join(wantS, " "))
	}
}

// threadLines returns the lines of the replies in the helpdesk thread of
// the flow (the parent that names its id), in the order they were posted.
// A reply may hold several steps (the thread coalesces them when posting
// is paced): each step is a line.
func (r *faultRig) threadLines(flowID string) []string {
	var lines []string
	for _, m := range r.fake.Messages("C0HELPDESK") {
		latest, _ := r.fake.Message(m.TS)
		if !strings.Contains(latest.Text+visibleText(latest.Blocks), flowID) {
			continue
		}
		// A finished flow posted from a backlog carries its steps in
		// its parent's body.
		lines = append(lines, bodyStepLines(latest.Blocks)...)
		for _, rep := range r.fake.Thread(m.TS) {
			for _, l := range strings.Split(visibleText(rep.Blocks), "\n") {
				// A step's line is "<time> · <what>"; a coalesced reply's
				// heading ("Several steps, posted together ...") is not one.
				if l = strings.TrimSpace(l); strings.Contains(l, " · ") {
					lines = append(lines, l)
				}
			}
		}
	}
	return lines
}

// bodyStepLines returns the step lines ("<time> · <what>") of a message's
// body, not its header (the title "Reset · Name"), fields or note.
func bodyStepLines(blocks json.RawMessage) []string {
	var out []string
	for _, l := range slackfake.SectionLines(blocks) {
		if strings.Contains(l, " · ") {
			out = append(out, l)
		}
	}
	return out
}

// threadExactly waits until the flow's helpdesk thread has as many lines
// as want, then checks each line holds its want, in that order, and no
// line is there twice.
func (r *faultRig) threadExactly(flowID string, within time.Duration, want ...string) {
	r.t.Helper()
	var lines []string
	r.eventually("the flow's helpdesk thread", within, func() bool {
		lines = r.threadLines(flowID)
		return len(lines) >= len(want)
	})
	ok := len(lines) == len(want)
	for i := 0; ok && i < len(want); i++ {
		ok = strings.Contains(lines[i], want[i])
	}
	// A line is there twice when it repeats more often than want repeats
	// its step: a retried write is "Writing to the directory" twice, and
	// the clock shows minutes, so both may read the same.
	seen, wanted := map[string]int{}, map[string]int{}
	for i, l := range lines {
		seen[l]++
		if i < len(want) && strings.Contains(l, want[i]) {
			wanted[l]++
		}
	}
	for l, n := range seen {
		if n > 1 && n > wanted[l] {
			r.t.Errorf("helpdesk thread: %q %d times", l, n)
		}
	}
	if !ok {
		r.t.Errorf("helpdesk thread of flow %s:\n got\n  %s\n want, in order\n  %s", flowID, strings.Join(lines, "\n  "), strings.Join(want, "\n  "))
	}
}

// A fault case's account and browser are new, and so is its passkey: the
// default risk policy notes both signals after the verification, one
// risk.decided event each, new passkey first (the order the engine judges
// them in), and the helpdesk thread shows them.
var (
	firstFlowRisk      = flows.EventRiskDecided
	firstFlowRiskLines = [2]string{"Risk signal: new passkey", "Risk signal: new browser"}
)
