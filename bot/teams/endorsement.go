package teams

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
)

// The Bot Framework publishes, with each signing key, the channels the key
// signs for (its "endorsements"), and its security protocol requires a
// token's key to be endorsed for the channel of the activity the token
// came with: a key that signs for another channel must not vouch for a
// Teams activity.
//
// jwkset, which holds the keys for keyfunc, decodes only the RFC 7517
// members of a key and drops this one. So the endorsements are read from
// the very response jwkset decodes: the key store's HTTP client goes
// through endorsementTap, which records the endorsements of every key set
// it fetches before handing the body on. Keys and endorsements therefore
// come from one request and are refreshed together (daily, and on an
// unknown kid), and no second client, request or key parser is needed.

// servedChannels are the channel ids whose activities this package
// accepts. Only Teams: everything after the door (identities by Entra
// object id, Teams channel threads, universal actions) assumes a Teams
// activity. It is not a configuration key because no other value would
// work: Bot Framework Emulator tokens have another issuer than the one
// verify accepts, and other channels' activities are not Teams ones.
var servedChannels = []string{channelTeams}

// maxJWKS bounds a key set; Microsoft's is a few kilobytes.
const maxJWKS = 1 << 20

// endorsements is the table of the current key set: key id -> the
// channels the key is endorsed for. A key missing from it, or listed with
// no channels, vouches for nothing.
type endorsements struct {
	mu    sync.RWMutex
	byKID map[string][]string
}

// of returns the channels the key kid is endorsed for.
func (e *endorsements) of(kid string) []string {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.byKID[kid]
}

// replace installs the table of a newly fetched key set. The old one is
// dropped entirely, as jwkset drops the old keys: a withdrawn endorsement
// is withdrawn here too.
func (e *endorsements) replace(byKID map[string][]string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.byKID = byKID
}

// endorsementTap is the transport of the key store's HTTP client. It reads
// each successful response in full, records the endorsements it lists,
// and returns the same bytes to jwkset. The table is replaced before
// jwkset sees the body, so a key is never in the store without its
// endorsements.
type endorsementTap struct {
	base http.RoundTripper
	into *endorsements
}

// RoundTrip implements http.RoundTripper.
func (t *endorsementTap) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		return resp, err // jwkset refuses it and keeps its keys; so do we
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKS+1))
	resp.Body.Close()
	switch {
	case err != nil:
		return nil, fmt.Errorf("teams signing keys: %w", err)
	case len(body) > maxJWKS:
		return nil, fmt.Errorf("teams signing keys: key set over %d bytes", maxJWKS)
	}
	t.into.replace(parseEndorsements(body))
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}

// tapClient returns a copy of client whose requests go through a tap
// filling into; everything else (timeout, proxy, redirects) is client's.
func tapClient(client *http.Client, into *endorsements) *http.Client {
	base := client.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c := *client
	c.Transport = &endorsementTap{base: base, into: into}
	return &c
}

// jwksEndorsements is the part of a key set read here; the key material
// is jwkset's business.
type jwksEndorsements struct {
	Keys []struct {
		KID          string          `json:"kid"`
		Endorsements json.RawMessage `json:"endorsements"`
	} `json:"keys"`
}

// parseEndorsements builds the table of a key set. It fails closed: a
// body it cannot read endorses nothing, a key whose endorsements are not
// a list of strings is endorsed for nothing, and a kid listed twice is
// endorsed for nothing (which of the two keys signed cannot be told).
func parseEndorsements(body []byte) map[string][]string {
	var set jwksEndorsements
	if err := json.Unmarshal(body, &set); err != nil {
		return nil
	}
	byKID := make(map[string][]string, len(set.Keys))
	for _, k := range set.Keys {
		if k.KID == "" {
			continue
		}
		if _, dup := byKID[k.KID]; dup {
			byKID[k.KID] = nil
			continue
		}
		var channels []string
		if len(k.Endorsements) > 0 && json.Unmarshal(k.Endorsements, &channels) != nil {
			channels = nil
		}
		byKID[k.KID] = channels
	}
	return byKID
}

// checkChannel refuses an activity of a channel this package does not
// serve, or whose token was signed by a key not endorsed for it.
func checkChannel(endorsed []string, channelID string) error {
	if !slices.Contains(servedChannels, channelID) {
		return fmt.Errorf("%w: channelId %q is not served", errChannelNotServed, channelID)
	}
	if !slices.Contains(endorsed, channelID) {
		return fmt.Errorf("%w: the signing key is endorsed for %q, not %q", errNotEndorsed, endorsed, channelID)
	}
	return nil
}
