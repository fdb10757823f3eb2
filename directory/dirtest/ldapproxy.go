package dirtest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	ber "github.com/go-asn1-ber/asn1-ber"
	goldap "github.com/go-ldap/ldap/v3"
)

// LDAPProxy sits between a client and a real LDAPS server and records every
// request the client sends, decoded: what a flow costs the directory is
// counted on the wire, not estimated. It terminates TLS with a certificate
// of its own (CAFile trusts it) and opens a TLS connection of its own to
// the server per client connection, so it also counts connections (and
// with them TLS handshakes and binds). It can hold every answer back for a
// while (a slow directory) and can stop answering at all (a dead one).
type LDAPProxy struct {
	// URL is the proxy's ldaps:// address and CAFile the PEM file that
	// trusts its certificate (issued to 127.0.0.1).
	URL, CAFile string

	upstream   string
	upstreamTC *tls.Config

	mu          sync.Mutex
	ops         []LDAPOp
	conns       int
	outstanding map[int]map[int64]bool // connection -> message ids awaiting their final answer
	maxOut      map[int]int
	inFlight    int // requests awaiting their final answer, all connections
	maxInFlight int
	delay       time.Duration
	dead        bool
	open        []net.Conn
}

// LDAPOp is one request as the server received it.
type LDAPOp struct {
	// Conn numbers the client connection it came on, from 1.
	Conn int
	// MessageID is the request's LDAP message id.
	MessageID int64
	// Kind is "bind", "unbind", "search", "modify", "add", "delete",
	// "modrdn", "compare", "abandon" or "extended".
	Kind string
	// Base, Scope ("base", "one", "sub") and Filter of a search.
	Base, Scope, Filter string
	// OID names an extended operation (1.3.6.1.4.1.4203.1.11.1 is
	// Password Modify).
	OID string
	// Abandons is the message id an abandon request gives up.
	Abandons int64
}

// PasswordModifyOID is the request name of RFC 3062's Password Modify.
const PasswordModifyOID = "1.3.6.1.4.1.4203.1.11.1"

// NewLDAPProxy starts a proxy in front of the ldaps:// server at upstream,
// whose certificate caFile trusts. It stops when the test ends.
func NewLDAPProxy(t testing.TB, upstream, caFile string) *LDAPProxy {
	t.Helper()
	u, err := url.Parse(upstream)
	if err != nil || u.Scheme != "ldaps" {
		t.Fatalf("NewLDAPProxy: %q is not an ldaps:// URL", upstream)
	}
	pemBytes, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pemBytes) {
		t.Fatalf("NewLDAPProxy: %s holds no certificate", caFile)
	}
	cert, certPEM := selfSigned(t)
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatal(err)
	}
	p := &LDAPProxy{
		URL:         "ldaps://" + l.Addr().String(),
		CAFile:      filepath.Join(t.TempDir(), "proxy-ca.pem"),
		upstream:    u.Host,
		upstreamTC:  &tls.Config{RootCAs: roots, ServerName: u.Hostname(), MinVersion: tls.VersionTLS12},
		outstanding: map[int]map[int64]bool{},
		maxOut:      map[int]int{},
	}
	if err := os.WriteFile(p.CAFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		l.Close()
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, c := range p.open {
			c.Close()
		}
	})
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go p.carry(c)
		}
	}()
	return p
}

// carry forwards one client connection, decoding both directions.
func (p *LDAPProxy) carry(client net.Conn) {
	defer client.Close()
	server, err := tls.Dial("tcp", p.upstream, p.upstreamTC)
	if err != nil {
		return
	}
	defer server.Close()
	p.mu.Lock()
	p.conns++
	n := p.conns
	p.outstanding[n] = map[int64]bool{}
	p.open = append(p.open, client, server)
	p.mu.Unlock()
	// Answers are held back by the delay each, not one after the other:
	// a slow directory has latency, not a queue.
	type held struct {
		raw    []byte
		packet *ber.Packet
		at     time.Time
	}
	answers := make(chan held, 1024)
	go func() {
		defer client.Close()
		for a := range answers {
			time.Sleep(time.Until(a.at))
			if _, err := client.Write(a.raw); err != nil {
				return
			}
			p.answered(n, a.packet)
		}
	}()
	go func() {
		defer close(answers)
		for {
			raw, packet, err := readMessage(server)
			if err != nil {
				return
			}
			p.mu.Lock()
			delay, dead := p.delay, p.dead
			p.mu.Unlock()
			if dead {
				continue // a dead server: the answer never arrives
			}
			answers <- held{raw, packet, time.Now().Add(delay)}
		}
	}()
	for {
		raw, packet, err := readMessage(client)
		if err != nil {
			return
		}
		p.request(n, packet)
		if _, err := server.Write(raw); err != nil {
			return
		}
	}
}

// readMessage reads one LDAP message, returning its bytes as sent.
func readMessage(r io.Reader) ([]byte, *ber.Packet, error) {
	var buf bytes.Buffer
	packet, err := ber.ReadPacket(io.TeeReader(r, &buf))
	if err != nil {
		return nil, nil, err
	}
	if len(packet.Children) < 2 {
		return nil, nil, io.ErrUnexpectedEOF
	}
	return buf.Bytes(), packet, nil
}

// Request and response tags of RFC 4511.
var requestKinds = map[ber.Tag]string{
	goldap.ApplicationBindRequest: "bind", goldap.ApplicationUnbindRequest: "unbind",
	goldap.ApplicationSearchRequest: "search", goldap.ApplicationModifyRequest: "modify",
	goldap.ApplicationAddRequest: "add", goldap.ApplicationDelRequest: "delete",
	goldap.ApplicationModifyDNRequest: "modrdn", goldap.ApplicationCompareRequest: "compare",
	goldap.ApplicationAbandonRequest: "abandon", goldap.ApplicationExtendedRequest: "extended",
}

var scopes = map[int64]string{0: "base", 1: "one", 2: "sub"}

func (p *LDAPProxy) request(n int, packet *ber.Packet) {
	id, _ := packet.Children[0].Value.(int64)
	op := packet.Children[1]
	rec := LDAPOp{Conn: n, MessageID: id, Kind: requestKinds[op.Tag]}
	switch op.Tag {
	case goldap.ApplicationSearchRequest:
		if len(op.Children) > 6 {
			rec.Base, _ = op.Children[0].Value.(string)
			scope, _ := op.Children[1].Value.(int64)
			rec.Scope = scopes[scope]
			rec.Filter, _ = goldap.DecompileFilter(op.Children[6])
		}
	case goldap.ApplicationExtendedRequest:
		if len(op.Children) > 0 {
			rec.OID = op.Children[0].Data.String()
		}
	case goldap.ApplicationAbandonRequest:
		rec.Abandons = decodeInt(op.Data.Bytes())
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ops = append(p.ops, rec)
	if rec.Kind != "abandon" && rec.Kind != "unbind" {
		out := p.outstanding[n]
		if !out[id] {
			out[id] = true
			p.inFlight++
			p.maxInFlight = max(p.maxInFlight, p.inFlight)
		}
		p.maxOut[n] = max(p.maxOut[n], len(out))
	}
	if rec.Kind == "abandon" {
		p.settle(n, rec.Abandons)
	}
}

// answered notes a final answer (anything but a search entry, reference
// or intermediate response) once the client has it, after the delay: a
// request is outstanding for as long as its client waits.
func (p *LDAPProxy) answered(n int, packet *ber.Packet) {
	switch packet.Children[1].Tag {
	case goldap.ApplicationSearchResultEntry, goldap.ApplicationSearchResultReference, goldap.ApplicationIntermediateResponse:
		return
	}
	id, _ := packet.Children[0].Value.(int64)
	p.mu.Lock()
	p.settle(n, id)
	p.mu.Unlock()
}

// settle ends request id's wait on connection n (answered or abandoned);
// p.mu is held.
func (p *LDAPProxy) settle(n int, id int64) {
	if p.outstanding[n][id] {
		delete(p.outstanding[n], id)
		p.inFlight--
	}
}

// decodeInt reads a BER integer's content octets.
func decodeInt(b []byte) int64 {
	var v int64
	for i, c := range b {
		if i == 0 && c&0x80 != 0 {
			v = -1
		}
		v = v<<8 | int64(c)
	}
	return v
}

// Ops returns every request recorded so far.
func (p *LDAPProxy) Ops() []LDAPOp {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]LDAPOp(nil), p.ops...)
}

// Reset forgets the requests recorded so far and restarts MaxInFlight
// from the requests in flight now (connections stay open and counted).
func (p *LDAPProxy) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ops = nil
	p.maxInFlight = p.inFlight
}

// MaxInFlight is the largest number of requests that were awaiting their
// answer at once over all connections since the proxy started (or since
// Reset): how much concurrency a client really got out of the directory,
// counted on the wire. A pool of workers each blocked on one request shows
// here as the pool's size, however many requests wait behind it.
func (p *LDAPProxy) MaxInFlight() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.maxInFlight
}

// Conns is how many client connections the proxy has accepted.
func (p *LDAPProxy) Conns() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.conns
}

// MaxOutstanding is the largest number of requests that were awaiting
// their answer at once on connection n (sent by the client, final answer
// not yet passed back to it): how many requests a client really keeps in
// flight on one connection, counted rather than inferred from a timing.
func (p *LDAPProxy) MaxOutstanding(n int) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.maxOut[n]
}

// SetDelay holds every answer back by d before passing it on (0: none);
// answers are delayed side by side, so it adds latency, not a queue.
func (p *LDAPProxy) SetDelay(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.delay = d
}

// SetDead makes the server stop answering (true) on every connection,
// while connections are still accepted; requests still reach it.
func (p *LDAPProxy) SetDead(dead bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.dead = dead
}

// selfSigned makes a certificate for 127.0.0.1 and its PEM.
func selfSigned(t testing.TB) (tls.Certificate, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "ldap proxy"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key},
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
