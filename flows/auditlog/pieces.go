package auditlog

import (
	"bufio"
	"bytes"
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
	var merged bytes.Buffer
	var kept []line
	for i, l := range all {
		if i > 0 && l.seq == all[i-1].seq && bytes.Equal(l.data, all[i-1].data) {
			continue
		}
		kept = append(kept, l)
		merged.Write(l.data)
		merged.WriteByte('\n')
	}
	rep, err := VerifyWith(&merged, opt)
	if err != nil || rep.Broken == nil {
		return rep, err
	}
	if i := rep.Broken.Line - 1; i >= 0 && i < len(kept) {
		rep.Broken.Detail = fmt.Sprintf("%s:%d: %s", kept[i].piece, kept[i].no, rep.Broken.Detail)
	}
	return rep, nil
}
