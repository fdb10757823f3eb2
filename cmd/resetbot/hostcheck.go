package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/resetbot/resetbot/cmd/resetbot/internal/config"
	"github.com/resetbot/resetbot/directory"
)

// hostProblems checks what only the host that runs resetbot can: that the
// certificates and CA bundles the file names parse, and that the audit log
// can be written. A file that passes `config check -resolve` then does not
// fail `serve` on any of these. Each problem names its key.
func hostProblems(c *config.Config) []error {
	var probs []error
	for _, ca := range []struct{ key, file string }{
		{"directory.ca_file", c.Directory.CAFile},
		{"redis.tls.ca_file", c.Redis.TLS.CAFile},
	} {
		if err := checkCABundle(ca.file); err != nil {
			probs = append(probs, atKey(ca.key, err))
		}
	}
	if c.Server.TLS.CertFile != "" || c.Server.TLS.KeyFile != "" {
		if _, err := tls.LoadX509KeyPair(c.Server.TLS.CertFile, c.Server.TLS.KeyFile); err != nil {
			probs = append(probs, atKey("server.tls.cert_file", fmt.Errorf("certificate and key do not load as a pair: %w", err)))
		}
	}
	if err := checkWritable(c.Audit.LogFile); err != nil {
		probs = append(probs, atKey("audit.log_file", err))
	}
	return probs
}

// checkCABundle reports a CA file that is unreadable or holds no PEM
// certificate; "" (the system roots) is fine.
func checkCABundle(file string) error {
	if file == "" {
		return nil
	}
	pem, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if !x509.NewCertPool().AppendCertsFromPEM(pem) {
		return fmt.Errorf("%s holds no PEM certificate", file)
	}
	return nil
}

// checkWritable reports an audit log path resetbot could not append to.
// It creates nothing: an existing file is opened for appending, otherwise
// its directory must exist and be writable. "", "-" (standard output) and
// non-regular files (a FIFO, a device) are left to serve.
func checkWritable(path string) error {
	if path == "" || path == "-" {
		return nil
	}
	if st, err := os.Stat(path); err == nil {
		if !st.Mode().IsRegular() {
			return nil
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			return err
		}
		return f.Close()
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	dir := filepath.Dir(path)
	probe, err := os.CreateTemp(dir, ".resetbot-write-check-*")
	if err != nil {
		return fmt.Errorf("cannot create %s: %w", path, err)
	}
	name := probe.Name()
	probe.Close()
	return os.Remove(name)
}

// connectProblems test-connects to Redis and the directory with the
// configured credentials, exactly as serve does at start-up, and returns
// what failed plus warnings worth an operator's attention (history not
// enforced on resets, memberOf not kept where group_membership relies on
// it).
func connectProblems(ctx context.Context, c *config.Config) (probs []error, warnings []string) {
	rdb, err := newRedis(c.Redis)
	if err == nil {
		err = pingRedis(ctx, rdb)
		rdb.Close()
	}
	if err != nil {
		probs = append(probs, err)
	}
	dir, err := openDirectory(ctx, c.Directory)
	if err != nil {
		return append(probs, err), warnings
	}
	if cl, ok := dir.(io.Closer); ok {
		defer cl.Close()
	}
	if m, ok := dir.(interface {
		CheckGroupMembership(context.Context, []string) error
	}); ok {
		if err := m.CheckGroupMembership(ctx, c.Directory.PrivilegedGroups); err != nil {
			warnings = append(warnings, "directory.group_membership: member_of: "+err.Error())
		}
	}
	if r, ok := dir.(directory.HistoryReporter); ok {
		h, err := r.HistoryEnforcement(ctx)
		switch {
		case err != nil:
			warnings = append(warnings, "directory: could not tell whether password history applies to resets: "+err.Error())
		case !h.Enforced:
			warnings = append(warnings, "directory: password history is NOT enforced on resets: "+h.Why)
		}
	}
	return probs, warnings
}
