package auditlog

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrBadEventID means an event's ID is not "<stream>/<ms>-<seq>". Without a
// well-formed id the sink cannot deduplicate redeliveries, so it refuses the
// event instead of risking a duplicate record.
var ErrBadEventID = errors.New("auditlog: event id is not <stream>/<ms>-<seq>")

// entryID is a Redis stream entry id: milliseconds and a sequence number.
// Ids increase within one stream, which is what deduplication relies on.
type entryID struct {
	ms, seq uint64
}

// after reports whether e is strictly newer than o.
func (e entryID) after(o entryID) bool {
	if e.ms != o.ms {
		return e.ms > o.ms
	}
	return e.seq > o.seq
}

func (e entryID) String() string { return fmt.Sprintf("%d-%d", e.ms, e.seq) }

// parseEventID splits "<stream>/<ms>-<seq>" at the last slash. The stream
// name may contain anything but must not be empty.
func parseEventID(id string) (stream string, e entryID, err error) {
	i := strings.LastIndexByte(id, '/')
	if i <= 0 {
		return "", entryID{}, fmt.Errorf("%w: %q", ErrBadEventID, id)
	}
	stream = id[:i]
	msPart, seqPart, ok := strings.Cut(id[i+1:], "-")
	if !ok {
		return "", entryID{}, fmt.Errorf("%w: %q", ErrBadEventID, id)
	}
	ms, err1 := strconv.ParseUint(msPart, 10, 64)
	seq, err2 := strconv.ParseUint(seqPart, 10, 64)
	if err1 != nil || err2 != nil {
		return "", entryID{}, fmt.Errorf("%w: %q", ErrBadEventID, id)
	}
	return stream, entryID{ms: ms, seq: seq}, nil
}
