package bot

import "github.com/resetbot/resetbot/flows"

// msgRecovered tells the user the outcome of a reset or unlock whose
// recording was interrupted (a restart, an outage) and was later read from
// the directory: the page they saw may have been left waiting or have said
// nothing, so chat is where they learn what is true. It is in the user's
// language (chat.recovered.*); an unknown outcome says so instead of
// guessing.
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
		m.Body = append([]string{b.langOf(f.Locale).T("chat.recovered.went_through")}, m.Body...)
		return m
	}
	l := b.langOf(f.Locale)
	id := "chat.recovered.reset"
	switch {
	case ev.Outcome == flows.RecoveryUnknown:
		// No evidence either way (a directory without a change time):
		// neither "changed" nor "not changed" would be true.
		id = "chat.recovered.unknown"
	case f.Kind == flows.KindUnlock:
		id = "chat.recovered.unlock"
	}
	line := l.T(id + ".line")
	return Message{Summary: line, Title: l.T(id + ".title"), Tone: ToneWarning, Note: l.T("chat.flow", "ID", f.ID),
		Body: []string{line, l.T(id + ".still"), l.T("chat.recovered.retry", "Contact", b.cfg.HelpdeskContact)}}
}
