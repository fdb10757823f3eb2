package bot

import (
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/i18n"
)

// How a link reached its person, as the core tells the flow engine
// (Engine.LinkSent's where, Engine.ReissueLink's reason). The audit record
// keeps these words as they are, for the log's readers; the helpdesk
// thread shows them in its own language (auditWords).
const (
	viaDM      = "direct message"
	viaReply   = "private reply"
	viaResent  = "direct message, resent"
	viaClaim   = "direct message, opens once the recipient confirms in chat"
	viaClaimed = "private answer to the recipient's confirmation"
	// reissueUndelivered is why the delivery job replaced a link.
	reissueUndelivered = "the first link was not recorded as delivered"
)

// auditIDs are the catalogue ids of the audit reasons the helpdesk reads
// most: the core's own (above) and the flow engine's reason codes for a
// request it refused or marked privileged (flows.Reason*), compared as
// codes, never parsed. TestHelpdeskLanguageGerman
// walks through the engine's, so a change of their text shows up there as
// English in a German thread.
var auditIDs = map[string]string{
	viaDM: "chat.via.dm", viaReply: "chat.via.reply", viaResent: "chat.via.resent",
	viaClaim: "chat.via.claim", viaClaimed: "chat.via.claimed", reissueUndelivered: "chat.via.undelivered",
	flows.LinkSentByOpening:        "chat.via.opened",
	flows.ReasonPrivileged:         "chat.reason.privileged",
	flows.ReasonNoAccountChatID:    "chat.reason.no_account",
	flows.ReasonNoAccountEmail:     "chat.reason.no_account_email",
	flows.ReasonTooManyForIdentity: "chat.reason.too_many_identity",
	flows.ReasonTooManyForAccount:  "chat.reason.too_many_account",
	flows.ReasonBreakGlass:         "chat.reason.break_glass",
	flows.ReasonDisabled:           "chat.reason.disabled",
	flows.RiskStepUpReason:         "chat.reason.risk_step_up",
}

// auditWords shows an audit reason in l when the catalogue has it; any
// other reason (a directory's message, a browser's) is shown as it is.
func auditWords(l i18n.Lang, reason string) string {
	if id, ok := auditIDs[reason]; ok {
		return l.T(id)
	}
	return reason
}
