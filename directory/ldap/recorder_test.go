package ldap_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	ber "github.com/go-asn1-ber/asn1-ber"
)

// recordedControl is one control of a request, as the server decoded it.
type recordedControl struct {
	OID      string
	Critical bool
	Value    []byte
}

// recorder is a tiny LDAPS server speaking just enough of the protocol
// (bind, search, modify) to show what the client puts on the wire: the
// controls of every modify request it receives. Its rootDSE lists the
// supportedControl values it was given; every other search finds one user.
type recorder struct {
	supported []string
	// modifyResult and modifyDiag are the answer to every modify.
	modifyResult int64
	modifyDiag   string

	mu       sync.Mutex
	modifies [][]recordedControl
	rootDSE  int
}

// startRecorder serves on a fresh loopback port and returns the URL and
// the CA file that trusts it.
func startRecorder(t *testing.T, r *recorder) (url, caFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(2),
		Subject:               pkix.Name{CommonName: "recorder"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
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
	cert := tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go r.serve(c)
		}
	}()
	return "ldaps://" + l.Addr().String(), writeFile(t, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
}

// LDAP protocol operations (RFC 4511 application tags).
const (
	opBindRequest    = 0
	opBindResponse   = 1
	opUnbindRequest  = 2
	opSearchRequest  = 3
	opSearchEntry    = 4
	opSearchDone     = 5
	opModifyRequest  = 6
	opModifyResponse = 7
)

func (r *recorder) serve(c net.Conn) {
	defer c.Close()
	for {
		p, err := ber.ReadPacket(c)
		if err != nil || len(p.Children) < 2 {
			return
		}
		id := p.Children[0].Value.(int64)
		op := p.Children[1]
		switch op.Tag {
		case opBindRequest:
			r.reply(c, id, result(opBindResponse, 0, ""))
		case opUnbindRequest:
			return
		case opSearchRequest:
			base, _ := op.Children[0].Value.(string)
			if base == "" {
				r.mu.Lock()
				r.rootDSE++
				r.mu.Unlock()
				r.reply(c, id, entry("", map[string][]string{"supportedControl": r.supported}))
			} else {
				r.reply(c, id, entry("CN=alice,OU=People,DC=example,DC=test", map[string][]string{
					"sAMAccountName": {"alice"}, "userAccountControl": {"512"},
				}))
			}
			r.reply(c, id, result(opSearchDone, 0, ""))
		case opModifyRequest:
			var controls []recordedControl
			if len(p.Children) > 2 {
				for _, ctl := range p.Children[2].Children {
					rc := recordedControl{OID: ctl.Children[0].Value.(string)}
					for _, f := range ctl.Children[1:] {
						switch f.Tag {
						case ber.TagBoolean:
							rc.Critical, _ = f.Value.(bool)
						case ber.TagOctetString:
							rc.Value = f.Data.Bytes()
						}
					}
					controls = append(controls, rc)
				}
			}
			r.mu.Lock()
			r.modifies = append(r.modifies, controls)
			r.mu.Unlock()
			r.reply(c, id, result(opModifyResponse, r.modifyResult, r.modifyDiag))
		default:
			return
		}
	}
}

func (r *recorder) reply(c net.Conn, id int64, op *ber.Packet) {
	msg := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "LDAP Response")
	msg.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, id, "MessageID"))
	msg.AppendChild(op)
	_, _ = c.Write(msg.Bytes())
}

func result(tag ber.Tag, code int64, diag string) *ber.Packet {
	p := ber.Encode(ber.ClassApplication, ber.TypeConstructed, tag, nil, "Result")
	p.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagEnumerated, code, "resultCode"))
	p.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, "", "matchedDN"))
	p.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, diag, "diagnosticMessage"))
	return p
}

func entry(dn string, attrs map[string][]string) *ber.Packet {
	p := ber.Encode(ber.ClassApplication, ber.TypeConstructed, opSearchEntry, nil, "SearchResultEntry")
	p.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, dn, "objectName"))
	list := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "attributes")
	for name, vals := range attrs {
		a := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "attribute")
		a.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, name, "type"))
		set := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSet, nil, "vals")
		for _, v := range vals {
			set.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, v, "value"))
		}
		a.AppendChild(set)
		list.AppendChild(a)
	}
	p.AppendChild(list)
	return p
}

// recorded returns the controls of every modify so far.
func (r *recorder) recorded() [][]recordedControl {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]recordedControl(nil), r.modifies...)
}
