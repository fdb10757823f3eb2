package ldap

import (
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/dirtest"
)

// TestPoolReplacesDeadConnections drops pooled connections behind the
// pool's back, as a server restart or an idle timeout on a firewall would,
// and checks that the next request still succeeds on a new connection.
func TestPoolReplacesDeadConnections(t *testing.T) {
	cfg := Config{
		Flavour:      OpenLDAP,
		URLs:         []string{dirtest.RequireEnv(t, "RESETBOT_TEST_SLAPD_LDAPS_URL")},
		CAFile:       dirtest.RequireEnv(t, "RESETBOT_TEST_SLAPD_CA"),
		BindDN:       "cn=resetbot,ou=Services,dc=example,dc=test",
		BindPassword: "Svc-Passw0rd.1",
		UserBaseDN:   "ou=People,dc=example,dc=test",
		GroupBaseDN:  "ou=Groups,dc=example,dc=test",
		PoolSize:     1,
	}
	kills := []struct {
		name string
		kill func(c *conn)
	}{
		// go-ldap notices: the connection reports itself closing.
		{"closed by the client library", func(c *conn) { c.Close() }},
		// Nobody notices until the next request fails on the socket.
		{"socket dropped silently", func(c *conn) { c.raw.Close() }},
	}
	for _, k := range kills {
		t.Run(k.name, func(t *testing.T) {
			d, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			ctx := context.Background()
			find := func() {
				t.Helper()
				u, err := d.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: "jdoe"})
				if err != nil || u.AccountName != "jdoe" {
					t.Fatalf("Find = %+v, %v", u, err)
				}
			}
			find()
			c, err := d.pool.get(ctx)
			if err != nil {
				t.Fatal(err)
			}
			k.kill(c)
			d.pool.put(c)
			find()
			find()
		})
	}
}

// TestReadRetriesOnAFreshConnection makes the pooled connection hang (the
// server side vanished without a word) and checks that a Find still
// succeeds: the read fails on the timeout and is retried once on a new
// connection.
func TestReadRetriesOnAFreshConnection(t *testing.T) {
	upstream, err := url.Parse(dirtest.RequireEnv(t, "RESETBOT_TEST_SLAPD_LDAPS_URL"))
	if err != nil {
		t.Fatal(err)
	}
	p := newProxy(t, upstream.Host)
	d, err := New(Config{
		Flavour:      OpenLDAP,
		URLs:         []string{"ldaps://" + p.addr},
		CAFile:       dirtest.RequireEnv(t, "RESETBOT_TEST_SLAPD_CA"),
		BindDN:       "cn=resetbot,ou=Services,dc=example,dc=test",
		BindPassword: "Svc-Passw0rd.1",
		UserBaseDN:   "ou=People,dc=example,dc=test",
		GroupBaseDN:  "ou=Groups,dc=example,dc=test",
		PoolSize:     1,
		Timeout:      500 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	lookup := directory.Lookup{Kind: directory.ByAccountName, Value: "jdoe"}
	if _, err := d.Find(context.Background(), lookup); err != nil {
		t.Fatalf("Find before the hang: %v", err)
	}
	p.blackholeExisting()
	if _, err := d.Find(context.Background(), lookup); err != nil {
		t.Fatalf("Find after the pooled connection hung: %v", err)
	}
}

// proxy forwards TCP to the real server, and can make the connections it
// already carries go silent while accepting new ones.
type proxy struct {
	addr string
	mu   sync.Mutex
	up   []net.Conn
}

func newProxy(t *testing.T, target string) *proxy {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{addr: l.Addr().String()}
	var clients []net.Conn
	t.Cleanup(func() {
		l.Close()
		p.blackholeExisting()
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, c := range clients {
			c.Close()
		}
	})
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			u, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.up = append(p.up, u)
			clients = append(clients, c)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(u, c) }()
			go func() { _, _ = io.Copy(c, u) }()
		}
	}()
	return p
}

// blackholeExisting closes the server side of every carried connection but
// leaves the client side open: requests vanish and no answer ever comes.
func (p *proxy) blackholeExisting() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, u := range p.up {
		u.Close()
	}
	p.up = nil
}

// TestPoolWaitBoundedByTimeout: with every pooled connection busy (a slow
// server holds them), a further operation gives up after the operation
// timeout with ErrUnavailable instead of waiting on the caller's context.
func TestPoolWaitBoundedByTimeout(t *testing.T) {
	cfg := Config{
		Flavour:      OpenLDAP,
		URLs:         []string{dirtest.RequireEnv(t, "RESETBOT_TEST_SLAPD_LDAPS_URL")},
		CAFile:       dirtest.RequireEnv(t, "RESETBOT_TEST_SLAPD_CA"),
		BindDN:       "cn=resetbot,ou=Services,dc=example,dc=test",
		BindPassword: "Svc-Passw0rd.1",
		UserBaseDN:   "ou=People,dc=example,dc=test",
		GroupBaseDN:  "ou=Groups,dc=example,dc=test",
		PoolSize:     1,
		Timeout:      200 * time.Millisecond,
	}
	d, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	busy, err := d.pool.get(context.Background())
	if err != nil {
		t.Fatalf("first connection: %v", err)
	}
	defer d.pool.put(busy)
	// The caller's context would wait a minute; the timeout must not.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err = d.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: "jdoe"})
	if !errors.Is(err, directory.ErrUnavailable) || ctx.Err() != nil {
		t.Fatalf("Find with the pool exhausted = %v (caller ctx %v), want ErrUnavailable before the caller's deadline", err, ctx.Err())
	}
}
