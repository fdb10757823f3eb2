package bot

import "github.com/resetbot/resetbot/flows"

// msgRecovered tells the user the outcome of a reset or unlock whose
// recording was interrupted (a restart, an outage) and was later read from
// the directory: the page they saw may have been left waiting or have said
// nothing, so chat is where they learn what is true.
func (b *Bot) msgRecovered(f *flows.Flow, ev flows.Event) Message {
	if ev.Type == flows.EventRecoveredCompleted {
		changed := ev
		changed.Type = flows.EventPasswordSet
		if f.Kind == flows.KindUnlock {
			changed.Type = flows.EventUnlocked
		}
		if !f.ApplyingAt.IsZero() {
			changed.Time = f.ApplyingAt // when the write began, not when it was found
		}
		m := b.msgChanged(f, changed)
		m.Body = append([]string{"Your request was interrupted before we could confirm it, but the directory shows it went through."}, m.Body...)
		return m
	}
	what, still := "Your password was not changed", "Your current password still works."
	if f.Kind == flows.KindUnlock {
		what, still = "Your account was not unlocked", "Your account is still locked."
	}
	line := what + ": the request was interrupted before the directory accepted it."
	return Message{Summary: line, Title: what, Tone: ToneWarning, Note: "Flow " + f.ID,
		Body: []string{line, still, "Ask me for a new link to try again, or contact " + b.cfg.HelpdeskContact + "."}}
}
