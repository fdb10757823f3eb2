package bot

import (
	"fmt"
	"strings"
	"time"

	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/i18n"
)

// The helpdesk's view of a flow: one parent message (who, which account
// tier, what, current status) and one reply per audit event. A helpdesk
// member reading a finished thread can tell what happened without a log.

func kindTitle(k flows.Kind) string {
	switch k {
	case flows.KindUnlock:
		return "Account unlock"
	case flows.KindEnroll:
		return "Passkey enrollment"
	case flows.KindChange:
		return changeTitle
	}
	return "Password reset"
}

// statusWords describes a state for the parent message.
func statusWords(s flows.State) (string, Tone) {
	switch s {
	case flows.StateIssued:
		return "Link sent, waiting for the user to open it", ToneNeutral
	case flows.StateRedeemed:
		return "Link opened, waiting for verification", ToneNeutral
	case flows.StateAwaitingApproval:
		return "Verified with passkey, waiting for helpdesk approval", ToneWarning
	case flows.StateVerified:
		return "Verified, choosing a new password", ToneNeutral
	case flows.StateApplying:
		return "Writing to the directory", ToneNeutral
	case flows.StateCompleted:
		return "Completed", ToneGood
	case flows.StateDenied:
		return "Denied by the helpdesk", ToneDanger
	case flows.StateFailed:
		return "Failed", ToneDanger
	case flows.StateCancelled:
		return "Cancelled", ToneNeutral
	case flows.StateSuperseded:
		return "Replaced by a newer request", ToneNeutral
	case flows.StateExpired:
		return "Expired", ToneNeutral
	}
	return string(s), ToneNeutral
}

// parentMessage renders the thread's top-level message from the flow.
func (b *Bot) parentMessage(f *flows.Flow) Message {
	if f.Kind == flows.KindVerify {
		return b.verifyParent(f)
	}
	who := f.Subject.AccountName
	if f.Subject.DisplayName != "" {
		who = f.Subject.DisplayName + " (" + f.Subject.AccountName + ")"
	}
	tier := "standard"
	if f.Subject.Privileged {
		tier = "*privileged*: passkey and approval required"
	}
	status, tone := statusWords(f.State)
	if f.State == flows.StateIssued && f.LinkSentAt.IsZero() {
		status = "Link issued, not yet delivered to the user"
	}
	title := kindTitle(f.Kind)
	if f.Kind == flows.KindRevoke {
		title, tier, status = b.revokeWords(f, tier, status)
	}
	m := Message{
		Summary: fmt.Sprintf("%s for %s: %s", title, who, status),
		Title:   title + " · " + who,
		Fields: []Field{
			{Label: "User", Value: Mention(f.Subject.Chat)},
			{Label: "Account", Value: tier},
			{Label: "Requested by", Value: Mention(f.RequestedBy)},
			{Label: "Status", Value: status},
		},
		Note: "Flow " + f.ID + " · started " + b.clock(f.IssuedAt),
		Tone: tone,
	}
	if f.Subject.Department != "" {
		m.Fields = append(m.Fields[:2], append([]Field{{Label: "Department", Value: f.Subject.Department}}, m.Fields[2:]...)...)
	}
	// A privileged flow's thread is where its approval will be asked:
	// it goes first until the decision, and so do the buttons.
	m.Urgent = f.Approval.Required && !f.Approval.Decided && !f.State.Terminal()
	if f.State == flows.StateAwaitingApproval && !f.Approval.Decided {
		m.Buttons = []Button{
			{ActionID: ActionApprove, Value: f.ID, Label: "Approve", Style: StylePrimary},
			{ActionID: ActionDeny, Value: f.ID, Label: "Deny", Style: StyleDanger},
		}
	}
	if f.Approval.Decided {
		verb := "Denied"
		if f.Approval.Granted {
			verb = "Approved"
		}
		m.Body = []string{fmt.Sprintf("%s by %s at %s", verb, Mention(f.Approval.By), b.clock(f.Approval.At))}
	}
	return m
}

// eventMessage renders one audit event as a thread reply.
func (b *Bot) eventMessage(ev flows.Event) Message {
	text, tone := b.eventWords(ev)
	line := b.clock(ev.Time) + " · " + text
	m := Message{Summary: line, Body: []string{line}, Tone: tone, Urgent: ev.Type == flows.EventApprovalRequired}
	if ev.Type == flows.EventCancelled && ev.Outcome == flows.OutcomeNoFactor {
		m.Buttons = []Button{{ActionID: ActionSendEnroll, Value: ev.FlowID, Label: "Send a set-up link", Style: StylePrimary}}
	}
	return m
}

// previewPrefix starts the device the web app records for a link preview
// or mail scanner (webauth.PreviewPrefix).
const previewPrefix = "link preview by "

// eventWords is the catalogue of what each event means to the helpdesk.
func (b *Bot) eventWords(ev flows.Event) (string, Tone) {
	l := b.helpdeskLang()
	actor := actorWords(ev.Actor)
	where := placeWords(l, ev)
	switch ev.Type {
	case flows.EventRequested:
		s := "Requested by " + actor
		if ev.Reason != "" {
			s += " (" + ev.Reason + ")"
		}
		return s, ToneNeutral
	case flows.EventLinkSent:
		return "Link sent to the user by " + orDefault(ev.Reason, "private message"), ToneNeutral
	case flows.EventLinkReissued:
		return "Link replaced with a new one (" + orDefault(ev.Reason, "the first was not delivered") + ")", ToneWarning
	case flows.EventLinkPreviewed:
		// An unfurler or mail scanner fetched it, not the user.
		by, _ := strings.CutPrefix(ev.Device, previewPrefix)
		return "Link preview by " + orDefault(by, "a preview service") + " (not the user; the link still works)", ToneNeutral
	case flows.EventLinkOpened:
		if by, ok := strings.CutPrefix(ev.Device, previewPrefix); ok {
			// Recorded before previews had their own type.
			return "Link preview by " + by + " (not the user; the link still works)", ToneNeutral
		}
		return "Link opened" + where + " (not used yet)", ToneNeutral
	case flows.EventLinkRedeemed:
		return "Link used" + where, ToneNeutral
	case flows.EventVerified:
		return "Verified with " + methodWords(l, ev.Method) + where, ToneGood
	case flows.EventVerifyFailed:
		return "Verification failed (" + methodWords(l, ev.Method) + "): " + orDefault(ev.Reason, "no reason given") + where, ToneWarning
	case flows.EventApprovalRequired:
		if ev.Reason != "" {
			return "Privileged account: waiting for a helpdesk approval (" + ev.Reason + ")", ToneWarning
		}
		return "Privileged account: waiting for a helpdesk approval", ToneWarning
	case flows.EventApproved:
		return "Approved by " + actor, ToneGood
	case flows.EventDenied:
		return "Denied by " + actor, ToneDanger
	case flows.EventApplying:
		if ev.Kind == flows.KindRevoke {
			return l.T("chat.revoke.thread.removing", "What", ev.Reason), ToneNeutral
		}
		return "Writing to the directory", ToneNeutral
	case flows.EventPasswordSet:
		return "New password written to the directory", ToneGood
	case flows.EventPasswordRefused:
		return "The directory refused the new password: " + orDefault(ev.Reason, "policy"), ToneWarning
	case flows.EventUnlocked:
		return "Account unlocked in the directory", ToneGood
	case flows.EventEnrolled:
		return "Enrolled: " + methodWords(l, ev.Method), ToneGood
	case flows.EventFactorAdded, flows.EventFactorRemoved:
		return b.factorWords(l, ev)
	case flows.EventApplyFailed:
		return "Directory write failed: " + orDefault(ev.Reason, "error"), ToneDanger
	case flows.EventCompleted:
		return "Completed", ToneGood
	case flows.EventRecoveredCompleted:
		return "Completed (recovered after an interruption): " + orDefault(ev.Reason, "the directory shows the change"), ToneGood
	case flows.EventRecoveredFailed:
		return "Directory write failed (recovered after an interruption): " + orDefault(ev.Reason, ev.Outcome), ToneDanger
	case flows.EventCancelled:
		if ev.Outcome == flows.OutcomeNoFactor {
			return "No link sent: " + orDefault(ev.Reason, "no passkey enrolled"), ToneWarning
		}
		return "Cancelled by " + actor, ToneNeutral
	case flows.EventSuperseded:
		return "Replaced by a newer request", ToneNeutral
	case flows.EventExpired:
		return "Expired before it was finished", ToneNeutral
	case flows.EventFailed:
		return "Failed: " + orDefault(ev.Reason, ev.Outcome), ToneDanger
	case flows.EventLinkClaimed:
		return "The recipient confirmed in chat; link sent to them privately", ToneNeutral
	case flows.EventClaimRefused:
		return "Set-up link claim refused: " + actor + " (" + orDefault(ev.Reason, "not the recipient") + ")", ToneWarning
	case flows.EventClickRefused:
		return "Click refused: " + actor + " (" + orDefault(ev.Reason, "not allowed") + ")", ToneWarning
	case flows.EventFactorsRevoked:
		return "Removed from " + ev.Account + " by " + actor + ": " + ev.Reason, ToneWarning
	case flows.EventRefused:
		s := "Refused"
		if ev.Account != "" {
			s += " for " + ev.Account
		}
		return s + ", requested by " + actor + ": " + orDefault(ev.Reason, ev.Outcome), ToneWarning
	}
	return string(ev.Type), ToneNeutral
}

// actorWords renders an audit actor ("slack:U1", "system").
func actorWords(actor string) string {
	platform, id, ok := strings.Cut(actor, ":")
	if !ok || id == "" {
		if actor == "" || actor == "system" {
			return "resetbot"
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
