package webauth

import "github.com/resetbot/resetbot/flows"

// isChange reports whether f is a password change (flows.KindChange, from
// an expiry reminder): the same pages as a reset, but the person did not
// forget anything, so the brand line, the landing heading and the wait for
// an approval say "change" (web.change.*), never "reset". f may be nil (a
// link that names no flow).
func isChange(f *flows.Flow) bool { return f != nil && f.Kind == flows.KindChange }
