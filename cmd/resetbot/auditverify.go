package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/resetbot/resetbot/flows/auditlog"
)

// runAuditVerify checks an audit log's hash chain and prints either the
// anchor (record count, last seq and hash) for the operator to store
// elsewhere, or the first broken record.
func runAuditVerify(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"audit verify: want exactly one FILE"}
	}
	path := fs.Arg(0)
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("audit verify: %w", err)
	}
	defer f.Close()
	rep, err := auditlog.Verify(f)
	if err != nil {
		return fmt.Errorf("audit verify: %w", err)
	}
	if !rep.OK() {
		fmt.Fprintf(stdout, "BROKEN: %s: %s\n", path, rep.Broken)
		fmt.Fprintf(stdout, "%d records verified before it\n", rep.Records)
		return errFound
	}
	if rep.Records == 0 {
		fmt.Fprintf(stdout, "OK: %s: empty log\n", path)
		return nil
	}
	fmt.Fprintf(stdout, "OK: %s: %d records, last seq %d, last hash %s\n", path, rep.Records, rep.LastSeq, rep.LastHash)
	fmt.Fprintln(stdout, "store the last seq and hash elsewhere: the chain alone cannot show records cut from the end")
	return nil
}
