package ldap

import (
	"context"

	goldap "github.com/go-ldap/ldap/v3"

	"github.com/resetbot/resetbot/directory"
)

// dialect is everything that differs between Active Directory and
// OpenLDAP. The Directory does the common work (connections, lookups,
// escaping, error classes) and asks the dialect only for these facts.
type dialect interface {
	// userFilter selects user entries (not computers, groups or services).
	userFilter() string
	// idFilter turns an immutable id string into a safe filter, or an error
	// when the string cannot be an id.
	idFilter(id string) (string, error)
	// attributes lists what readID and status need.
	attributes() []string
	readID(e *goldap.Entry) (string, error)
	// otherNames are the entry's login names besides the values of the
	// configured account attribute (AD: userPrincipalName).
	otherNames(e *goldap.Entry) []string
	status(e *goldap.Entry) (disabled, locked bool)
	// groups returns the DNs of every group the user of entry e is in,
	// transitively; e was read with attributes(), so a dialect that reads
	// memberOf finds the direct groups on it, and known is what e's own
	// search said about some groups' memberOf (nil: nothing).
	groups(ctx context.Context, c *conn, e *goldap.Entry, known map[string][]string) ([]string, error)
	// setPassword writes the password as the service account; errors are
	// returned as the server sent them.
	setPassword(ctx context.Context, c *conn, userDN, password string) error
	// policyReason says in plain words why the server refused a password,
	// or ok=false when err is not a policy refusal.
	policyReason(err error) (reason string, ok bool)
	// unlock clears a failed-login lockout of the entry.
	unlock(ctx context.Context, c *conn, e *goldap.Entry) error
	policy(ctx context.Context, c *conn) (directory.Policy, error)
	// history says whether the server checks password history on the
	// service account's writes.
	history(ctx context.Context, c *conn) (directory.HistoryEnforcement, error)
	// changedAttr names the attribute holding when the password was last
	// set (read by PasswordChangedAt).
	changedAttr() string
}

// search runs one search bounded by ctx and the operation timeout.
func (c *conn) search(ctx context.Context, req *goldap.SearchRequest) (*goldap.SearchResult, error) {
	req.TimeLimit = int(c.timeout.Seconds() + 0.999)
	var res *goldap.SearchResult
	err := c.do(ctx, func() error {
		var err error
		res, err = c.Search(req)
		return err
	})
	return res, err
}

// searchPaged is search with the paged-results control, for result sets
// (group memberships) that may exceed a server's size limit.
func (c *conn) searchPaged(ctx context.Context, req *goldap.SearchRequest) (*goldap.SearchResult, error) {
	req.TimeLimit = int(c.timeout.Seconds() + 0.999)
	var res *goldap.SearchResult
	err := c.do(ctx, func() error {
		var err error
		res, err = c.SearchWithPaging(req, 500)
		return err
	})
	return res, err
}

// readBase reads one entry's attributes.
func (c *conn) readBase(ctx context.Context, dn string, attrs ...string) (*goldap.Entry, error) {
	res, err := c.search(ctx, goldap.NewSearchRequest(dn, goldap.ScopeBaseObject, goldap.NeverDerefAliases,
		1, 0, false, "(objectClass=*)", attrs, nil))
	if err != nil {
		return nil, err
	}
	if len(res.Entries) != 1 {
		return nil, goldap.NewError(goldap.LDAPResultNoSuchObject, nil)
	}
	return res.Entries[0], nil
}

// bindRefuser is the optional part of a dialect whose server refuses a
// user's bind with a code other than invalidCredentials (49) when the
// account cannot sign in (locked out, disabled), so that VerifyPassword
// reports it as the user's problem and not as the directory being down.
type bindRefuser interface {
	bindRefused(err error) bool
}
