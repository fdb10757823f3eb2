package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/resetbot/resetbot/flows/auditlog"
)

// runAuditVerify checks an audit log's hash chain and prints either the
// anchor (record count, last seq and hash) for the operator to store
// elsewhere, or the first broken record. Several files (one per replica
// that wrote in turn, or a rotated file and its successor) are checked as
// one chain.
func runAuditVerify(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	keyFile := fs.String("key-file", "", "file holding audit.chain_key, for a keyed chain")
	after := fs.String("after", "", "SEQ:HASH of the record the log continues from (an anchor stored earlier, or a rotated file's last record)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() < 1 {
		return usageError{"audit verify: want FILE [FILE...]"}
	}
	var opt auditlog.VerifyOptions
	if *keyFile != "" {
		k, err := os.ReadFile(*keyFile)
		if err != nil {
			return fmt.Errorf("audit verify: key: %w", err)
		}
		opt.Key = []byte(strings.TrimRight(string(k), "\r\n"))
	}
	if *after != "" {
		seq, hash, ok := strings.Cut(*after, ":")
		n, err := strconv.ParseUint(seq, 10, 64)
		if !ok || err != nil || len(hash) != 64 {
			return usageError{"audit verify: -after wants SEQ:HASH"}
		}
		opt.After = &auditlog.Anchor{Seq: n, Hash: hash}
	}
	var pieces []auditlog.Piece
	for _, path := range fs.Args() {
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("audit verify: %w", err)
		}
		defer f.Close()
		pieces = append(pieces, auditlog.Piece{Name: path, R: f})
	}
	name := strings.Join(fs.Args(), " + ")
	var rep auditlog.Report
	var err error
	if len(pieces) == 1 {
		rep, err = auditlog.VerifyWith(pieces[0].R, opt)
	} else {
		rep, err = auditlog.VerifyPieces(pieces, opt)
	}
	if err != nil {
		return fmt.Errorf("audit verify: %w", err)
	}
	if !rep.OK() {
		fmt.Fprintf(stdout, "BROKEN: %s: %s\n", name, rep.Broken)
		fmt.Fprintf(stdout, "%d records verified before it\n", rep.Records)
		return errFound
	}
	if rep.Records == 0 {
		fmt.Fprintf(stdout, "OK: %s: empty log\n", name)
		return nil
	}
	fmt.Fprintf(stdout, "OK: %s: %d records, last seq %d, last hash %s\n", name, rep.Records, rep.LastSeq, rep.LastHash)
	for _, u := range rep.Uncommitted {
		fmt.Fprintf(stdout, "note: %s was written by a replica that lost its lease before committing it; its event is in the chain elsewhere\n", u)
	}
	fmt.Fprintln(stdout, "store the last seq and hash elsewhere: the chain alone cannot show records cut from the end")
	return nil
}
