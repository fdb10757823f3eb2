package teams

import (
	"sync"
)

// maxSeen bounds the memory of users; a company's staff fits many times.
const maxSeen = 200_000

// seenUser is what the last verified activity from a user told us: the
// reference of their personal conversation (regional service URL and the
// conversation's tenant, which tenant.go has checked is the configured
// one) and their display name.
type seenUser struct {
	serviceURL string
	tenantID   string
	name       string
}

// seen remembers, per process, where each user was last reached (their
// regional service URL and tenant) and their display name for mentions.
// There is no global "last tenant": each tenant is stored with the
// conversation it belongs to, and the helpdesk channel's is the configured
// one.
//
// It is memory, not the store, on purpose: everything in it is a
// convenience with a safe fallback. A replica that has not seen a user
// uses the configured service URL (the global Teams endpoint routes to
// every region) and the configured tenant, and shows the user id instead
// of a name in a mention. So a multi-replica deployment works without
// sharing it.
type seen struct {
	mu    sync.Mutex
	users map[string]seenUser
}

func newSeen() *seen { return &seen{users: map[string]seenUser{}} }

// remember records a user from a verified activity.
func (s *seen) remember(aadID string, u seenUser) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if aadID == "" {
		return
	}
	if old, ok := s.users[aadID]; ok {
		if u.name == "" {
			u.name = old.name
		}
	} else if len(s.users) >= maxSeen {
		for k := range s.users { // drop an arbitrary entry: all are refetchable
			delete(s.users, k)
			break
		}
	}
	s.users[aadID] = u
}

// rememberName records a display name seen in a mention.
func (s *seen) rememberName(aadID, name string) {
	if aadID == "" || name == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[aadID]
	if !ok && len(s.users) >= maxSeen {
		return
	}
	u.name = name
	s.users[aadID] = u
}

// user returns what is known about a user.
func (s *seen) user(aadID string) (seenUser, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[aadID]
	return u, ok
}

// name returns a user's display name, or "" when unknown.
func (s *seen) name(aadID string) string {
	u, _ := s.user(aadID)
	return u.name
}
