package bot

import "crypto/rand"

// newErrorID returns a short id a user can read out to the helpdesk, which
// finds the precise cause in the log under the same id.
func newErrorID() string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789" // no 0/O, 1/I
	var b [6]byte
	_, _ = rand.Read(b[:])
	out := make([]byte, 0, 8)
	out = append(out, 'E', '-')
	for _, c := range b {
		out = append(out, alphabet[int(c)%len(alphabet)])
	}
	return string(out)
}

// fail logs the precise cause under a new error id and returns the id.
func (b *Bot) fail(msg string, err error, attrs ...any) string {
	id := newErrorID()
	b.deps.Log.Error(msg, append([]any{"error_id", id, "err", err}, attrs...)...)
	return id
}
