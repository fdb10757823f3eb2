package webauth

import (
	"crypto/rand"
	"strings"
)

// errorIDAlphabet has no look-alike characters (no 0/O, 1/I/L), because
// people read error ids aloud to the helpdesk.
const errorIDAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// newErrorID returns a short random id ("E-7KQ2-M9XA") that ties what the
// user sees to the log line with the precise cause.
func newErrorID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	var sb strings.Builder
	sb.WriteString("E-")
	for i, c := range b {
		if i == 4 {
			sb.WriteByte('-')
		}
		sb.WriteByte(errorIDAlphabet[int(c)%len(errorIDAlphabet)])
	}
	return sb.String()
}
