package bot

import "context"

// Open implements flows.Gate: one replica at a time posts the helpdesk
// threads, the holder of a lease in Redis. With every replica posting,
// two consumers of the group took a flow's steps apart and posted them in
// whichever order they got to them ("Link sent" above "Requested by");
// one poster keeps the stream's order, and loses nothing in speed, since
// the chat API's per-channel limit paces the posts anyway. The lease
// lives cfg.ThreadLease past its last renewal (the reader renews it on
// every read, at least once a second while idle), so another replica
// takes over that long after the holder died, and then claims what the
// holder left unacknowledged.
func (s threadSink) Open(ctx context.Context) (bool, error) {
	return s.b.deps.Store.Lease(ctx, "sink:"+s.Name(), s.b.owner, s.b.cfg.ThreadLease)
}
