package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/resetbot/resetbot/webauth/blocklist"
)

const blocklistUsage = `usage:
  resetbot blocklist build --in FILE|- --out FILE
      build a breached-password filter from the Pwned Passwords SHA-1 list
      ("SHA1HEX:COUNT" lines; "-" reads standard input)
  resetbot blocklist check [--filter FILE] < candidate
      read one candidate password from standard input and print "found" or
      "not found" (the embedded common-password list is always consulted)
`

// runBlocklist is the "blocklist" command: building the breached-password
// filter is an offline, operator-run step (the corpus is tens of gigabytes),
// and checking a candidate from the shell lets an operator confirm that a
// deployed filter works. The candidate is read from standard input, never
// from the arguments, which any local user can see in ps.
func runBlocklist(ctx context.Context, args []string, stdout io.Writer) error {
	return blocklistCommand(ctx, args, os.Stdin, stdout)
}

// blocklistCommand is runBlocklist with standard input passed in, for tests.
func blocklistCommand(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return usageError{"blocklist: missing sub-command (build or check)"}
	}
	switch args[0] {
	case "build":
		return runBlocklistBuild(ctx, args[1:], stdin, stdout)
	case "check":
		return runBlocklistCheck(args[1:], stdin, stdout)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, blocklistUsage)
		return nil
	default:
		return usageError{fmt.Sprintf("blocklist: unknown sub-command %q", args[0])}
	}
}

// parseBlocklistFlags parses with errors returned rather than printed, so
// the caller reports them once, with the usage text.
func parseBlocklistFlags(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageError{fmt.Sprintf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))}
	}
	return nil
}

func runBlocklistBuild(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("blocklist build", flag.ContinueOnError)
	in := fs.String("in", "", `Pwned Passwords SHA-1 text file, or "-" for standard input`)
	out := fs.String("out", "", "filter file to write")
	if err := parseBlocklistFlags(fs, args); err != nil {
		return err
	}
	if *in == "" || *out == "" {
		return usageError{"blocklist build: --in and --out are required"}
	}

	var src io.Reader = stdin
	if *in != "-" {
		f, err := os.Open(*in)
		if err != nil {
			return fmt.Errorf("blocklist build: %w", err)
		}
		defer f.Close()
		src = f
	}
	// Write next to the target and rename on success, so a failed or
	// interrupted build never leaves a half-written filter where the
	// server will load it.
	tmp, err := os.CreateTemp(filepath.Dir(*out), "."+filepath.Base(*out)+".*")
	if err != nil {
		return fmt.Errorf("blocklist build: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	// CreateTemp makes the file private; the filter holds only hashes of
	// public breach data, and the server usually runs as another user.
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("blocklist build: %w", err)
	}

	start := time.Now()
	w := bufio.NewWriterSize(tmp, 1<<20)
	st, err := blocklist.Build(ctxReader{ctx: ctx, r: src}, w)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), *out)
	}
	elapsed := time.Since(start)

	fmt.Fprintf(stdout, "lines:               %d\n", st.Lines)
	fmt.Fprintf(stdout, "malformed lines:     %d", st.Malformed)
	if st.Malformed > 0 {
		fmt.Fprintf(stdout, " (first at line %d)", st.FirstMalformedLine)
	}
	fmt.Fprintln(stdout)
	if err != nil {
		return fmt.Errorf("blocklist build: %w", err)
	}
	fmt.Fprintf(stdout, "keys:                %d (%d duplicates merged)\n", st.Keys, st.Duplicates)
	fmt.Fprintf(stdout, "file:                %s, %d bytes, %d shard(s)\n", *out, st.Bytes, st.Shards)
	fmt.Fprintf(stdout, "bits per entry:      %.2f\n", st.BitsPerEntry)
	fmt.Fprintf(stdout, "false-positive rate: %.4f%% (measured with %d random absent keys)\n", st.FalsePositiveRate*100, st.FalsePositiveProbes)
	fmt.Fprintf(stdout, "elapsed:             %s\n", elapsed.Round(time.Millisecond))
	return nil
}

// ctxReader makes a long build stop at Ctrl-C: Build has no context, but it
// reads all its input first, and this reader fails once ctx is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// Stat passes through a regular file's size, which Build uses to reserve
// memory once instead of growing.
func (c ctxReader) Stat() (os.FileInfo, error) {
	if f, ok := c.r.(*os.File); ok {
		return f.Stat()
	}
	return nil, errors.ErrUnsupported
}

func runBlocklistCheck(args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("blocklist check", flag.ContinueOnError)
	filterPath := fs.String("filter", "", "filter file written by blocklist build (optional)")
	if err := parseBlocklistFlags(fs, args); err != nil {
		return err
	}
	var filter *blocklist.Filter
	if *filterPath != "" {
		var err error
		if filter, err = blocklist.Load(*filterPath); err != nil {
			return fmt.Errorf("blocklist check: %w", err)
		}
	}
	// Only the first line is the candidate; its line ending is not part
	// of it, but any other character (spaces included) is.
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("blocklist check: read candidate: %w", err)
	}
	candidate := strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if candidate == "" {
		return usageError{"blocklist check: no candidate on standard input"}
	}
	if blocklist.Combine(blocklist.Default(), filter).Contains(candidate) {
		fmt.Fprintln(stdout, "found")
	} else {
		fmt.Fprintln(stdout, "not found")
	}
	return nil
}
