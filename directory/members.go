package directory

import "context"

// GroupMemberLister is an optional capability: a backend that can list
// every account in a group, nested membership resolved (Active Directory's
// matching rule in chain; on OpenLDAP and 389-ds a walk over member with
// a depth limit and a cycle guard). Enrollment compliance by group and
// enrollment campaigns are built on it: both need to know who is in a group,
// not only whether one known account is.
//
// Callers discover it by type assertion, like ExpiryLister.
type GroupMemberLister interface {
	// GroupMembers returns each user account that is a member of the
	// group groupDN, directly or through nested groups, once, in no
	// particular order. Disabled accounts are included with Disabled set,
	// so a report can count them and a campaign skip them. The users'
	// Groups are not resolved: listing is a few paged searches, not one
	// per account. A DN that names no group is ErrNotFound.
	GroupMembers(ctx context.Context, groupDN string) ([]*User, error)
}
