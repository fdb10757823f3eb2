package directory

import "context"

// HistoryEnforcement says whether the directory applies its password
// history (and minimum age) to the passwords resetbot writes. It matters
// because Active Directory exempts an administrative reset from history
// unless the write carries a policy-hints control the server understands:
// an administrator must know when "used recently" is not being checked.
type HistoryEnforcement struct {
	// Enforced is true when resetbot's writes are checked against history.
	Enforced bool
	// By names the mechanism, for the start-up log and `config check`: the
	// control's OID on Active Directory, "ppolicy" on OpenLDAP.
	By string
	// Why explains, when Enforced is false, what the directory lacks or
	// which setting turned it off.
	Why string
}

// HistoryReporter is the optional capability of directories whose history
// enforcement depends on the server or the configuration.
type HistoryReporter interface {
	HistoryEnforcement(ctx context.Context) (HistoryEnforcement, error)
}
