package webauth

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/resetbot/resetbot/flows"
)

// ceremonyTOTP keeps a generated TOTP secret until one valid code confirms
// that the user's app holds it; only then is it stored for good.
const ceremonyTOTP = "totp-pending"

// pendingTOTP is the server-side state of a TOTP setup. Both fields reveal
// the secret (the otpauth:// URL carries it), so it is only ever stored
// sealed.
type pendingTOTP struct {
	Secret string `json:"secret"`
	URL    string `json:"url"`
}

// pendingAAD is the additional authenticated data of a sealed pending
// secret: its purpose, its flow and its account, each length-prefixed so no
// two (flow, account) pairs encode alike and no sealed value of another
// purpose (a stored credential is bound to the bare account id) fits. A
// sealed value copied to another flow or account does not open.
func pendingAAD(flowID, accountID string) []byte {
	b := []byte("resetbot/totp-pending/v1")
	for _, part := range []string{flowID, accountID} {
		b = binary.AppendUvarint(b, uint64(len(part)))
		b = append(b, part...)
	}
	return b
}

// putPendingTOTP seals p for the flow and keeps it for ceremonyTTL,
// replacing an earlier pending secret of the flow.
func (s *Server) putPendingTOTP(ctx context.Context, f *flows.Flow, p pendingTOTP) error {
	plain, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("webauth: encode %s: %w", ceremonyTOTP, err)
	}
	sealed, err := s.sealer.Seal(plain, pendingAAD(f.ID, f.Subject.AccountID))
	clear(plain)
	if err != nil {
		return fmt.Errorf("webauth: seal %s: %w", ceremonyTOTP, err)
	}
	return s.sessions.put(ctx, ceremonyTOTP, f.ID, sealed, ceremonyTTL)
}

// pendingTOTP opens the flow's pending secret. A value that does not open
// (moved from another flow or account, altered, or sealed under another
// key) is treated as no setup in progress: the user starts the setup again
// and the precise cause goes to the log.
func (s *Server) pendingTOTP(ctx context.Context, f *flows.Flow) (pendingTOTP, error) {
	var p pendingTOTP
	var sealed []byte
	if err := s.sessions.get(ctx, ceremonyTOTP, f.ID, &sealed); err != nil {
		return p, err
	}
	plain, err := s.sealer.Open(sealed, pendingAAD(f.ID, f.Subject.AccountID))
	if err != nil {
		return p, fmt.Errorf("%w: pending TOTP secret: %w", errNoCeremony, err)
	}
	defer clear(plain)
	if err := json.Unmarshal(plain, &p); err != nil {
		return p, fmt.Errorf("webauth: decode %s: %w", ceremonyTOTP, err)
	}
	return p, nil
}
