package bot

import (
	"strings"
	"time"

	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/i18n"
)

// The helpdesk's view of a flow: one parent message (who, which account
// tier, what, current status) and one reply per audit event. After a
// backlog (a burst, a chat outage) a flow's waiting steps are one reply,
// and a flow that finished before its thread could be posted is one
// parent message with every step in it (coalesce.go). A helpdesk member
// reading a finished thread can tell what happened without a log.

// kindTitle names a flow's kind in l, as the thread's title.
func kindTitle(l i18n.Lang, k flows.Kind) string {
	switch k {
	case flows.KindUnlock, flows.KindEnroll, flows.KindChange:
		return l.T("chat.kind." + string(k))
	}
	return l.T("chat.kind.reset")
}

// statusWords describes a state for the parent message, in l; an unknown
// state is shown as it is.
func statusWords(l i18n.Lang, s flows.State) (string, Tone) {
	tone, ok := statusTones[s]
	if !ok {
		return string(s), ToneNeutral
	}
	return l.T("chat.status." + string(s)), tone
}

// statusTones are the states the parent message words, with their tone.
var statusTones = map[flows.State]Tone{
	flows.StateIssued: ToneNeutral, flows.StateRedeemed: ToneNeutral, flows.StateAwaitingApproval: ToneWarning,
	flows.StateVerified: ToneNeutral, flows.StateApplying: ToneNeutral, flows.StateCompleted: ToneGood,
	flows.StateDenied: ToneDanger, flows.StateFailed: ToneDanger, flows.StateCancelled: ToneNeutral,
	flows.StateSuperseded: ToneNeutral, flows.StateExpired: ToneNeutral,
}

// parentMessage renders the thread's top-level message from the flow, in
// the helpdesk's language.
func (b *Bot) parentMessage(f *flows.Flow) Message {
	if f.Kind == flows.KindVerify {
		return b.verifyParent(f)
	}
	l := b.helpdeskLang()
	who := displayName(l, f.Subject.DisplayName, f.Subject.AccountName)
	tier := l.T("chat.parent.tier.standard")
	if f.Subject.Privileged {
		tier = l.T("chat.parent.tier.privileged")
	}
	status, tone := statusWords(l, f.State)
	if f.State == flows.StateIssued && f.LinkSentAt.IsZero() {
		status = l.T("chat.status.undelivered")
	}
	title := kindTitle(l, f.Kind)
	if f.Kind == flows.KindRevoke {
		title, tier, status = b.revokeWords(f, tier, status)
	}
	m := Message{
		Summary: l.T("chat.parent.summary", "Title", title, "Who", who, "Status", status),
		Title:   title + " · " + who,
		Fields: []Field{
			{Label: l.T("chat.parent.user"), Value: Mention(f.Subject.Chat)},
			{Label: l.T("chat.parent.account"), Value: tier},
			{Label: l.T("chat.parent.requested_by"), Value: Mention(f.RequestedBy)},
			{Label: l.T("chat.parent.status"), Value: status},
		},
		Note: l.T("chat.parent.note", "ID", f.ID, "Time", b.clock(f.IssuedAt)),
		Tone: tone,
	}
	if f.Subject.Department != "" {
		m.Fields = append(m.Fields[:2], append([]Field{{Label: l.T("chat.parent.department"), Value: f.Subject.Department}}, m.Fields[2:]...)...)
	}
	// A privileged flow's thread is where its approval will be asked:
	// it goes first until the decision, and so do the buttons.
	m.Urgent = f.Approval.Required && !f.Approval.Decided && !f.State.Terminal()
	if f.State == flows.StateAwaitingApproval && !f.Approval.Decided {
		m.Buttons = []Button{
			{ActionID: ActionApprove, Value: f.ID, Label: l.T("chat.parent.approve"), Style: StylePrimary},
			{ActionID: ActionDeny, Value: f.ID, Label: l.T("chat.parent.deny"), Style: StyleDanger},
		}
	}
	if f.Approval.Decided {
		id := "chat.parent.denied"
		if f.Approval.Granted {
			id = "chat.parent.approved"
		}
		m.Body = []string{l.T(id, "Who", Mention(f.Approval.By), "Time", b.clock(f.Approval.At))}
	}
	return m
}

// eventMessage renders one audit event as a thread reply.
func (b *Bot) eventMessage(ev flows.Event) Message {
	text, tone := b.eventWords(ev)
	line := b.clock(ev.Time) + " · " + text
	m := Message{Summary: line, Body: []string{line}, Tone: tone, Urgent: ev.Type == flows.EventApprovalRequired}
	if ev.Type == flows.EventCancelled && ev.Outcome == flows.OutcomeNoFactor {
		m.Buttons = []Button{{ActionID: ActionSendEnroll, Value: ev.FlowID, Label: b.helpdeskLang().T("chat.event.send_enroll"), Style: StylePrimary}}
	}
	return m
}

// previewPrefix starts the device the web app records for a link preview
// or mail scanner (webauth.PreviewPrefix).
const previewPrefix = "link preview by "

// eventWords is what each event means to the helpdesk, in its language
// (ids "chat.event."). An event's reason, outcome, device and address are
// the audit record's own text and fill the placeholders as they are.
func (b *Bot) eventWords(ev flows.Event) (string, Tone) {
	l := b.helpdeskLang()
	t := func(id string, args ...any) string {
		return l.T("chat.event."+id, append(args, "Actor", actorWords(l, ev.Actor), "Place", placeWords(l, ev),
			"Method", methodWords(l, ev.Method), "Account", ev.Account)...)
	}
	// why is the event's reason, or the catalogue's default when it has none.
	why := func(def string) string { return auditWords(l, orDefault(ev.Reason, l.T("chat.event."+def))) }
	reason := auditWords(l, ev.Reason)
	switch ev.Type {
	case flows.EventRequested:
		if ev.Reason != "" {
			return t("requested_why", "Reason", reason), ToneNeutral
		}
		return t("requested"), ToneNeutral
	case flows.EventLinkSent:
		return t("link_sent", "Channel", why("link_sent_default")), ToneNeutral
	case flows.EventLinkReissued:
		return t("link_reissued", "Reason", why("link_reissued_default")), ToneWarning
	case flows.EventLinkPreviewed:
		// An unfurler or mail scanner fetched it, not the user.
		by, _ := strings.CutPrefix(ev.Device, previewPrefix)
		return t("previewed", "By", orDefault(by, l.T("chat.event.previewed_default"))), ToneNeutral
	case flows.EventLinkOpened:
		if by, ok := strings.CutPrefix(ev.Device, previewPrefix); ok {
			// Recorded before previews had their own type.
			return t("previewed", "By", by), ToneNeutral
		}
		return t("link_opened"), ToneNeutral
	case flows.EventLinkRedeemed:
		return t("link_redeemed"), ToneNeutral
	case flows.EventVerified:
		return t("verified"), ToneGood
	case flows.EventVerifyFailed:
		return t("verify_failed", "Reason", why("verify_failed_default")), ToneWarning
	case flows.EventApprovalRequired:
		if ev.Reason != "" {
			return t("approval_required_why", "Reason", reason), ToneWarning
		}
		return t("approval_required"), ToneWarning
	case flows.EventApproved:
		return t("approved"), ToneGood
	case flows.EventDenied:
		return t("denied"), ToneDanger
	case flows.EventApplying:
		if ev.Kind == flows.KindRevoke {
			return l.T("chat.revoke.thread.removing", "What", ev.Reason), ToneNeutral
		}
		return t("applying"), ToneNeutral
	case flows.EventPasswordSet:
		return t("password_set"), ToneGood
	case flows.EventPasswordRefused:
		return t("password_refused", "Reason", why("password_refused_default")), ToneWarning
	case flows.EventUnlocked:
		return t("unlocked"), ToneGood
	case flows.EventEnrolled:
		return t("enrolled"), ToneGood
	case flows.EventFactorAdded, flows.EventFactorRemoved:
		return b.factorWords(l, ev)
	case flows.EventApplyFailed:
		if ev.Outcome == flows.OutcomeNotRead {
			// Nothing was written: the re-read before the write failed.
			return t("apply_not_read", "Reason", why("apply_failed_default")), ToneDanger
		}
		if ev.Outcome == flows.OutcomeRefused {
			// Nothing was written: the re-read found the account no longer
			// eligible (disabled, newly privileged, a break-glass account).
			return t("apply_refused", "Reason", why("apply_failed_default")), ToneDanger
		}
		return t("apply_failed", "Reason", why("apply_failed_default")), ToneDanger
	case flows.EventCompleted:
		return t("completed"), ToneGood
	case flows.EventRecoveredCompleted:
		return t("recovered_completed", "Reason", why("recovered_completed_default")), ToneGood
	case flows.EventRecoveredFailed:
		if ev.Outcome == flows.RecoveryUnknown {
			// No evidence either way (an interrupted removal of a sign-in
			// method, a directory without a change time): nothing says the
			// write failed, so the words do not either.
			return t("recovered_unknown", "Reason", orDefault(ev.Reason, ev.Outcome)), ToneWarning
		}
		return t("recovered_failed", "Reason", orDefault(ev.Reason, ev.Outcome)), ToneDanger
	case flows.EventCancelled:
		if ev.Outcome == flows.OutcomeNoFactor {
			return t("nofactor", "Reason", why("nofactor_default")), ToneWarning
		}
		if ev.Reason == linkUndeliverableReason {
			return t("undeliverable"), ToneWarning
		}
		return t("cancelled"), ToneNeutral
	case flows.EventSuperseded:
		return t("superseded"), ToneNeutral
	case flows.EventExpired:
		return t("expired"), ToneNeutral
	case flows.EventFailed:
		if ev.Outcome == flows.OutcomeRiskDenied {
			// The risk signal's own line, just above, says which and why.
			return t("failed_risk"), ToneDanger
		}
		return t("failed", "Reason", auditWords(l, orDefault(ev.Reason, ev.Outcome))), ToneDanger
	case flows.EventLinkClaimed:
		return t("claimed"), ToneNeutral
	case flows.EventClaimRefused:
		return t("claim_refused", "Reason", why("claim_refused_default")), ToneWarning
	case flows.EventClickRefused:
		return t("click_refused", "Reason", why("click_refused_default")), ToneWarning
	case flows.EventFactorsRevoked:
		return t("factors_revoked", "Reason", reason), ToneWarning
	case flows.EventRiskDecided:
		return riskWords(l, ev)
	case flows.EventRefused:
		id := "refused"
		if ev.Account != "" {
			id = "refused_for"
		}
		return t(id, "Reason", auditWords(l, orDefault(ev.Reason, ev.Outcome))), ToneWarning
	}
	return string(ev.Type), ToneNeutral
}

// actorWords renders an audit actor ("slack:U1", "system") in l: a
// person as the core's mention, the system by the bot's name.
func actorWords(l i18n.Lang, actor string) string {
	platform, id, ok := strings.Cut(actor, ":")
	if !ok || id == "" {
		if actor == "" || actor == "system" {
			return l.T("chat.actor.system")
		}
		return actor
	}
	return Mention(flows.ChatIdentity{Platform: platform, UserID: id})
}

// methodWords names a verification method in l; an unknown one is shown
// as it is.
func methodWords(l i18n.Lang, m string) string {
	switch m {
	case flows.MethodPasskey:
		return l.T("chat.method.passkey")
	case flows.MethodTOTP:
		return l.T("chat.method.totp")
	case flows.MethodPassword:
		return l.T("chat.method.password")
	case flows.MethodHelpdeskLink:
		return l.T("chat.method.helpdesk_link")
	case "":
		return l.T("chat.method.unknown")
	}
	return m
}

// placeWords is " from <device>, <address>" in l, to follow a sentence's
// verb, or "" when the event has neither.
func placeWords(l i18n.Lang, ev flows.Event) string {
	var parts []string
	if ev.Device != "" {
		parts = append(parts, ev.Device)
	}
	if ev.SourceIP != "" {
		parts = append(parts, ev.SourceIP)
	}
	if len(parts) == 0 {
		return ""
	}
	return l.T("chat.place.from", "Place", strings.Join(parts, ", "))
}

// dateIn is t with its day in the configured time zone, in l's layout.
func (b *Bot) dateIn(l i18n.Lang, t time.Time) string {
	return t.In(b.cfg.Location).Format(l.T("chat.date.layout"))
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// changesStatus reports whether an event records a transition (events
// appended without one, like "link opened", have no From), or the link's
// delivery, which the parent's status words tell, so the parent message
// must be refreshed.
func changesStatus(ev flows.Event) bool {
	return ev.From != "" || ev.Type == flows.EventLinkSent || ev.Type == flows.EventLinkReissued
}

// refreshesParent reports whether ev must re-render f's thread parent: it
// changes what the parent says, and f has not ended, or ev is its ending.
// Once a flow has ended nothing else changes its parent (the link's
// delivery, recorded after a quick user had already finished, changes no
// words of an ended flow), so a parent posted with every step in it
// (postWhole) keeps them.
func refreshesParent(f *flows.Flow, ev flows.Event) bool {
	return changesStatus(ev) && (!f.State.Terminal() || ev.From != "")
}
