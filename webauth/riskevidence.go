package webauth

import (
	"bytes"
	"net/http"
	"net/netip"

	"github.com/resetbot/resetbot/credentials"
	"github.com/resetbot/resetbot/flows"
)

// riskEvidence is what the web app knows for the web-time risk signals of
// a verification: when the passkey used was added (cred nil: another
// factor), this browser's id (setting its device cookie on w), and the
// client's country from the geo database, the address found as the audit
// trail finds it (web.trusted_proxies).
func (s *Server) riskEvidence(w http.ResponseWriter, r *http.Request, passkeys []credentials.Passkey, credID []byte) flows.RiskEvidence {
	ev := flows.RiskEvidence{Browser: s.browserID(w, r)}
	if credID != nil {
		for _, p := range passkeys {
			if bytes.Equal(p.Credential.ID, credID) {
				ev.PasskeyAdded = p.CreatedAt
			}
		}
	}
	if s.deps.Countries != nil {
		if ip, err := netip.ParseAddr(s.sourceIP(r)); err == nil {
			ev.Country, _ = s.deps.Countries.Country(ip)
		}
	}
	return ev
}

// helpdeskContact is Config.HelpdeskContact or its default.
func (s *Server) helpdeskContact() string {
	if s.cfg.HelpdeskContact != "" {
		return s.cfg.HelpdeskContact
	}
	return "the IT helpdesk"
}
