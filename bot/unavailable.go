package bot

// MsgTemporarilyUnavailable answers a command or click that could not even
// be checked for a redelivery because Redis did not answer in time. The
// platform packages give it as their immediate answer, so the user reads
// what to do at once instead of waiting for the platform to time out; it
// says nothing about any account.
func MsgTemporarilyUnavailable() Message {
	return Message{
		Summary: "I'm temporarily unavailable. Please try again in a moment.",
		Body:    []string{"I'm temporarily unavailable. Please try again in a moment."},
		Tone:    ToneWarning,
	}
}
