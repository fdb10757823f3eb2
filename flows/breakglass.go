package flows

import "github.com/resetbot/resetbot/directory"

// BreakGlass reports whether the engine's policy lists the account as
// break-glass, so work outside a flow (an enrollment campaign) leaves the
// same accounts alone that a flow would refuse.
func (e *Engine) BreakGlass(u *directory.User) bool { return e.cfg.Policy.BreakGlassAccount(u) }
