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
	"sync/atomic"
	"time"

	goldap "github.com/go-ldap/ldap/v3"
)

// conn is one encrypted LDAP connection, shared by concurrent requests
// (go-ldap matches answers to requests by message id). go-ldap's
// operations take no context: every request is bounded by go-ldap's own
// request timeout (the configured operation timeout, set when the
// connection is made), and a caller whose context ends first gets its
// answer at once while the request finishes or times out on its own. No
// socket deadline is ever set on a connection in use: it would cut the
// other requests on it.
type conn struct {
	*goldap.Conn
	raw     net.Conn
	timeout time.Duration
	url     string
	// broken is set when an operation failed in a way that leaves the
	// connection's state unknown; the pool then closes it.
	broken atomic.Bool
	// users counts the requests using it (guarded by the pool's mutex).
	users int
}

// do runs fn under ctx; go-ldap's request timeout bounds it too.
func (c *conn) do(ctx context.Context, fn func() error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var err error
	if ctx.Done() == nil {
		err = fn()
	} else {
		done := make(chan error, 1)
		go func() { done <- fn() }()
		select {
		case err = <-done:
		case <-ctx.Done():
			// The request stays outstanding until its answer or the
			// request timeout; the connection is not harmed by it.
			return ctx.Err()
		}
	}
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("%w (%w)", ctx.Err(), err)
	}
	if err != nil && c.IsClosing() {
		// go-ldap reports a dropped connection as a plain error; mark it so
		// callers know the connection, not the request, failed.
		err = fmt.Errorf("%w: %w", errConnectionLost, err)
	}
	if isNetworkError(err) {
		c.markBroken()
	}
	return err
}

// markBroken keeps the pool from handing the connection out again.
func (c *conn) markBroken() { c.broken.Store(true) }

// errConnectionLost marks an operation that failed because its connection
// closed under it (timeout, reset, server gone).
var errConnectionLost = errors.New("connection lost")

// usable reports whether the pool may hand the connection out again.
func (c *conn) usable() bool { return !c.broken.Load() && !c.IsClosing() }

// dialer opens encrypted connections to the configured servers.
type dialer struct {
	urls     []*url.URL
	startTLS bool
	tls      *tls.Config
	timeout  time.Duration
}

func newDialer(cfg Config) (*dialer, error) {
	// The session cache lets a new connection resume an earlier TLS
	// session (a ticket instead of a full handshake with certificate
	// checks on both sides): pooled connections are replaced after a
	// failure, and every password verification binds on a connection of
	// its own.
	tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: cfg.ServerName, ClientSessionCache: tls.NewLRUClientSessionCache(64)}
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
		c.SetTimeout(d.timeout)
		c.Start()
	} else {
		c.Conn = goldap.NewConn(raw, false)
		c.SetTimeout(d.timeout)
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
