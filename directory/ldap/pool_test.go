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

// TestPoolWaitBoundedByTimeout: with every pooled connection at capacity
// (a slow server holds requestsPerConn requests on each), a further
// operation gives up after the operation timeout with ErrUnavailable
// instead of waiting on the caller's context.
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
	// Every place of the one connection taken, as by requests a slow
	// server keeps waiting.
	for range d.pool.perConn {
		busy, err := d.pool.get(context.Background())
		if err != nil {
			t.Fatalf("a place on the first connection: %v", err)
		}
		defer d.pool.put(busy)
	}
	if d.pool.conns[0].users != d.pool.perConn || len(d.pool.conns) != 1 {
		t.Fatalf("the pool of 1 holds %d connections, the first with %d requests; want 1 with %d", len(d.pool.conns), d.pool.conns[0].users, d.pool.perConn)
	}
	// The caller's context would wait a minute; the timeout must not.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err = d.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: "jdoe"})
	if !errors.Is(err, directory.ErrUnavailable) || ctx.Err() != nil {
		t.Fatalf("Find with the pool exhausted = %v (caller ctx %v), want ErrUnavailable before the caller's deadline", err, ctx.Err())
	}
}

// TestPoolOverlapsRequestsOnOneConnection: behind a proxy that holds
// every answer of the real slapd back for a second, n concurrent lookups
// on a pool of one connection are all in flight on that connection at
// once (the proxy counts the requests sent and not yet answered), so a
// slow directory costs each request its latency, not n latencies in a
// row (#10 §2). Counted, not timed: the elapsed time is only logged.
func TestPoolOverlapsRequestsOnOneConnection(t *testing.T) {
	proxy := dirtest.NewLDAPProxy(t, dirtest.RequireEnv(t, "RESETBOT_TEST_SLAPD_LDAPS_URL"), dirtest.RequireEnv(t, "RESETBOT_TEST_SLAPD_CA"))
	d, err := New(Config{
		Flavour:      OpenLDAP,
		URLs:         []string{proxy.URL},
		CAFile:       proxy.CAFile,
		BindDN:       "cn=resetbot,ou=Services,dc=example,dc=test",
		BindPassword: "Svc-Passw0rd.1",
		UserBaseDN:   "ou=People,dc=example,dc=test",
		GroupBaseDN:  "ou=Groups,dc=example,dc=test",
		PoolSize:     1,
		Timeout:      30 * time.Second, // the load of a shared CI machine must not fail a request
	})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	if err := d.Ping(ctx); err != nil { // the connection and its bind
		t.Fatal(err)
	}
	proxy.SetDelay(time.Second)
	const n = 8
	accounts := []string{"jdoe", "pwuser", "policyuser", "lockme", "alice", "bob", "spare1", "spare2"}
	start := time.Now()
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = d.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: accounts[i]})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Find(%s): %v", accounts[i], err)
		}
	}
	searches := 0
	for _, op := range proxy.Ops() {
		if op.Kind == "search" {
			searches++
		}
	}
	t.Logf("%d lookups (%d searches) with 1 s per answer on %d connection(s): at most %d requests in flight at once; %v in all",
		n, searches, proxy.Conns(), proxy.MaxOutstanding(1), time.Since(start).Round(time.Millisecond))
	if c := proxy.Conns(); c != 1 {
		t.Errorf("the pool of 1 opened %d connections", c)
	}
	if got := proxy.MaxOutstanding(1); got < n {
		t.Errorf("at most %d requests were in flight at once on the one connection, want all %d lookups' (one at a time takes n latencies)", got, n)
	}
}

// TestTLSSessionResumed: a second connection resumes the first one's TLS
// session (a replaced pooled connection, every password verification's own
// bind) instead of a full handshake, where the server offers resumption:
// here dirtest.LDAPProxy, whose Go TLS server issues session tickets, in
// front of the real slapd. slapd and Samba as the harness builds them
// (GnuTLS, no ticket keys, no session cache) offer none, so against them
// directly every connection is a full handshake; the test logs it.
func TestTLSSessionResumed(t *testing.T) {
	url, ca := dirtest.RequireEnv(t, "RESETBOT_TEST_SLAPD_LDAPS_URL"), dirtest.RequireEnv(t, "RESETBOT_TEST_SLAPD_CA")
	proxy := dirtest.NewLDAPProxy(t, url, ca)
	const bindDN = "cn=resetbot,ou=Services,dc=example,dc=test"
	resumed := func(url, ca string) []bool {
		t.Helper()
		d, err := New(Config{
			Flavour: OpenLDAP, URLs: []string{url}, CAFile: ca, BindDN: bindDN, BindPassword: "Svc-Passw0rd.1",
			UserBaseDN: "ou=People,dc=example,dc=test", GroupBaseDN: "ou=Groups,dc=example,dc=test",
		})
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		out := make([]bool, 2)
		for i := range out {
			c, err := d.dialer.dial(context.Background(), bindDN, "Svc-Passw0rd.1")
			if err != nil {
				t.Fatal(err)
			}
			st, _ := c.TLSConnectionState()
			out[i] = st.DidResume
			c.Close()
		}
		return out
	}
	t.Logf("slapd itself: second connection resumed: %v", resumed(url, ca)[1])
	if got := resumed(proxy.URL, proxy.CAFile); got[0] || !got[1] {
		t.Fatalf("through a server that issues tickets: first connection resumed %v, second %v; want false, true", got[0], got[1])
	}
}
