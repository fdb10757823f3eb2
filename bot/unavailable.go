package bot

import "github.com/resetbot/resetbot/internal/i18n"

// MsgTemporarilyUnavailable answers a command or click that could not even
// be checked for a redelivery because Redis did not answer in time. The
// platform packages give it as their immediate answer, so the user reads
// what to do at once instead of waiting for the platform to time out; it
// says nothing about any account. It is in the catalogue's source
// language: the platform answers before the core has read who asked, so
// no reader's language is known yet.
func MsgTemporarilyUnavailable() Message {
	l := i18n.For("")
	return Message{
		Summary: l.T("chat.temporarily_unavailable"),
		Body:    []string{l.T("chat.temporarily_unavailable")},
		Tone:    ToneWarning,
	}
}
