package auditlog

import (
	"bufio"
	"context"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

// TestReopenContinuesTheChainInTheNewFile: log rotation renames the file
// and sends SIGHUP; the reopened sink writes a new file that continues the
// chain, verifiable together with the old one or after its last record.
func TestReopenContinuesTheChainInTheNewFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.jsonl")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	for _, id := range []string{"a/1-1", "a/1-2"} {
		if err := s.Deliver(ctx, event(id)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Reopen(); err != nil {
		t.Fatal(err)
	}
	if err := s.Deliver(ctx, event("a/1-3")); err != nil {
		t.Fatal(err)
	}
	if got := readLines(t, path); len(got) != 1 || !strings.HasPrefix(got[0], `{"seq":3,`) {
		t.Fatalf("new file = %q, want record 3 alone", got)
	}
	old, _ := os.Open(path + ".1")
	defer old.Close()
	cur, _ := os.Open(path)
	defer cur.Close()
	rep, err := VerifyPieces([]Piece{{"old", old}, {"new", cur}}, VerifyOptions{})
	if err != nil || !rep.OK() || rep.Records != 3 {
		t.Fatalf("old+new: %+v %v", rep, err)
	}
	oldLines := readLines(t, path+".1")
	cur.Seek(0, 0)
	rep, err = VerifyWith(cur, VerifyOptions{After: &Anchor{Seq: 2, Hash: LineHash([]byte(oldLines[1]))}})
	if err != nil || !rep.OK() || rep.LastSeq != 3 {
		t.Fatalf("new after anchor: %+v %v", rep, err)
	}
}

// TestNonSeekableTargetOpens: a pipe (a FIFO a log shipper reads) cannot be
// read back or truncated; opening it must not fail, and records flow.
func TestNonSeekableTargetOpens(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "audit.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			close(lines)
			return
		}
		defer f.Close()
		l, _ := bufio.NewReader(f).ReadString('\n')
		lines <- l
	}()
	s, err := Open(fifo)
	if err != nil {
		t.Fatalf("open a FIFO: %v", err)
	}
	defer s.Close()
	if err := s.Deliver(context.Background(), event("a/1-1")); err != nil {
		t.Fatal(err)
	}
	if l := <-lines; !strings.HasPrefix(l, `{"seq":1,"prev":"`+GenesisHash) {
		t.Fatalf("read %q from the FIFO", l)
	}
}

// TestSyslogRFC5424: each record is one RFC 5424 message whose MSG is the
// record line, so the collector's copy verifies like the file.
func TestSyslogRFC5424(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	s, err := OpenTarget("syslog+udp://"+pc.LocalAddr().String(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Deliver(context.Background(), event("a/1-1")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64<<10)
	n, _, err := pc.ReadFrom(buf)
	if err != nil {
		t.Fatal(err)
	}
	msg := string(buf[:n])
	re := regexp.MustCompile(`^<133>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z \S+ resetbot \d+ audit - (\{.*\})$`)
	m := re.FindStringSubmatch(msg)
	if m == nil {
		t.Fatalf("not an RFC 5424 message: %q", msg)
	}
	if rep, err := Verify(strings.NewReader(m[2] + "\n")); err != nil || !rep.OK() || rep.Records != 1 {
		t.Fatalf("record from syslog does not verify: %+v %v", rep, err)
	}
}

// TestKeyedChain: a keyed chain verifies with its key only, and a rewrite
// with recomputed plain hashes does not pass as keyed.
func TestKeyedChain(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	key := []byte("0123456789abcdef-key")
	s, err := OpenTarget(path, Options{Key: key})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"a/1-1", "a/1-2", "a/1-3"} {
		if err := s.Deliver(context.Background(), event(id)); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	data, _ := os.ReadFile(path)
	for _, tc := range []struct {
		name string
		key  []byte
		ok   bool
	}{
		{"right key", key, true},
		{"no key", nil, false},
		{"wrong key", []byte("another key, 16+"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := VerifyWith(strings.NewReader(string(data)), VerifyOptions{Key: tc.key})
			if err != nil || rep.OK() != tc.ok {
				t.Fatalf("verify = %+v %v, want ok %v", rep, err, tc.ok)
			}
		})
	}
	// Reopening with the key continues the chain.
	s, err = OpenTarget(path, Options{Key: key})
	if err != nil {
		t.Fatalf("reopen keyed log: %v", err)
	}
	s.Close()
	if _, err := Open(path); err == nil {
		t.Fatal("a keyed log opened as a plain one")
	}
}
