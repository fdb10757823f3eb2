package redisstore

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/resetbot/resetbot/flows"
)

// Flow record tags. The id is not stored (the key names it) and neither is
// the version (the stored value carries it in front, for the scripts).
// Times other than IssuedAt are relative to it. Append only.
const (
	fKind byte = iota + 1
	fKindCode
	fAccountID
	fAccountUUID
	fAccountName
	fDepartment
	fDisplayName
	fChatPlatform
	fChatPlatformCode
	fChatUser
	fPrivileged
	fRequestedBySubject // RequestedBy equals Subject.Chat
	fReqPlatform
	fReqUser
	fReqAccountID
	fState
	fStateCode
	fIssuedAt
	fExpiresAt
	fVerifyAttempts
	fPasswordAttempts
	fVerified
	fChanged
	fRisk
	fApprovalRequired
	fApprovalDecided
	fApprovalGranted
	fApprovalByPlatform
	fApprovalByUser
	fApprovalByAccountID
	fApprovalAt
	fApprovalReason
	fThread
	fTokenHash
	fTokenHashHex
	fBinding
	fBindingHex
	fTarget
	fTargetAccount
	fGrant
	fEndedAt
	fApplyingAt
	fReconcileAt
	fRecovery
	fLinkSentAt
	fLang
	fTimeZone
	fClaimRequired
	fClaimByPlatform
	fClaimByUser
	fClaimAt
	fFactor
	fPasswordExpiry
	fTargetKind
	fRevoking
	fRiskSeen
	fRiskDenied
)

// encodeFlow is the compact record of f (without its id and version).
func encodeFlow(f *flows.Flow) []byte {
	w := recWriter{b: make([]byte, 0, 192)}
	w.b = append(w.b, formatV1)
	w.subject(string(f.Kind), f.Subject.AccountID, f.Subject.AccountName, f.Subject.Department)
	w.str(fDisplayName, f.Subject.DisplayName)
	w.code(fChatPlatform, fChatPlatformCode, platformCodes, f.Subject.Chat.Platform)
	w.str(fChatUser, f.Subject.Chat.UserID)
	w.flag(fPrivileged, f.Subject.Privileged)
	if f.RequestedBy == f.Subject.Chat && f.RequestedBy != (flows.ChatIdentity{}) {
		w.tag(fRequestedBySubject)
	} else {
		w.str(fReqPlatform, f.RequestedBy.Platform)
		w.str(fReqUser, f.RequestedBy.UserID)
	}
	w.str(fReqAccountID, f.RequestedByAccountID)
	w.code(fState, fStateCode, stateCodes, string(f.State))
	base := f.IssuedAt
	w.time(fIssuedAt, base, time.Time{})
	if base.IsZero() {
		base = time.Unix(0, 0)
	}
	w.time(fExpiresAt, f.ExpiresAt, base)
	w.int(fVerifyAttempts, int64(f.Attempts.Verify))
	w.int(fPasswordAttempts, int64(f.Attempts.Password))
	w.list(fVerified, f.Verified)
	w.list(fChanged, f.Changed)
	w.list(fRisk, f.Risk)
	a := f.Approval
	w.flag(fApprovalRequired, a.Required)
	w.flag(fApprovalDecided, a.Decided)
	w.flag(fApprovalGranted, a.Granted)
	w.str(fApprovalByPlatform, a.By.Platform)
	w.str(fApprovalByUser, a.By.UserID)
	w.str(fApprovalByAccountID, a.ByAccountID)
	w.time(fApprovalAt, a.At, base)
	w.str(fApprovalReason, a.Reason)
	w.str(fThread, f.Thread)
	w.hexStr(fTokenHash, fTokenHashHex, f.TokenHash)
	w.hexStr(fBinding, fBindingHex, f.Binding)
	w.str(fTarget, f.Approve.Target)
	w.str(fTargetAccount, f.Approve.TargetAccount)
	w.flag(fGrant, f.Approve.Grant)
	w.time(fEndedAt, f.EndedAt, base)
	w.time(fApplyingAt, f.ApplyingAt, base)
	w.time(fReconcileAt, f.ReconcileAt, base)
	w.str(fRecovery, f.Recovery)
	w.time(fLinkSentAt, f.LinkSentAt, base)
	w.str(fLang, f.Locale.Lang)
	w.str(fTimeZone, f.Locale.TimeZone)
	w.flag(fClaimRequired, f.Claim.Required)
	w.str(fClaimByPlatform, f.Claim.By.Platform)
	w.str(fClaimByUser, f.Claim.By.UserID)
	w.time(fClaimAt, f.Claim.At, base)
	w.str(fFactor, f.Factor)
	w.time(fPasswordExpiry, f.PasswordExpiry, base)
	w.str(fTargetKind, string(f.Approve.TargetKind))
	w.list(fRevoking, f.Revoking)
	w.list(fRiskSeen, f.RiskSeen)
	w.str(fRiskDenied, f.RiskDenied)
	return w.b
}

// subject writes the fields a flow's events may refer to, first in every
// flow record and in this order, so that the record starting with a
// format byte and exactly these bytes (the next field, if any, has a later
// tag) proves the event and the flow name the same subject.
func (w *recWriter) subject(kind, accountID, accountName, department string) {
	w.code(fKind, fKindCode, kindCodes, kind)
	w.uuidStr(fAccountID, fAccountUUID, accountID)
	w.str(fAccountName, accountName)
	w.str(fDepartment, department)
}

// subjectPrefix is what a flow record of ev's subject starts with after
// its format byte.
func subjectPrefix(ev flows.Event) string {
	var w recWriter
	w.subject(string(ev.Kind), ev.AccountID, ev.Account, ev.Department)
	return string(w.b)
}

// decodeJSONFlow reads the JSON record of an earlier version. Releases
// before Flow.Approve wrote its fields at the top level.
func decodeJSONFlow(data []byte, f *flows.Flow) error {
	if err := json.Unmarshal(data, f); err != nil {
		return err
	}
	var flat flows.ApproveFields
	if err := json.Unmarshal(data, &flat); err != nil {
		return err
	}
	if f.Approve == (flows.ApproveFields{}) {
		f.Approve = flat
	}
	return nil
}

// decodeFlow reads a flow record, compact or the JSON of earlier versions.
func decodeFlow(data []byte, f *flows.Flow) error {
	if len(data) > 0 && data[0] == '{' {
		return decodeJSONFlow(data, f)
	}
	if len(data) == 0 || data[0] != formatV1 {
		return fmt.Errorf("%w: unknown format", errRecord)
	}
	r := recReader{b: data[1:]}
	requestedBySubject := false
	// Relative times are resolved once IssuedAt is known.
	type rel struct {
		to *time.Time
		x  int64
	}
	var rels []rel
	relTime := func(to *time.Time) { rels = append(rels, rel{to, r.int()}) }
	for !r.done() {
		switch t := r.tag(); t {
		case fKind:
			f.Kind = flows.Kind(r.str())
		case fKindCode:
			f.Kind = flows.Kind(r.code(kindCodes))
		case fAccountID:
			f.Subject.AccountID = r.str()
		case fAccountUUID:
			f.Subject.AccountID = r.uuid()
		case fAccountName:
			f.Subject.AccountName = r.str()
		case fDepartment:
			f.Subject.Department = r.str()
		case fDisplayName:
			f.Subject.DisplayName = r.str()
		case fChatPlatform:
			f.Subject.Chat.Platform = r.str()
		case fChatPlatformCode:
			f.Subject.Chat.Platform = r.code(platformCodes)
		case fChatUser:
			f.Subject.Chat.UserID = r.str()
		case fPrivileged:
			f.Subject.Privileged = true
		case fRequestedBySubject:
			requestedBySubject = true
		case fReqPlatform:
			f.RequestedBy.Platform = r.str()
		case fReqUser:
			f.RequestedBy.UserID = r.str()
		case fReqAccountID:
			f.RequestedByAccountID = r.str()
		case fState:
			f.State = flows.State(r.str())
		case fStateCode:
			f.State = flows.State(r.code(stateCodes))
		case fIssuedAt:
			f.IssuedAt = r.time(time.Time{})
		case fExpiresAt:
			relTime(&f.ExpiresAt)
		case fVerifyAttempts:
			f.Attempts.Verify = int(r.int())
		case fPasswordAttempts:
			f.Attempts.Password = int(r.int())
		case fVerified:
			f.Verified = append(f.Verified, r.str())
		case fChanged:
			f.Changed = append(f.Changed, r.str())
		case fRisk:
			f.Risk = append(f.Risk, r.str())
		case fApprovalRequired:
			f.Approval.Required = true
		case fApprovalDecided:
			f.Approval.Decided = true
		case fApprovalGranted:
			f.Approval.Granted = true
		case fApprovalByPlatform:
			f.Approval.By.Platform = r.str()
		case fApprovalByUser:
			f.Approval.By.UserID = r.str()
		case fApprovalByAccountID:
			f.Approval.ByAccountID = r.str()
		case fApprovalAt:
			relTime(&f.Approval.At)
		case fApprovalReason:
			f.Approval.Reason = r.str()
		case fThread:
			f.Thread = r.str()
		case fTokenHash:
			f.TokenHash = r.str()
		case fTokenHashHex:
			f.TokenHash = r.hex()
		case fBinding:
			f.Binding = r.str()
		case fBindingHex:
			f.Binding = r.hex()
		case fTarget:
			f.Approve.Target = r.str()
		case fTargetAccount:
			f.Approve.TargetAccount = r.str()
		case fGrant:
			f.Approve.Grant = true
		case fEndedAt:
			relTime(&f.EndedAt)
		case fApplyingAt:
			relTime(&f.ApplyingAt)
		case fReconcileAt:
			relTime(&f.ReconcileAt)
		case fRecovery:
			f.Recovery = r.str()
		case fLinkSentAt:
			relTime(&f.LinkSentAt)
		case fLang:
			f.Locale.Lang = r.str()
		case fTimeZone:
			f.Locale.TimeZone = r.str()
		case fClaimRequired:
			f.Claim.Required = true
		case fClaimByPlatform:
			f.Claim.By.Platform = r.str()
		case fClaimByUser:
			f.Claim.By.UserID = r.str()
		case fClaimAt:
			relTime(&f.Claim.At)
		case fFactor:
			f.Factor = r.str()
		case fPasswordExpiry:
			relTime(&f.PasswordExpiry)
		case fTargetKind:
			f.Approve.TargetKind = flows.Kind(r.str())
		case fRevoking:
			f.Revoking = append(f.Revoking, r.str())
		case fRiskSeen:
			f.RiskSeen = append(f.RiskSeen, r.str())
		case fRiskDenied:
			f.RiskDenied = r.str()
		default:
			return fmt.Errorf("%w: unknown flow field %d", errRecord, t)
		}
	}
	if r.err != nil {
		return r.err
	}
	base := f.IssuedAt
	if base.IsZero() {
		base = time.Unix(0, 0)
	}
	for _, x := range rels {
		t, ok := timeFrom(x.x, base)
		if !ok {
			return fmt.Errorf("%w: time out of range", errRecord)
		}
		*x.to = t
	}
	if requestedBySubject {
		f.RequestedBy = f.Subject.Chat
	}
	return nil
}
