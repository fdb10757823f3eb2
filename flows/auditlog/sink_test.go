package auditlog

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/resetbot/resetbot/flows"
)

// event builds a distinct audit event with the given stream entry id.
func event(id string) flows.Event {
	return flows.Event{
		ID:      id,
		Time:    time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Type:    flows.EventRequested,
		FlowID:  "flow-" + id,
		Kind:    flows.KindReset,
		Account: "alice",
		Actor:   "slack:U123",
		Outcome: "ok",
	}
}

// writeLog delivers n events of one stream to a new log and returns its path.
func writeLog(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		if err := s.Deliver(context.Background(), event(fmt.Sprintf("audit:{s07}/1700000000000-%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

func verifyFile(t *testing.T, path string) Report {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := Verify(f)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestSinkWritesChainedRecords(t *testing.T) {
	path := writeLog(t, 3)
	lines := readLines(t, path)
	if len(lines) != 3 {
		t.Fatalf("got %d lines, want 3", len(lines))
	}
	wantPrefix := []string{
		`{"seq":1,"prev":"` + GenesisHash + `","event":{"id":"audit:{s07}/1700000000000-1",`,
		`{"seq":2,"prev":"` + LineHash([]byte(lines[0])) + `","event":{`,
		`{"seq":3,"prev":"` + LineHash([]byte(lines[1])) + `","event":{`,
	}
	for i, want := range wantPrefix {
		if !strings.HasPrefix(lines[i], want) {
			t.Errorf("line %d = %s\nwant prefix %s", i+1, lines[i], want)
		}
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("file mode = %o, want 600", perm)
	}
}

func TestDeliverDeduplicates(t *testing.T) {
	tests := []struct {
		name  string
		ids   []string
		wantN int
	}{
		{"same id twice", []string{"a/1-0", "a/1-0"}, 1},
		{"older id after newer", []string{"a/2-0", "a/1-5"}, 1},
		{"same ms higher seq is newer", []string{"a/2-0", "a/2-1"}, 2},
		{"streams are independent", []string{"a/5-0", "b/1-0", "b/1-0"}, 2},
		{"stream name with slash", []string{"x/y/3-0", "x/y/3-0", "x/y/4-0"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "audit.jsonl")
			s, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			for _, id := range tt.ids {
				if err := s.Deliver(context.Background(), event(id)); err != nil {
					t.Fatalf("Deliver(%s): %v", id, err)
				}
			}
			if got := len(readLines(t, path)); got != tt.wantN {
				t.Errorf("records = %d, want %d", got, tt.wantN)
			}
			if rep := verifyFile(t, path); !rep.OK() {
				t.Errorf("log does not verify: %s", rep.Broken)
			}
		})
	}
}

func TestDeliverRejectsBadIDs(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, id := range []string{"", "1700000000000-1", "/1-1", "a/1", "a/x-1", "a/1-", "a/-1-1"} {
		t.Run(fmt.Sprintf("id %q", id), func(t *testing.T) {
			if err := s.Deliver(context.Background(), event(id)); !errors.Is(err, ErrBadEventID) {
				t.Errorf("Deliver = %v, want ErrBadEventID", err)
			}
		})
	}
}

func TestReopenContinuesChainAndDedup(t *testing.T) {
	path := writeLog(t, 2)
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// A redelivery of an event written before the restart is skipped ...
	if err := s.Deliver(ctx, event("audit:{s07}/1700000000000-2")); err != nil {
		t.Fatal(err)
	}
	// ... and a new one extends the same chain.
	if err := s.Deliver(ctx, event("audit:{s07}/1700000000000-3")); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	lines := readLines(t, path)
	if len(lines) != 3 {
		t.Fatalf("got %d lines, want 3:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	if want := `{"seq":3,"prev":"` + LineHash([]byte(lines[1])) + `"`; !strings.HasPrefix(lines[2], want) {
		t.Errorf("line 3 = %s, want prefix %s", lines[2], want)
	}
	rep := verifyFile(t, path)
	if !rep.OK() || rep.Records != 3 || rep.LastSeq != 3 || rep.LastHash != LineHash([]byte(lines[2])) {
		t.Errorf("report = %+v", rep)
	}
}

func TestOpenCutsInterruptedWrite(t *testing.T) {
	path := writeLog(t, 2)
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(`{"seq":3,"prev":"`); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if rep := verifyFile(t, path); rep.OK() || rep.Broken.Problem != ProblemIncomplete || rep.Broken.Line != 3 {
		t.Fatalf("before reopen: %+v", rep)
	}
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Deliver(context.Background(), event("audit:{s07}/1700000000000-3")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if rep := verifyFile(t, path); !rep.OK() || rep.Records != 3 {
		t.Errorf("after reopen: %+v %v", rep, rep.Broken)
	}
}

func TestOpenRefusesBrokenLog(t *testing.T) {
	path := writeLog(t, 3)
	lines := readLines(t, path)
	if err := os.WriteFile(path, []byte(lines[0]+"\n"+lines[2]+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path); !errors.Is(err, ErrBrokenLog) {
		t.Errorf("Open = %v, want ErrBrokenLog", err)
	}
}

func TestDeliverConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Every goroutine delivers the same 20 events: at-least-once
			// delivery from several readers must still write each once.
			for i := 1; i <= 20; i++ {
				if err := s.Deliver(context.Background(), event(fmt.Sprintf("s/%d-0", i))); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	s.Close()
	rep := verifyFile(t, path)
	if !rep.OK() {
		t.Fatalf("broken: %s", rep.Broken)
	}
	// Each goroutine delivers ids in order, so the first delivery of any id
	// always finds only older ids written: every id lands exactly once.
	if rep.Records != 20 {
		t.Errorf("records = %d, want 20", rep.Records)
	}
}

func TestDeliverAfterClose(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := s.Deliver(context.Background(), event("s/1-0")); !errors.Is(err, ErrClosed) {
		t.Errorf("Deliver = %v, want ErrClosed", err)
	}
	if s.Name() != "auditlog" {
		t.Errorf("Name = %q", s.Name())
	}
}

func TestDeliverHonoursContext(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Deliver(ctx, event("s/1-0")); !errors.Is(err, context.Canceled) {
		t.Errorf("Deliver = %v, want context.Canceled", err)
	}
	if b, _ := os.ReadFile(path); len(b) != 0 {
		t.Errorf("file not empty: %s", b)
	}
}
