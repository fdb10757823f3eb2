package auditlog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/resetbot/resetbot/flows"
)

// The stream reader drives the sink through flows.Sink and asks its Gate
// whether this replica writes.
var (
	_ flows.Sink = (*Sink)(nil)
	_ flows.Gate = (*Sink)(nil)
)

// ErrClosed is returned by Deliver after Close.
var ErrClosed = errors.New("auditlog: sink is closed")

// ErrBrokenLog means the existing file does not verify. The sink refuses to
// extend a tampered chain: an operator moves the file aside (keeping it as
// evidence) and a new chain starts.
var ErrBrokenLog = errors.New("auditlog: existing log does not verify")

// Options configure a Sink beyond its target.
type Options struct {
	// Key makes the chain keyed: each prev is an HMAC-SHA256 under Key, so
	// someone who can write the file cannot rewrite it undetected without
	// also holding the key. Verify needs the same key.
	Key []byte
	// Chain shares the writer lease and chain head between replicas; nil
	// means this process is the only writer.
	Chain Chain
	// Owner names this process in the lease (flows.ConsumerName).
	Owner string
	// Log receives lease changes and the periodic chain head.
	Log *slog.Logger
	// Format lays out each record (default FormatResetbot). A file may
	// hold both formats: the chain does not depend on it.
	Format Format
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Sink appends audit events to a hash-chained JSON-lines log. It is safe for
// concurrent use; records are written and fsynced one at a time, so a
// successful Deliver means the record is on disk (for a file).
type Sink struct {
	mu     sync.Mutex
	out    output
	target string
	// seekable is set for a regular file: it can be replayed on start
	// and cut back after a failed write.
	seekable bool
	opt      Options
	hash     func([]byte) string
	// size is the length of the file's intact content; a failed write is
	// truncated back to it so the chain never holds a torn line.
	size int64
	head Head
	// last is the newest entry id written per stream, for deduplication
	// without a Chain.
	last map[string]entryID
	// broken is set when a failed write could not be undone; every later
	// Deliver fails rather than appending after a torn line.
	broken error
	closed bool
	// writer and until: this process holds the lease until then.
	writer bool
	until  time.Time
}

// Name identifies this sink's consumer group.
func (s *Sink) Name() string { return "auditlog" }

// Open opens the log at path with default options; see OpenTarget.
func Open(path string) (*Sink, error) { return OpenTarget(path, Options{}) }

// OpenTarget opens the log: a file path (created with mode 0600),
// TargetStdout, or a syslog target. For a regular file it recovers the
// chain head and the deduplication state from its records, so a restart
// continues the same chain and does not re-append redelivered events.
// Standard output, a pipe or syslog cannot be read back: the chain head
// then comes from opt.Chain (or starts anew).
//
// A final line without a newline is an interrupted write whose event was
// never acknowledged (it will be redelivered), so Open cuts it off. Any other
// verification failure is ErrBrokenLog: the sink will not extend it. An
// existing file keeps its mode; only a new file is created 0600.
func OpenTarget(target string, opt Options) (*Sink, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	s := &Sink{target: target, opt: opt, hash: hasher(opt.Key), head: Head{Hash: GenesisHash}, last: map[string]entryID{}}
	if err := s.open(); err != nil {
		return nil, err
	}
	if s.seekable {
		if err := s.recover(); err != nil {
			s.out.Close()
			return nil, err
		}
	}
	return s, nil
}

// open opens the target for appending.
func (s *Sink) open() error {
	switch {
	case s.target == TargetStdout:
		s.out = stdout{}
		return nil
	case s.target == TargetSyslog || strings.HasPrefix(s.target, "syslog+"):
		w, err := dialSyslog(s.target)
		if err != nil {
			return err
		}
		s.out = w
		return nil
	}
	f, err := os.OpenFile(s.target, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		if f, err = os.OpenFile(s.target, os.O_WRONLY|os.O_APPEND, 0); err != nil { // a FIFO or device
			return fmt.Errorf("auditlog: open: %w", err)
		}
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("auditlog: open: %w", err)
	}
	s.seekable = info.Mode().IsRegular()
	s.out = f
	if !s.seekable {
		s.out = pipe{f} // a FIFO or device: nothing to sync
	}
	return nil
}

// Reopen closes and reopens the target, for log rotation (SIGHUP): after
// the old file was renamed, records go to a new file at the same path,
// which continues the chain where the rotated one ended (verify the two
// together, or the new one with the old one's last seq and hash).
func (s *Sink) Reopen() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	old := s.out
	if err := s.open(); err != nil {
		s.out = old
		return err
	}
	old.Close()
	s.size = 0
	if f, ok := s.out.(*os.File); ok && s.seekable {
		if info, err := f.Stat(); err == nil {
			s.size = info.Size()
		}
	}
	return nil
}

// recover replays the existing file into the sink's state.
func (s *Sink) recover() error {
	f := s.out.(*os.File)
	if _, err := f.Seek(0, 0); err != nil {
		return fmt.Errorf("auditlog: recover %s: %w", s.target, err)
	}
	// With a Chain, each replica may write its own file: the others'
	// records are gaps in it (segments), checked by audit verify.
	w := walker{hash: s.hash, segments: s.opt.Chain != nil, onRecord: func(a accepted) {
		s.head, s.size = Head{Seq: a.seq, Hash: a.hash, Event: a.id}, a.end
		if stream, id, err := parseEventID(a.id); err == nil {
			if cur, ok := s.last[stream]; !ok || id.after(cur) {
				s.last[stream] = id
			}
		}
	}}
	b, err := w.run(f)
	if err != nil {
		return fmt.Errorf("auditlog: recover %s: %w", s.target, err)
	}
	switch {
	case b == nil:
		return nil
	case b.Problem == ProblemIncomplete:
		if err := f.Truncate(s.size); err != nil {
			return fmt.Errorf("auditlog: cut interrupted write from %s: %w", s.target, err)
		}
		if err := f.Sync(); err != nil {
			return fmt.Errorf("auditlog: cut interrupted write from %s: %w", s.target, err)
		}
		return nil
	default:
		return fmt.Errorf("%w: %s: %s", ErrBrokenLog, s.target, b)
	}
}

// leaseMargin is how long before the lease ends the writer stops writing,
// so that a successor never writes while this process still does.
const leaseMargin = 2 * time.Second

// Open implements flows.Gate: without a Chain this process always writes;
// with one, only while it holds the writer lease. Gaining the lease, it
// continues from the shared head (or from its own file, when that holds
// a record written just before the previous lease ended).
func (s *Sink) Open(ctx context.Context) (bool, error) {
	if s.opt.Chain == nil {
		return true, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	held, until, head, err := s.opt.Chain.Acquire(ctx, s.opt.Owner)
	if err != nil || !held {
		if s.writer {
			s.opt.Log.Info("audit log writer lease lost; another replica writes", "owner", s.opt.Owner)
		}
		s.writer = false
		return false, err
	}
	if !s.writer {
		if err := s.takeOver(ctx, head); err != nil {
			return false, err
		}
		s.opt.Log.Info("audit log writer lease taken", "owner", s.opt.Owner, "seq", s.head.Seq)
	}
	s.writer, s.until = true, until
	return true, nil
}

// takeOver settles the head this writer continues from.
func (s *Sink) takeOver(ctx context.Context, shared Head) error {
	local := s.head
	if s.seekable {
		// The file may be shared with the previous writer: read it again.
		s.head, s.last = Head{Hash: GenesisHash}, map[string]entryID{}
		if err := s.recover(); err != nil {
			return err
		}
		local = s.head
	}
	if shared.Hash == "" {
		shared.Hash = GenesisHash
	}
	if local.Seq > shared.Seq {
		// A record was written and never committed (the writer died in
		// between), or Redis lost the head: the file is the truth.
		if err := s.opt.Chain.Commit(ctx, s.opt.Owner, shared, local); err != nil {
			return err
		}
		s.head = local
		return nil
	}
	s.head = shared
	return nil
}

// Deliver appends ev unless it was already written. Without a Chain, an
// event with the same or an older entry id of the same stream counts as
// written (one process reads each stream in order); with one, the shared
// marks say. ev.ID must be "<stream>/<ms>-<seq>"; otherwise the event cannot
// be deduplicated and ErrBadEventID is returned.
func (s *Sink) Deliver(ctx context.Context, ev flows.Event) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("auditlog: deliver: %w", err)
	}
	stream, id, err := parseEventID(ev.ID)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return ErrClosed
	case s.broken != nil:
		return s.broken
	}
	ch := s.opt.Chain
	if ch == nil {
		if cur, ok := s.last[stream]; ok && !id.after(cur) {
			return nil
		}
	} else {
		if !s.writer || !s.opt.Now().Before(s.until.Add(-leaseMargin)) {
			return errNotWriter
		}
		if s.head.Event == ev.ID {
			return nil
		}
		if done, err := ch.Written(ctx, ev.ID); err != nil || done {
			return err
		}
	}
	rec := Record{Seq: s.head.Seq + 1, Prev: s.head.Hash, Event: ev}
	line, err := encode(s.opt.Format, rec)
	if err != nil {
		return fmt.Errorf("auditlog: encode event %s: %w", ev.ID, err)
	}
	if err := s.append(append(line, '\n')); err != nil {
		return err
	}
	next := Head{Seq: rec.Seq, Hash: s.hash(line), Event: ev.ID}
	if ch != nil {
		if err := ch.Commit(ctx, s.opt.Owner, s.head, next); err != nil {
			s.writer = false
			return err
		}
	}
	s.head = next
	s.size += int64(len(line) + 1)
	s.last[stream] = id
	if ch != nil {
		return ch.MarkWritten(ctx, ev.ID)
	}
	return nil
}

// Head returns the chain's last record, to publish as an anchor.
func (s *Sink) Head() Head {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.head
}

// append writes one line and syncs it; on failure it truncates a file
// back to its intact size so the next attempt extends a valid chain.
func (s *Sink) append(b []byte) error {
	_, err := s.out.Write(b)
	if err == nil {
		err = s.out.Sync()
	}
	if err == nil {
		return nil
	}
	err = fmt.Errorf("auditlog: write %s: %w", s.target, err)
	f, ok := s.out.(*os.File)
	if !ok || !s.seekable {
		return err
	}
	if terr := f.Truncate(s.size); terr != nil {
		s.broken = fmt.Errorf("auditlog: %s may end in a torn record, reopen to repair: %w", s.target, errors.Join(err, terr))
		return s.broken
	}
	return err
}

// Close closes the output. Deliver fails afterwards.
func (s *Sink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if err := s.out.Close(); err != nil {
		return fmt.Errorf("auditlog: close %s: %w", s.target, err)
	}
	return nil
}
