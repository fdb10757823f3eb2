package auditlog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/resetbot/resetbot/flows"
)

// The stream reader drives the sink through flows.Sink.
var _ flows.Sink = (*Sink)(nil)

// ErrClosed is returned by Deliver after Close.
var ErrClosed = errors.New("auditlog: sink is closed")

// ErrBrokenLog means the existing file does not verify. The sink refuses to
// extend a tampered chain: an operator moves the file aside (keeping it as
// evidence) and a new chain starts.
var ErrBrokenLog = errors.New("auditlog: existing log does not verify")

// Sink appends audit events to a hash-chained JSON-lines file. It is safe for
// concurrent use; records are written and fsynced one at a time, so a
// successful Deliver means the record is on disk.
type Sink struct {
	mu   sync.Mutex
	f    *os.File
	path string
	// size is the length of the file's intact content; a failed write is
	// truncated back to it so the chain never holds a torn line.
	size     int64
	seq      uint64
	prevHash string
	// last is the newest entry id delivered per stream, for deduplication.
	last map[string]entryID
	// broken is set when a failed write could not be undone; every later
	// Deliver fails rather than appending after a torn line.
	broken error
	closed bool
}

// Name identifies this sink in logs and metrics of the stream reader.
func (s *Sink) Name() string { return "auditlog" }

// Open opens (creating with mode 0600) the log at path and recovers the chain
// head and the deduplication state from its records, so a restart continues
// the same chain and does not re-append redelivered events.
//
// A final line without a newline is an interrupted write whose event was
// never acknowledged (it will be redelivered), so Open cuts it off. Any other
// verification failure is ErrBrokenLog: the sink will not extend it. An
// existing file keeps its mode; only a new file is created 0600.
func Open(path string) (*Sink, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("auditlog: open: %w", err)
	}
	s := &Sink{f: f, path: path, prevHash: GenesisHash, last: map[string]entryID{}}
	if err := s.recover(); err != nil {
		f.Close()
		return nil, err
	}
	return s, nil
}

// recover replays the existing file into the sink's state.
func (s *Sink) recover() error {
	if _, err := s.f.Seek(0, 0); err != nil {
		return fmt.Errorf("auditlog: recover %s: %w", s.path, err)
	}
	w := walker{onRecord: func(a accepted) {
		s.seq, s.prevHash, s.size = a.seq, a.hash, a.end
		if stream, id, err := parseEventID(a.id); err == nil {
			if cur, ok := s.last[stream]; !ok || id.after(cur) {
				s.last[stream] = id
			}
		}
	}}
	b, err := w.run(s.f)
	if err != nil {
		return fmt.Errorf("auditlog: recover %s: %w", s.path, err)
	}
	switch {
	case b == nil:
		return nil
	case b.Problem == ProblemIncomplete:
		if err := s.f.Truncate(s.size); err != nil {
			return fmt.Errorf("auditlog: cut interrupted write from %s: %w", s.path, err)
		}
		if err := s.f.Sync(); err != nil {
			return fmt.Errorf("auditlog: cut interrupted write from %s: %w", s.path, err)
		}
		return nil
	default:
		return fmt.Errorf("%w: %s: %s", ErrBrokenLog, s.path, b)
	}
}

// Deliver appends ev unless an event with the same or a newer entry id of the
// same stream was already written (the stream reader delivers at least
// once). This high-water mark assumes each stream reaches this sink in entry
// order, which holds for one consumer reading its backlog before new
// entries; an older entry arriving after a newer one (claimed from another
// consumer, say) would be skipped as a duplicate. ev.ID must be "<stream>/<ms>-<seq>"; otherwise the event cannot be
// deduplicated and ErrBadEventID is returned.
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
	if cur, ok := s.last[stream]; ok && !id.after(cur) {
		return nil
	}
	rec := Record{Seq: s.seq + 1, Prev: s.prevHash, Event: ev}
	line, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("auditlog: encode event %s: %w", ev.ID, err)
	}
	if err := s.append(append(line, '\n')); err != nil {
		return err
	}
	s.seq, s.prevHash = rec.Seq, LineHash(line)
	s.size += int64(len(line) + 1)
	s.last[stream] = id
	return nil
}

// append writes one line and fsyncs it; on failure it truncates the file
// back to its intact size so the next attempt extends a valid chain.
func (s *Sink) append(b []byte) error {
	_, err := s.f.Write(b)
	if err == nil {
		err = s.f.Sync()
	}
	if err == nil {
		return nil
	}
	err = fmt.Errorf("auditlog: write %s: %w", s.path, err)
	if terr := s.f.Truncate(s.size); terr != nil {
		s.broken = fmt.Errorf("auditlog: %s may end in a torn record, reopen to repair: %w", s.path, errors.Join(err, terr))
		return s.broken
	}
	return err
}

// Close closes the file. Deliver fails afterwards.
func (s *Sink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if err := s.f.Close(); err != nil {
		return fmt.Errorf("auditlog: close %s: %w", s.path, err)
	}
	return nil
}
