package auditlog

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
)

// Piece is one file of a chain that was written in several: one per
// replica that held the writer lease in turn, or the files log rotation
// made.
type Piece struct {
	// Name says where the piece came from, for the report.
	Name string
	R    io.Reader
}

// VerifyPieces checks that pieces together form one intact chain: their
// records are put in seq order, a record repeated byte for byte (written
// by a replica that lost the lease before it could record the write, then
// written again by its successor) counts once, and the result must verify
// like one file. Broken.Detail names the piece and line of the problem.
//
// A replica that stalled past its lease between writing a record and
// committing it leaves that record in its file while its successor writes
// another event at the same seq. Such an uncommitted record is set aside
// (and listed in Report.Uncommitted), not counted as a break, only if the
// chain continues from the other record (the next seq's prev is its hash),
// it links to the same predecessor as the other (so it was written by the
// key's holder as a continuation of this very chain), and its event is in
// the chain elsewhere (it was delivered again, so nothing is lost). Anything
// else at one seq is still a break.
func VerifyPieces(pieces []Piece, opt VerifyOptions) (Report, error) {
	type line struct {
		seq   uint64
		data  []byte
		piece string
		no    int
	}
	var all []line
	for _, p := range pieces {
		br := bufio.NewReader(p.R)
		for no := 1; ; no++ {
			raw, err := br.ReadBytes('\n')
			if len(raw) > 0 && raw[len(raw)-1] != '\n' {
				return Report{Broken: &Broken{Line: no, Problem: ProblemIncomplete,
					Detail: fmt.Sprintf("%s:%d: the last line has no newline: an interrupted write", p.Name, no)}}, nil
			}
			if len(raw) > 0 {
				data := raw[:len(raw)-1]
				seq, _, _, perr := readChain(data)
				if perr != nil {
					return Report{Broken: &Broken{Line: no, Problem: ProblemMalformed,
						Detail: fmt.Sprintf("%s:%d: not a record with a seq", p.Name, no)}}, nil
				}
				all = append(all, line{seq: seq, data: data, piece: p.Name, no: no})
			}
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return Report{}, fmt.Errorf("auditlog: read %s line %d: %w", p.Name, no, err)
			}
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].seq < all[j].seq })
	var distinct []line
	for i, l := range all {
		if i > 0 && l.seq == all[i-1].seq && bytes.Equal(l.data, all[i-1].data) {
			continue
		}
		distinct = append(distinct, l)
	}
	kept, orphans := setAsideUncommitted(distinct, hasher(opt.Key),
		func(l line) []byte { return l.data }, func(l line) uint64 { return l.seq })
	var merged bytes.Buffer
	for _, l := range kept {
		merged.Write(l.data)
		merged.WriteByte('\n')
	}
	rep, err := VerifyWith(&merged, opt)
	if err != nil || rep.Broken == nil {
		for _, o := range orphans {
			rep.Uncommitted = append(rep.Uncommitted, fmt.Sprintf("%s:%d (seq %d)", o.piece, o.no, o.seq))
		}
		return rep, err
	}
	if i := rep.Broken.Line - 1; i >= 0 && i < len(kept) {
		rep.Broken.Detail = fmt.Sprintf("%s:%d: %s", kept[i].piece, kept[i].no, rep.Broken.Detail)
	}
	return rep, nil
}

// setAsideUncommitted splits records sorted by seq (identical repeats
// already merged) into the chain and the uncommitted records of stalled
// writers, by the rules of VerifyPieces. A seq whose records do not meet
// them keeps all of them, for the verifier to report.
func setAsideUncommitted[L any](lines []L, hash func([]byte) string, data func(L) []byte, seqOf func(L) uint64) (kept, orphans []L) {
	type parsed struct {
		prev, id, hash string
	}
	info := make([]parsed, len(lines))
	for i, l := range lines {
		_, prev, event, _ := readChain(data(l))
		var ev struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(event, &ev)
		info[i] = parsed{prev: prev, id: ev.ID, hash: hash(data(l))}
	}
	drop := make([]bool, len(lines))
	for i := 0; i < len(lines); {
		j := i + 1
		for j < len(lines) && seqOf(lines[j]) == seqOf(lines[i]) {
			j++
		}
		// lines[i:j] share a seq; lines[j] (if any) is the next one.
		if j-i > 1 && j < len(lines) && seqOf(lines[j]) == seqOf(lines[i])+1 {
			winner := -1
			for k := i; k < j; k++ {
				if info[k].hash == info[j].prev {
					winner = k
				}
			}
			if winner >= 0 {
				for k := i; k < j; k++ {
					if k != winner && info[k].prev == info[winner].prev && info[k].id != "" {
						drop[k] = true
					}
				}
			}
		}
		i = j
	}
	// An orphan's event must be in the chain (delivered again), else it
	// stays and breaks the verification.
	inChain := map[string]bool{}
	for i := range lines {
		if !drop[i] {
			inChain[info[i].id] = true
		}
	}
	for i, l := range lines {
		if drop[i] && inChain[info[i].id] {
			orphans = append(orphans, l)
			continue
		}
		kept = append(kept, l)
	}
	return kept, orphans
}
