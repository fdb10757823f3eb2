package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/bottest"
)

// TestRiskDepartmentAlertNamesFlows: the department spike alert names the
// flows it counted, so the helpdesk can open their threads.
func TestRiskDepartmentAlertNamesFlows(t *testing.T) {
	rig, ms := newCore(t, bottest.Options{Alerts: bot.AlertConfig{SpikeRequests: -1, DepartmentRequests: 3}})
	// jdoe, spare1 and spare2 are in Engineering; pwuser is not.
	for _, id := range []string{"U0JDOE", "U0PWUSER", "U0SPARE1", "U0SPARE2"} {
		command(rig, id, "")
	}
	rig.Settle(t)
	var alert, parents string
	for _, p := range ms.Posts() {
		if p.Kind != "parent" {
			continue
		}
		text := strings.Join(append([]string{p.Message.Summary, p.Message.Note}, p.Message.Body...), "\n")
		if strings.HasPrefix(p.Message.Summary, "Alert:") {
			alert += text
		} else {
			parents += text + "\n"
		}
	}
	if !strings.Contains(alert, "3 reset requests from Engineering") || !strings.Contains(alert, "Flows: ") {
		t.Fatalf("department alert:\n%s", alert)
	}
	ids := strings.Split(strings.TrimSpace(strings.SplitN(strings.SplitN(alert, "Flows: ", 2)[1], " (", 2)[0]), ", ")
	if len(ids) != 3 {
		t.Fatalf("the alert names %d flows (%q), want the 3 counted", len(ids), ids)
	}
	for _, id := range ids {
		if !strings.Contains(parents, "Flow "+id) {
			t.Errorf("the alert names %s, which no thread shows", id)
		}
		if f, err := rig.Engine.Get(context.Background(), id); err != nil || f.Subject.Department != "Engineering" {
			t.Errorf("the alert names %s (%v): not one of Engineering's", id, err)
		}
	}
}
