package auditlog

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Problem names what is wrong with a broken record, so tooling and tests can
// tell an edit from a removal without parsing prose.
type Problem string

// The problems Verify can report.
const (
	// ProblemInvalidJSON: the line is not a JSON value at all (garbage, a
	// half-edited line, an empty line).
	ProblemInvalidJSON Problem = "invalid-json"
	// ProblemMalformed: valid JSON, but not a record (missing seq or prev,
	// prev not a hash, event of the wrong shape).
	ProblemMalformed Problem = "malformed-record"
	// ProblemEdited: the line's hash no longer matches the prev recorded by
	// the next line, so this line (or the next line's prev) was changed.
	ProblemEdited Problem = "edited"
	// ProblemRemoved: seq jumps forward; the records in between are gone.
	ProblemRemoved Problem = "removed"
	// ProblemReordered: seq goes backwards or two records swapped places;
	// a record was moved or duplicated.
	ProblemReordered Problem = "reordered"
	// ProblemIncomplete: the file ends in a line without a newline, the
	// trace of an interrupted write (that record was never acknowledged).
	ProblemIncomplete Problem = "incomplete-line"
)

// Broken describes the first broken record in a log.
type Broken struct {
	// Line is the 1-based line number of the broken record.
	Line int
	// Seq is that record's seq, or 0 when the line could not be read.
	Seq uint64
	// Problem classifies the breakage; Detail says it in words.
	Problem Problem
	Detail  string
}

// String renders the problem for an operator: line, seq, what and why.
func (b *Broken) String() string {
	if b.Seq == 0 {
		return fmt.Sprintf("line %d: %s: %s", b.Line, b.Problem, b.Detail)
	}
	return fmt.Sprintf("line %d (seq %d): %s: %s", b.Line, b.Seq, b.Problem, b.Detail)
}

// Report is the result of Verify. Records, LastSeq and LastHash describe the
// intact prefix of the log; Broken is nil when the whole log verified.
//
// LastHash is the anchor: store it (with LastSeq) outside the audit host. A
// later Verify of the same file must show a record with that seq and hash;
// otherwise the tail was truncated or the chain rewritten, which the chain
// alone cannot detect.
type Report struct {
	Records  int
	LastSeq  uint64
	LastHash string
	Broken   *Broken
	// Uncommitted lists, as "piece:line (seq N)", the records VerifyPieces
	// set aside as written by a replica that lost its lease before it
	// could commit them (their events are in the chain elsewhere).
	Uncommitted []string
}

// OK reports whether the whole log verified.
func (r Report) OK() bool { return r.Broken == nil }

// Verify walks a log and reports the first broken record. The error is only
// for failing to read r; a tampered log is a Report with Broken set.
func Verify(r io.Reader) (Report, error) { return VerifyWith(r, VerifyOptions{}) }

// VerifyOptions say how to check a log that is not a plain, whole chain.
type VerifyOptions struct {
	// Key verifies a keyed chain (HMAC-SHA256 with the sink's Key).
	Key []byte
	// After, when set, is the record the log continues from (a rotated
	// file's predecessor, or an anchor stored earlier): the first record
	// must have seq After.Seq+1 and prev After.Hash.
	After *Anchor
}

// Anchor is one record's position in the chain: its seq and hash.
type Anchor struct {
	Seq  uint64
	Hash string
}

// VerifyWith is Verify with options.
func VerifyWith(r io.Reader, opt VerifyOptions) (Report, error) {
	w := walker{hash: hasher(opt.Key), start: opt.After}
	b, err := w.run(r)
	rep := Report{Records: w.records, LastSeq: w.expect - 1, LastHash: w.prevHash, Broken: b}
	if w.records == 0 {
		rep.LastSeq, rep.LastHash = 0, ""
	}
	return rep, err
}

// accepted is a record the walker found intact, with the event fields the
// Sink needs to rebuild its deduplication state.
type accepted struct {
	seq  uint64
	hash string
	id   string
	// end is the byte offset just after this record's newline.
	end int64
}

// walker checks the chain line by line. It looks one line ahead when seq
// jumps forward, to tell a swapped pair from a removed record.
type walker struct {
	line     int
	expect   uint64 // seq the next record must have; 0 means "not started"
	prevHash string
	prevLine int
	prevSeq  uint64
	records  int
	offset   int64
	// pending is a forward jump seen on the previous line, reported as a
	// removal unless this line turns out to be the missing record.
	pending *Broken
	// onRecord, when set, sees every intact record in order.
	onRecord func(accepted)
	// hash is the chain's line hash (nil: LineHash).
	hash func([]byte) string
	// start, when set, is the record the first line continues from.
	start *Anchor
	// segments: the file is one replica's part of a chain several replicas
	// write (each to its own file, taking turns on the writer lease), so a
	// forward jump in seq is where the others wrote, not a removal. The
	// record after the jump is trusted to link to the records in between;
	// `resetbot audit verify` over every replica's file checks that link.
	segments bool
}

func (w *walker) run(r io.Reader) (*Broken, error) {
	w.expect, w.prevHash = 1, GenesisHash
	if w.start != nil {
		w.expect, w.prevHash = w.start.Seq+1, w.start.Hash
	}
	if w.hash == nil {
		w.hash = LineHash
	}
	br := bufio.NewReader(r)
	for {
		raw, err := br.ReadBytes('\n')
		if len(raw) > 0 && raw[len(raw)-1] == '\n' {
			if b := w.feed(raw[:len(raw)-1], int64(len(raw))); b != nil {
				return b, nil
			}
		} else if len(raw) > 0 {
			if w.pending != nil {
				return w.pending, nil
			}
			return &Broken{Line: w.line + 1, Problem: ProblemIncomplete,
				Detail: "the last line has no newline: an interrupted write"}, nil
		}
		if errors.Is(err, io.EOF) {
			return w.pending, nil
		}
		if err != nil {
			return nil, fmt.Errorf("auditlog: read line %d: %w", w.line+1, err)
		}
	}
}

// feed checks one line (without its newline) and returns the first problem.
func (w *walker) feed(line []byte, size int64) *Broken {
	w.line++
	var seq uint64
	var prev string
	var event json.RawMessage
	var parseProblem *Broken
	switch {
	case !json.Valid(line):
		parseProblem = &Broken{Line: w.line, Problem: ProblemInvalidJSON, Detail: "not a JSON object"}
	default:
		var err error
		if seq, prev, event, err = readChain(line); err != nil {
			parseProblem = &Broken{Line: w.line, Problem: ProblemMalformed, Detail: "not a record: seq, prev and event are required (event.sequence and resetbot.prev in the ECS format)"}
		} else if seq == 0 {
			parseProblem = &Broken{Line: w.line, Problem: ProblemMalformed, Detail: "seq starts at 1"}
		} else if len(event) == 0 || event[0] != '{' {
			parseProblem = &Broken{Line: w.line, Seq: seq, Problem: ProblemMalformed, Detail: "event is not an object"}
		} else if !validHash(prev) {
			parseProblem = &Broken{Line: w.line, Seq: seq, Problem: ProblemMalformed, Detail: "prev is not a lower-case hex SHA-256"}
		}
	}
	if w.pending != nil {
		if parseProblem == nil && seq == w.expect {
			b := w.pending
			b.Problem = ProblemReordered
			b.Detail = fmt.Sprintf("seq %d comes before seq %d: records were swapped", b.Seq, w.expect)
			return b
		}
		return w.pending
	}
	if parseProblem != nil {
		return parseProblem
	}
	if w.segments && seq > w.expect {
		w.expect, w.prevHash = seq, prev
	}
	switch {
	case seq > w.expect:
		missing := fmt.Sprintf("seq %d", w.expect)
		if seq-w.expect > 1 {
			missing = fmt.Sprintf("seq %d to %d", w.expect, seq-1)
		}
		w.pending = &Broken{Line: w.line, Seq: seq, Problem: ProblemRemoved,
			Detail: fmt.Sprintf("expected seq %d: %s removed before this line", w.expect, missing)}
		return nil
	case seq < w.expect:
		return &Broken{Line: w.line, Seq: seq, Problem: ProblemReordered,
			Detail: fmt.Sprintf("expected seq %d: seq goes backwards, a record was moved or duplicated", w.expect)}
	}
	if prev != w.prevHash {
		if w.line == 1 {
			detail := "the first record's prev must be 64 zeros"
			if w.start != nil {
				detail = "the first record's prev is not the hash of the record it continues from"
			}
			return &Broken{Line: 1, Seq: seq, Problem: ProblemEdited, Detail: detail}
		}
		return &Broken{Line: w.prevLine, Seq: w.prevSeq, Problem: ProblemEdited,
			Detail: fmt.Sprintf("its hash does not match the prev recorded by line %d: this line was changed (or line %d's prev was; or the chain is keyed and no key, or the wrong one, was given)", w.line, w.line)}
	}
	hash := w.hash(line)
	w.offset += size
	if w.onRecord != nil {
		var ev struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(event, &ev) // shape only; a non-object event just has no id
		w.onRecord(accepted{seq: seq, hash: hash, id: ev.ID, end: w.offset})
	}
	w.prevHash, w.prevLine, w.prevSeq = hash, w.line, seq
	w.expect++
	w.records++
	return nil
}
