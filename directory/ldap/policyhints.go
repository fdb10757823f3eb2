package ldap

import (
	"context"
	"fmt"
	"slices"
	"sync"

	ber "github.com/go-asn1-ber/asn1-ber"
	goldap "github.com/go-ldap/ldap/v3"

	"github.com/resetbot/resetbot/directory"
)

// The policy-hints controls make Active Directory apply password history
// and minimum age to an administrative unicodePwd replace, which it exempts
// otherwise. Windows Server 2012 R2 and later understand the first; 2008 R2
// (with an update) only the deprecated second.
const (
	oidPolicyHints           = "1.2.840.113556.1.4.2239"
	oidPolicyHintsDeprecated = "1.2.840.113556.1.4.2066"
)

// policyHintsControl is LDAP_SERVER_POLICY_HINTS: its value is the BER
// encoding of SEQUENCE { Flags INTEGER } with flag 1, "enforce".
type policyHintsControl struct{ oid string }

var _ goldap.Control = policyHintsControl{}

// GetControlType implements goldap.Control.
func (p policyHintsControl) GetControlType() string { return p.oid }

// Encode implements goldap.Control. The control is marked critical: it is
// only sent to a server that advertises it, and a server that then ignored
// it would silently skip the history check this control exists for.
func (p policyHintsControl) Encode() *ber.Packet {
	packet := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "Control")
	packet.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, p.oid, "Control Type (LDAP_SERVER_POLICY_HINTS)"))
	packet.AppendChild(ber.NewBoolean(ber.ClassUniversal, ber.TypePrimitive, ber.TagBoolean, true, "Criticality"))
	value := ber.Encode(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, nil, "Control Value (Policy Hints)")
	seq := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "PolicyHintsRequestValue")
	seq.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, 1, "Flags"))
	value.AppendChild(seq)
	packet.AppendChild(value)
	return packet
}

// String implements goldap.Control.
func (p policyHintsControl) String() string {
	return fmt.Sprintf("Control Type: LDAP_SERVER_POLICY_HINTS (%q) Criticality: true Flags: 1", p.oid)
}

// policyHints chooses, once per Directory, which control (if any) goes on
// every Active Directory password write: the newest one the server lists
// in its rootDSE supportedControl. A failed rootDSE read is not cached, so
// a directory that was down at the first write is asked again.
type policyHints struct {
	enforce bool

	mu    sync.Mutex
	known bool
	oid   string
}

// choose returns the control's OID, or "" when history cannot be (or is
// configured not to be) enforced.
func (h *policyHints) choose(ctx context.Context, c *conn) (string, error) {
	if !h.enforce {
		return "", nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.known {
		return h.oid, nil
	}
	root, err := c.readBase(ctx, "", "supportedControl")
	if err != nil {
		return "", fmt.Errorf("read rootDSE supportedControl: %w", err)
	}
	supported := root.GetAttributeValues("supportedControl")
	for _, oid := range []string{oidPolicyHints, oidPolicyHintsDeprecated} {
		if slices.Contains(supported, oid) {
			h.oid = oid
			break
		}
	}
	h.known = true
	return h.oid, nil
}

// controls are the controls of one password write.
func (h *policyHints) controls(ctx context.Context, c *conn) ([]goldap.Control, error) {
	oid, err := h.choose(ctx, c)
	if err != nil || oid == "" {
		return nil, err
	}
	return []goldap.Control{policyHintsControl{oid: oid}}, nil
}

// enforcement describes the choice for HistoryEnforcement.
func (h *policyHints) enforcement(ctx context.Context, c *conn) (directory.HistoryEnforcement, error) {
	if !h.enforce {
		return directory.HistoryEnforcement{Why: "directory.enforce_history is false"}, nil
	}
	oid, err := h.choose(ctx, c)
	if err != nil {
		return directory.HistoryEnforcement{}, err
	}
	if oid == "" {
		return directory.HistoryEnforcement{Why: "the server advertises neither policy-hints control (" +
			oidPolicyHints + ", " + oidPolicyHintsDeprecated + "), so Active Directory exempts resets from password history and minimum age"}, nil
	}
	return directory.HistoryEnforcement{Enforced: true, By: "LDAP_SERVER_POLICY_HINTS " + oid}, nil
}
