package teamsfake

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Issuer is the issuer of Bot Framework channel tokens.
const Issuer = "https://api.botframework.com"

// Channel is the channel id of Teams activities, the channel every key the
// fake publishes is endorsed for unless a test says otherwise (Endorse).
const Channel = "msteams"

// signingKey is one RSA key the fake's JWKS publishes, with the channels
// it is endorsed for.
type signingKey struct {
	kid          string
	key          *rsa.PrivateKey
	endorsements []string
}

func newKey(n int) (signingKey, error) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return signingKey{}, err
	}
	return signingKey{kid: fmt.Sprintf("test-key-%d", n), key: k, endorsements: []string{Channel}}, nil
}

// jwk is a key as the Bot Framework publishes it: RSA, signature use, with
// the channels it is endorsed for (the member is left out for a key
// endorsed for none).
type jwk struct {
	Kty          string   `json:"kty"`
	Use          string   `json:"use"`
	Kid          string   `json:"kid"`
	N            string   `json:"n"`
	E            string   `json:"e"`
	Endorsements []string `json:"endorsements,omitempty"`
}

func (k signingKey) public() jwk {
	pub := k.key.PublicKey
	return jwk{
		Kty: "RSA", Use: "sig", Kid: k.kid,
		N:            base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		E:            base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		Endorsements: k.endorsements,
	}
}

// Endorse sets the channels a published key is endorsed for from the next
// key fetch on; with none, the key is published without endorsements (a
// key the Bot Framework uses for no channel a bot should accept). Keys
// start endorsed for Channel.
func (s *Server) Endorse(kid string, channels ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.keys {
		if s.keys[i].kid == kid {
			s.keys[i].endorsements = slices.Clone(channels)
			return
		}
	}
	panic("teamsfake: Endorse of an unpublished key " + kid)
}

// RotateKey publishes a new signing key, which signs from now on; older
// keys stay published (Microsoft rotates with overlap). It returns the new
// key id. A verifier that read the keys before has never seen it.
func (s *Server) RotateKey() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, err := newKey(len(s.keys) + 1)
	if err != nil {
		panic(err)
	}
	s.keys = append(s.keys, k)
	return k.kid
}

// Key returns the current signing key and its id, for tests that sign
// unusual tokens themselves.
func (s *Server) Key() (*rsa.PrivateKey, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.keys[len(s.keys)-1]
	return k.key, k.kid
}

// Claims returns the claims the Bot Framework puts in the token of an
// activity sent to serviceURL: a test may change them before Sign.
func (s *Server) Claims(serviceURL string) jwt.MapClaims {
	now := s.now()
	return jwt.MapClaims{
		"iss":        Issuer,
		"aud":        s.opt.AppID,
		"serviceurl": serviceURL,
		"nbf":        now.Add(-time.Minute).Unix(),
		"iat":        now.Add(-time.Minute).Unix(),
		"exp":        now.Add(time.Hour).Unix(),
	}
}

// Sign signs claims with the current key (RS256, with its kid), as the
// Bot Framework signs the token of every activity.
func (s *Server) Sign(claims jwt.MapClaims) string {
	key, kid := s.Key()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = kid
	signed, err := tok.SignedString(key)
	if err != nil {
		panic(err)
	}
	return signed
}

// NewRequest builds the POST of an activity to a bot's messaging endpoint,
// signed for the activity's serviceUrl.
func (s *Server) NewRequest(endpoint string, a Activity) (*http.Request, error) {
	return s.NewRequestWithToken(endpoint, a, s.Sign(s.Claims(a.ServiceURL)))
}

// NewRequestWithToken builds the POST of an activity with a given token,
// for tests of refused tokens.
func (s *Server) NewRequestWithToken(endpoint string, a Activity, token string) (*http.Request, error) {
	body, err := json.Marshal(a)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return req, nil
}
