package auditlog

import (
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/resetbot/resetbot/flows"
)

// declaredEventTypes reads every constant of type flows.EventType from the
// flows package's source, so a type added there shows up here without
// anyone remembering to list it.
func declaredEventTypes(t *testing.T) []flows.EventType {
	t.Helper()
	fset := token.NewFileSet()
	paths, err := filepath.Glob(filepath.Join("..", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var types []flows.EventType
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				id, ok := vs.Type.(*ast.Ident)
				if !ok || id.Name != "EventType" {
					continue
				}
				for _, v := range vs.Values {
					lit, ok := v.(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						t.Fatalf("%s: an EventType constant that is not a string literal", fset.Position(v.Pos()))
					}
					s, _ := strconv.Unquote(lit.Value)
					types = append(types, flows.EventType(s))
				}
			}
		}
	}
	if len(types) < 20 {
		t.Fatalf("found only %d EventType constants in flows: the parser missed them", len(types))
	}
	return types
}

// wantECSOutcome is, independently of the package's table, what a SIEM
// rule should see as event.outcome for each event type.
var wantECSOutcome = map[flows.EventType]string{
	"flow.requested": "success", "flow.superseded": "success", "flow.refused": "failure",
	"link.sent": "success", "link.reissued": "success", "link.opened": "success", "link.previewed": "success", "link.redeemed": "success",
	"link.claimed": "success", "link.claim_refused": "failure",
	"verify.succeeded": "success", "verify.failed": "failure",
	"caller.verified": "success", "caller.declined": "failure",
	"approval.requested": "success", "approval.granted": "success", "approval.denied": "failure",
	"approval.click_refused": "failure",
	"change.applying":        "unknown", "change.failed": "failure",
	"password.set": "success", "password.refused": "failure", "account.unlocked": "success",
	"factor.enrolled": "success", "factor.added": "success", "factor.removed": "success",
	"flow.completed": "success", "flow.cancelled": "success", "flow.expired": "failure", "flow.failed": "failure",
	"recovery.completed": "success", "recovery.failed": "failure",
	"helpdesk.factors_viewed": "success", "helpdesk.factors_revoked": "success",
	"risk.decided": "success",
}

// ECS 8.x allowed values of event.category and event.type.
var (
	ecsCategories = set("api", "authentication", "configuration", "database", "driver", "email", "file", "host",
		"iam", "intrusion_detection", "library", "malware", "network", "package", "process", "registry",
		"session", "threat", "vulnerability", "web")
	ecsTypes = set("access", "admin", "allowed", "change", "connection", "creation", "deletion", "denied",
		"device", "end", "error", "group", "indicator", "info", "installation", "protocol", "start", "user")
)

func set(v ...string) map[string]bool {
	m := map[string]bool{}
	for _, s := range v {
		m[s] = true
	}
	return m
}

// fullEvent is an event with every field set, as a web step records it.
func fullEvent(t flows.EventType) flows.Event {
	return flows.Event{
		ID: "audit:{s01}/1700000000000-1", Time: event("x").Time, Type: t, FlowID: "f1", Kind: flows.KindReset,
		Account: "alice", AccountID: "7f1c-uuid", Department: "Finance", Actor: "slack:U123",
		From: flows.StateRedeemed, To: flows.StateVerified, Outcome: "ok", Reason: "a reason",
		Method: "passkey", SourceIP: "192.0.2.7", Device: "Firefox on Linux", Thread: "C1/171.2",
	}
}

// TestECSMappingCoversEveryEventType: every event type flows declares has
// an ECS class, with allowed category and type values and the outcome a
// SIEM rule expects, and its ECS line carries the ECS field names.
func TestECSMappingCoversEveryEventType(t *testing.T) {
	declared := declaredEventTypes(t)
	seen := map[flows.EventType]bool{}
	for _, typ := range declared {
		seen[typ] = true
		t.Run(string(typ), func(t *testing.T) {
			c, ok := ECSClassOf(typ)
			if !ok {
				t.Fatalf("%s has no ECS class in ecsClasses", typ)
			}
			want, ok := wantECSOutcome[typ]
			if !ok {
				t.Fatalf("%s: add its expected event.outcome to wantECSOutcome", typ)
			}
			line, err := encodeECS(9, GenesisHash, fullEvent(typ))
			if err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Timestamp string `json:"@timestamp"`
				ECS       struct{ Version string }
				Event     struct {
					ID, Kind, Action, Outcome, Reason, Dataset string
					Sequence                                   uint64
					Category, Type                             []string
				}
				User      struct{ Name, ID string }
				Source    struct{ IP, Address string }
				UserAgent struct {
					Name string
					OS   struct{ Name string }
				} `json:"user_agent"`
				Related  struct{ User, IP []string }
				Resetbot struct {
					Prev, Actor, Outcome, Method string
					FlowID                       string `json:"flow_id"`
				} `json:"resetbot"`
			}
			dec := json.NewDecoder(strings.NewReader(string(line)))
			if err := dec.Decode(&doc); err != nil {
				t.Fatal(err)
			}
			if doc.Event.Outcome != want || c.Outcome != want {
				t.Errorf("event.outcome = %q, want %q", doc.Event.Outcome, want)
			}
			for _, v := range doc.Event.Category {
				if !ecsCategories[v] {
					t.Errorf("event.category %q is not an ECS value", v)
				}
			}
			for _, v := range doc.Event.Type {
				if !ecsTypes[v] {
					t.Errorf("event.type %q is not an ECS value", v)
				}
			}
			if len(doc.Event.Category) == 0 || len(doc.Event.Type) == 0 {
				t.Errorf("category %v, type %v: both are required", doc.Event.Category, doc.Event.Type)
			}
			checks := []struct{ field, got, want string }{
				{"@timestamp", doc.Timestamp, "2026-01-02T03:04:05Z"},
				{"ecs.version", doc.ECS.Version, ECSVersion},
				{"event.kind", doc.Event.Kind, "event"},
				{"event.action", doc.Event.Action, string(typ)},
				{"event.id", doc.Event.ID, "audit:{s01}/1700000000000-1"},
				{"event.reason", doc.Event.Reason, "a reason"},
				{"event.dataset", doc.Event.Dataset, "resetbot.audit"},
				{"event.sequence", fmt.Sprint(doc.Event.Sequence), "9"},
				{"user.name", doc.User.Name, "alice"},
				{"user.id", doc.User.ID, "7f1c-uuid"},
				{"source.ip", doc.Source.IP, "192.0.2.7"},
				{"user_agent.name", doc.UserAgent.Name, "Firefox"},
				{"user_agent.os.name", doc.UserAgent.OS.Name, "Linux"},
				{"related.user", strings.Join(doc.Related.User, ","), "alice,slack:U123"},
				{"related.ip", strings.Join(doc.Related.IP, ","), "192.0.2.7"},
				{"resetbot.prev", doc.Resetbot.Prev, GenesisHash},
				{"resetbot.actor", doc.Resetbot.Actor, "slack:U123"},
				{"resetbot.outcome", doc.Resetbot.Outcome, "ok"},
				{"resetbot.method", doc.Resetbot.Method, "passkey"},
				{"resetbot.flow_id", doc.Resetbot.FlowID, "f1"},
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
				}
			}
		})
	}
	var extra []string
	for typ := range ecsClasses {
		if !seen[typ] {
			extra = append(extra, string(typ))
		}
	}
	sort.Strings(extra)
	if len(extra) > 0 {
		t.Errorf("ecsClasses maps types flows does not declare: %v", extra)
	}
}

// TestECSUnknownTypeFallsBack: a type the table lacks still gets a line
// (the stream must not wedge), with outcome unknown.
func TestECSUnknownTypeFallsBack(t *testing.T) {
	line, err := encodeECS(1, GenesisHash, fullEvent("made.up"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(line), `"action":"made.up","outcome":"unknown"`) {
		t.Fatalf("line = %s", line)
	}
}

// TestECSLogChainsAndVerifies: an ECS log, plain and keyed, verifies; an
// edit is found; a reopened sink continues its chain and does not
// re-append a redelivered event.
func TestECSLogChainsAndVerifies(t *testing.T) {
	for _, key := range [][]byte{nil, []byte("a chain key of 32 bytes, or so.")} {
		t.Run(fmt.Sprintf("keyed=%v", key != nil), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "audit.jsonl")
			opt := Options{Key: key, Format: FormatECS}
			s, err := OpenTarget(path, opt)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			for i, typ := range []flows.EventType{flows.EventRequested, flows.EventVerified, flows.EventPasswordSet} {
				ev := fullEvent(typ)
				ev.ID = fmt.Sprintf("audit:{s01}/1700000000000-%d", i+1)
				if err := s.Deliver(ctx, ev); err != nil {
					t.Fatal(err)
				}
			}
			s.Close()
			s, err = OpenTarget(path, opt)
			if err != nil {
				t.Fatal(err)
			}
			again := fullEvent(flows.EventPasswordSet)
			again.ID = "audit:{s01}/1700000000000-3"
			next := fullEvent(flows.EventCompleted)
			next.ID = "audit:{s01}/1700000000000-4"
			if err := s.Deliver(ctx, again); err != nil {
				t.Fatal(err)
			}
			if err := s.Deliver(ctx, next); err != nil {
				t.Fatal(err)
			}
			s.Close()
			lines := readLines(t, path)
			if len(lines) != 4 || !strings.HasPrefix(lines[0], `{"@timestamp":"2026-01-02T03:04:05Z","ecs":{"version":"`) {
				t.Fatalf("log = %q", lines)
			}
			rep := verifyKeyed(t, path, key)
			if !rep.OK() || rep.Records != 4 || rep.LastSeq != 4 {
				t.Fatalf("verify: %+v %v", rep, rep.Broken)
			}
			if key != nil {
				if rep := verifyKeyed(t, path, nil); rep.OK() {
					t.Fatal("a keyed ECS log verified without the key")
				}
			}
			lines[1] = strings.Replace(lines[1], `"outcome":"success"`, `"outcome":"failure"`, 1)
			if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			rep = verifyKeyed(t, path, key)
			if rep.OK() || rep.Broken.Line != 2 || rep.Broken.Problem != ProblemEdited {
				t.Fatalf("edited line 2: %+v %v", rep, rep.Broken)
			}
		})
	}
}

// TestFormatSwitchKeepsOneChain: a file written in the resetbot format
// and continued in ECS after a config change verifies as one chain, and
// so do the two halves as pieces.
func TestFormatSwitchKeepsOneChain(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.jsonl")
	ctx := context.Background()
	for i, f := range []Format{FormatResetbot, FormatResetbot, FormatECS, FormatECS} {
		s, err := OpenTarget(path, Options{Format: f})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Deliver(ctx, event(fmt.Sprintf("a/1-%d", i+1))); err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	lines := readLines(t, path)
	if !strings.HasPrefix(lines[1], `{"seq":2,`) || !strings.HasPrefix(lines[2], `{"@timestamp"`) {
		t.Fatalf("log = %q", lines)
	}
	if rep := verifyFile(t, path); !rep.OK() || rep.Records != 4 {
		t.Fatalf("verify: %+v %v", rep, rep.Broken)
	}
	a := strings.Join(lines[:2], "\n") + "\n"
	b := strings.Join(lines[2:], "\n") + "\n"
	rep, err := VerifyPieces([]Piece{{"b", strings.NewReader(b)}, {"a", strings.NewReader(a)}}, VerifyOptions{})
	if err != nil || !rep.OK() || rep.Records != 4 {
		t.Fatalf("pieces: %+v %v %v", rep, rep.Broken, err)
	}
}

// TestECSLineWithoutChainFieldsIsMalformed: an ECS document that lacks
// event.sequence or resetbot.prev is not a record.
func TestECSLineWithoutChainFieldsIsMalformed(t *testing.T) {
	for _, line := range []string{
		`{"@timestamp":"2026-01-02T03:04:05Z","event":{"action":"x"},"resetbot":{"prev":"` + GenesisHash + `"}}`,
		`{"@timestamp":"2026-01-02T03:04:05Z","event":{"sequence":1}}`,
		`{"@timestamp":"2026-01-02T03:04:05Z","event":"x","resetbot":{"prev":"` + GenesisHash + `"}}`,
	} {
		rep, err := Verify(strings.NewReader(line + "\n"))
		if err != nil || rep.OK() || rep.Broken.Problem != ProblemMalformed {
			t.Errorf("%s: %+v %v", line, rep, err)
		}
	}
}

// TestParseFormat: the two names, empty as the default, anything else an error.
func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"": FormatResetbot, "resetbot": FormatResetbot, "ecs": FormatECS} {
		if got, err := ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseFormat("ECS8"); err == nil {
		t.Error("ParseFormat(ECS8) did not fail")
	}
}

func verifyKeyed(t *testing.T, path string, key []byte) Report {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := VerifyWith(f, VerifyOptions{Key: key})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}
