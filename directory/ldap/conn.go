package ldap

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"time"

	goldap "github.com/go-ldap/ldap/v3"
)

// conn is one encrypted LDAP connection. go-ldap's operations take no
// context, so conn keeps the TCP socket and bounds every operation with a
// socket deadline (the earlier of the configured timeout and the context's
// deadline); cancelling the context moves the deadline to now, which makes
// the blocked operation fail at once.
type conn struct {
	*goldap.Conn
	raw     net.Conn
	timeout time.Duration
	url     string
	// broken is set when an operation failed in a way that leaves the
	// connection's state unknown; the pool then closes it.
	broken bool
}

// do runs fn under ctx and the operation timeout.
func (c *conn) do(ctx context.Context, fn func() error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	deadline := time.Now().Add(c.timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	c.SetTimeout(time.Until(deadline))
	_ = c.raw.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = c.raw.SetDeadline(time.Now()) })
	err := fn()
	if !stop() && ctx.Err() != nil {
		c.broken = true
		if err == nil {
			// fn finished, but the connection may have been poisoned by the
			// deadline racing with it; report the cancellation.
			err = ctx.Err()
		}
	}
	_ = c.raw.SetDeadline(time.Time{})
	if err != nil && ctx.Err() != nil {
		c.broken = true
		return fmt.Errorf("%w (%w)", ctx.Err(), err)
	}
	if err != nil && c.IsClosing() {
		// go-ldap reports a dropped connection as a plain error; mark it so
		// callers know the connection, not the request, failed.
		err = fmt.Errorf("%w: %w", errConnectionLost, err)
	}
	if isNetworkError(err) {
		c.broken = true
	}
	return err
}

// errConnectionLost marks an operation that failed because its connection
// closed under it (timeout, reset, server gone).
var errConnectionLost = errors.New("connection lost")

// usable reports whether the pool may hand the connection out again.
func (c *conn) usable() bool { return !c.broken && !c.IsClosing() }

// dialer opens encrypted connections to the configured servers.
type dialer struct {
	urls     []*url.URL
	startTLS bool
	tls      *tls.Config
	timeout  time.Duration
}

func newDialer(cfg Config) (*dialer, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: cfg.ServerName}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errCAFile, err)
		}
		tc.RootCAs = x509.NewCertPool()
		if !tc.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%w: %s holds no PEM certificate", errCAFile, cfg.CAFile)
		}
	}
	d := &dialer{startTLS: cfg.StartTLS, tls: tc, timeout: cfg.Timeout}
	for _, raw := range cfg.URLs {
		u, err := url.Parse(raw)
		if err != nil {
			return nil, fmt.Errorf("ldap: url %q: %w", raw, err)
		}
		d.urls = append(d.urls, u)
	}
	return d, nil
}

// dial connects to the first server that answers, in configured order, and
// binds as dn. A wrong password is not a reason to try the next server: it
// is returned at once (as is a cancelled context).
func (d *dialer) dial(ctx context.Context, dn, password string) (*conn, error) {
	var errs []error
	for _, u := range d.urls {
		c, err := d.dialOne(ctx, u)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", u.Host, err))
			if ctx.Err() != nil {
				break
			}
			continue
		}
		if err := c.do(ctx, func() error { return c.Bind(dn, password) }); err != nil {
			c.Close()
			if isNetworkError(err) && ctx.Err() == nil {
				errs = append(errs, fmt.Errorf("%s: bind: %w", u.Host, err))
				continue
			}
			return nil, fmt.Errorf("bind to %s: %w", u.Host, err)
		}
		return c, nil
	}
	return nil, fmt.Errorf("no server reachable: %w", errors.Join(errs...))
}

// dialOne opens one TLS (LDAPS or StartTLS) connection. It never returns a
// plaintext connection, whatever the configuration says.
func (d *dialer) dialOne(ctx context.Context, u *url.URL) (*conn, error) {
	ctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	tc := d.tls.Clone()
	if tc.ServerName == "" {
		tc.ServerName = u.Hostname()
	}
	port := u.Port()
	switch {
	case u.Scheme == "ldaps":
		if port == "" {
			port = goldap.DefaultLdapsPort
		}
	case u.Scheme == "ldap" && d.startTLS:
		if port == "" {
			port = goldap.DefaultLdapPort
		}
	default:
		return nil, fmt.Errorf("refusing %s://%s: only ldaps:// or ldap:// with StartTLS are allowed", u.Scheme, u.Host)
	}
	var nd net.Dialer
	raw, err := nd.DialContext(ctx, "tcp", net.JoinHostPort(u.Hostname(), port))
	if err != nil {
		return nil, err
	}
	deadline, _ := ctx.Deadline()
	_ = raw.SetDeadline(deadline)
	c := &conn{raw: raw, timeout: d.timeout, url: u.Redacted()}
	if u.Scheme == "ldaps" {
		tlsConn := tls.Client(raw, tc)
		if err := tlsConn.HandshakeContext(ctx); err != nil {
			raw.Close()
			return nil, fmt.Errorf("TLS handshake: %w", err)
		}
		c.Conn = goldap.NewConn(tlsConn, true)
		c.Start()
	} else {
		c.Conn = goldap.NewConn(raw, false)
		c.Start()
		stop := context.AfterFunc(ctx, func() { _ = raw.SetDeadline(time.Now()) })
		err := c.StartTLS(tc)
		stop()
		if err != nil {
			c.Close()
			return nil, fmt.Errorf("StartTLS: %w", err)
		}
	}
	if _, ok := c.TLSConnectionState(); !ok {
		c.Close()
		return nil, errors.New("connection is not encrypted")
	}
	_ = raw.SetDeadline(time.Time{})
	return c, nil
}
