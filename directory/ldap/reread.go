package ldap

import (
	"sync"
	"time"
)

// rereadFresh is how long a search by immutable id stands as proof that
// its DN names the account, for a write by the same replica to the same
// server. A reset re-reads the account by id, checks its groups and
// writes, all in one request: well under a second on a healthy directory.
const rereadFresh = 2 * time.Second

// rereadMax bounds the proofs kept: a proof not taken (a re-read that was
// not followed by a write) lapses; when the table is full, a new re-read
// is simply not remembered and its write resolves the DN again.
const rereadMax = 4096

// rereads remembers, for a moment, which DN each search by immutable id
// just found, and on which server. A write goes to the DN a search by id
// found at most rereadFresh earlier on the same server (so no replication
// lag between two servers can be in between), or, without such a proof,
// to the DN a base-scope read with the id in the filter finds right before
// the write. Either way the write targets the account with that id at the
// DN the server itself reported for it, never a DN the caller supplied;
// the proof only saves the second read of the same entry in the same
// request.
type rereads struct {
	mu  sync.Mutex
	m   map[string]reread
	now func() time.Time
}

// reread is one proof: the DN the server named for an id, and when.
type reread struct {
	dn, url string
	at      time.Time
}

func newRereads() *rereads {
	return &rereads{m: make(map[string]reread), now: time.Now}
}

// note records that a search by id on the server at url found dn.
func (r *rereads) note(id, dn, url string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	if len(r.m) >= rereadMax {
		for k, v := range r.m {
			if now.Sub(v.at) >= rereadFresh {
				delete(r.m, k)
			}
		}
		if len(r.m) >= rereadMax {
			return
		}
	}
	r.m[id] = reread{dn: dn, url: url, at: now}
}

// take reports whether a fresh proof says dn names id on the server at
// url, and uses it up: one re-read proves one write.
func (r *rereads) take(id, dn, url string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	p, ok := r.m[id]
	if !ok {
		return false
	}
	delete(r.m, id)
	return p.dn == dn && p.url == url && r.now().Sub(p.at) < rereadFresh
}
