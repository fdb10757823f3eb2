package redisstore

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/flows"
)

// ReadEvents implements flows.Store. It walks the shards' audit streams,
// first re-reading this consumer's pending entries (delivered before a crash
// but never acknowledged), then new entries. Each shard is its own call, as
// Redis Cluster requires; none blocks, the caller polls. A shard that fails
// does not stop the others: their events are returned with the joined
// errors of the failing shards.
func (s *Store) ReadEvents(ctx context.Context, group, consumer string, max int) ([]flows.Event, error) {
	var (
		out  []flows.Event
		errs []error
	)
	for shard := 0; shard < flows.Shards && len(out) < max; shard++ {
		evs, err := s.readShard(ctx, s.streamKey(shard), group, consumer, max-len(out))
		out = append(out, evs...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	inTimeOrder(out)
	return out, errors.Join(errs...)
}

// inTimeOrder sorts events read from several shards by their stream entry
// ids (the server's clock in milliseconds, then a sequence), so a sink sees
// the events of different accounts as they happened: an approver's
// confirmation steps (on the approver's shard) before the "Approved by" they
// led to (on the target's). Within one shard the ids only grow, so each
// shard's own order is kept; ties keep the read order.
func inTimeOrder(evs []flows.Event) {
	type at struct{ ms, seq uint64 }
	key := func(ev flows.Event) at {
		entry := ev.ID[strings.LastIndex(ev.ID, "/")+1:]
		msPart, seqPart, _ := strings.Cut(entry, "-")
		ms, _ := strconv.ParseUint(msPart, 10, 64)
		seq, _ := strconv.ParseUint(seqPart, 10, 64)
		return at{ms, seq}
	}
	sort.SliceStable(evs, func(i, j int) bool {
		a, b := key(evs[i]), key(evs[j])
		return a.ms < b.ms || a.ms == b.ms && a.seq < b.seq
	})
}

// readShard reads one shard's backlog for the consumer, then its new
// entries, max in all: the backlog comes first, in order, and a sink that
// left part of a batch pending on purpose (the helpdesk threads' flows
// still moving, #10) sees it again together with what arrived since,
// instead of only the same events over and over.
func (s *Store) readShard(ctx context.Context, stream, group, consumer string, max int) ([]flows.Event, error) {
	var out []flows.Event
	for _, start := range []string{"0", ">"} {
		if len(out) >= max {
			break
		}
		var res []redis.XStream
		err := s.withGroup(ctx, stream, group, func() error {
			var err error
			res, err = s.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{
				Group: group, Consumer: consumer, Streams: []string{stream, start},
				Count: int64(max - len(out)), Block: -1,
			}).Result()
			return err
		})
		if errors.Is(err, redis.Nil) {
			continue
		}
		if err != nil {
			return out, unavailable("read events", err)
		}
		evs, err := s.decodeEntries(ctx, stream, group, res)
		out = append(out, evs...)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// ClaimEvents implements flows.Store: entries another consumer of the
// group has held unacknowledged for at least minIdle (a replica that
// died, or a Kubernetes pod that was replaced and now has a new name) move
// to this consumer and are returned. This consumer's own pending entries
// are left where they are: ReadEvents returns them, in order, with what
// came after them. Claimed as well, the old ones among them (idle because
// the read's size had not reached their shard for a while) came without
// the newer ones of the same flow that had been read again since, and a
// 500-reset burst posted seven flows' last steps before their first.
func (s *Store) ClaimEvents(ctx context.Context, group, consumer string, minIdle time.Duration, max int) ([]flows.Event, error) {
	if minIdle <= 0 {
		return nil, nil
	}
	var (
		out  []flows.Event
		errs []error
	)
	for shard := 0; shard < flows.Shards && len(out) < max; shard++ {
		stream := s.streamKey(shard)
		var msgs []redis.XMessage
		err := s.withGroup(ctx, stream, group, func() error {
			var err error
			msgs, err = s.claimShard(ctx, stream, group, consumer, minIdle, max-len(out))
			return err
		})
		if err != nil && !errors.Is(err, redis.Nil) {
			errs = append(errs, unavailable("claim events", err))
			continue
		}
		evs, err := s.decodeEntries(ctx, stream, group, []redis.XStream{{Stream: stream, Messages: msgs}})
		out = append(out, evs...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	return out, errors.Join(errs...)
}

// claimPages bounds how many pages of one shard's pending entries a claim
// looks through for other consumers' entries: behind more of this
// consumer's own than that (a backlog of some ten thousand events), a dead
// replica's entries wait for the next claim, once the backlog has shrunk.
const claimPages = 10

// claimShard claims up to want of one shard's entries that other consumers
// have held for at least minIdle: XPENDING lists the idle entries with
// their owners, XCLAIM takes the others' (XAUTOCLAIM cannot leave a
// consumer's own). Under a millisecond claims at once.
func (s *Store) claimShard(ctx context.Context, stream, group, consumer string, minIdle time.Duration, want int) ([]redis.XMessage, error) {
	if minIdle < time.Millisecond {
		minIdle = 0 // go-redis would round it up to 1 ms
	}
	page := max(want, 100)
	var ids []string
	start := "-"
	for range claimPages {
		pend, err := s.rdb.XPendingExt(ctx, &redis.XPendingExtArgs{
			Stream: stream, Group: group, Idle: minIdle, Start: start, End: "+", Count: int64(page),
		}).Result()
		if err != nil {
			return nil, err
		}
		for _, p := range pend {
			if p.Consumer != consumer {
				ids = append(ids, p.ID)
			}
		}
		if len(pend) < page || len(ids) >= want {
			break
		}
		start = "(" + pend[len(pend)-1].ID
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return s.rdb.XClaim(ctx, &redis.XClaimArgs{
		Stream: stream, Group: group, Consumer: consumer, MinIdle: minIdle, Messages: ids[:min(len(ids), want)],
	}).Result()
}

// decodeEntries turns stream entries into events. An entry that cannot be
// decoded (or was trimmed away) is acknowledged and skipped, so one bad
// record cannot wedge a sink forever. Entries that refer to their flow's
// record get the subject's details from it, one pipelined read for the
// batch; an entry that outlived its flow keeps what it holds itself (the
// account id, the actor, what happened).
func (s *Store) decodeEntries(ctx context.Context, stream, group string, res []redis.XStream) ([]flows.Event, error) {
	var (
		out   []flows.Event
		refs  map[string][]int // flow id -> indexes in out
		kinds []eventRefs      // what each event of out refers to
	)
	for _, st := range res {
		for _, m := range st.Messages {
			raw, _ := m.Values["e"].(string)
			var ev flows.Event
			r, err := decodeEventRecord([]byte(raw), &ev)
			if raw == "" || err != nil {
				if err := s.rdb.XAck(ctx, stream, group, m.ID).Err(); err != nil {
					return out, unavailable("ack bad entry", err)
				}
				continue
			}
			ev.ID = stream + "/" + m.ID
			if r.issued {
				// Until the flow says: the entry's own time, to the ms.
				if ms, ok := entryMs(m.ID); ok {
					ev.Time = time.UnixMilli(ms).UTC()
				}
			}
			kinds = append(kinds, r)
			if r.subject {
				if refs == nil {
					refs = map[string][]int{}
				}
				refs[ev.FlowID] = append(refs[ev.FlowID], len(out))
			}
			out = append(out, ev)
		}
	}
	if len(refs) == 0 {
		return out, nil
	}
	fs, err := s.getMany(ctx, refs)
	if err != nil {
		return nil, err
	}
	for id, idx := range refs {
		f := fs[id]
		if f == nil {
			continue
		}
		for _, i := range idx {
			if out[i].AccountID != f.Subject.AccountID {
				continue
			}
			out[i].Kind, out[i].Account, out[i].Department = f.Kind, f.Subject.AccountName, f.Subject.Department
			if kinds[i].issued {
				out[i].Time = f.IssuedAt
			}
			if kinds[i].requester {
				out[i].Actor = f.RequestedBy.String()
			}
		}
	}
	return out, nil
}

// getMany reads the named flows in one pipeline; a flow that is gone (or
// unreadable) is absent from the map.
func (s *Store) getMany(ctx context.Context, ids map[string][]int) (map[string]*flows.Flow, error) {
	pipe := s.rdb.Pipeline()
	cmds := map[string]*redis.StringCmd{}
	for id := range ids {
		shard, err := flows.ShardOfFlow(id)
		if err != nil {
			continue
		}
		cmds[id] = pipe.Get(ctx, s.flowKey(shard, id))
	}
	_, _ = pipe.Exec(ctx) // each command's own error is looked at below
	out := make(map[string]*flows.Flow, len(cmds))
	for id, cmd := range cmds {
		data, err := cmd.Bytes()
		switch {
		case err == nil:
			if f, err := parseFlowValue(id, data); err == nil {
				out[id] = f
			}
		case isWrongType(err):
			if f, err := s.Get(ctx, id); err == nil {
				out[id] = f
			} else if errors.Is(err, flows.ErrStoreUnavailable) {
				return nil, err
			}
		case !errors.Is(err, redis.Nil):
			return nil, unavailable("read events' flows", err)
		}
	}
	return out, nil
}

// AckEvents implements flows.Store.
func (s *Store) AckEvents(ctx context.Context, group string, ids ...string) error {
	byStream := map[string][]string{}
	for _, id := range ids {
		stream, entry, err := s.splitEventID(id)
		if err != nil {
			return err
		}
		byStream[stream] = append(byStream[stream], entry)
	}
	for stream, entries := range byStream {
		if err := s.rdb.XAck(ctx, stream, group, entries...).Err(); err != nil {
			return unavailable("ack", err)
		}
	}
	return nil
}

// splitEventID splits an Event.ID into its stream key and entry id.
func (s *Store) splitEventID(id string) (stream, entry string, err error) {
	i := strings.LastIndex(id, "/")
	if i < 0 || !s.isStreamKey(id[:i]) {
		return "", "", s.badID(id)
	}
	return id[:i], id[i+1:], nil
}

func (s *Store) badID(id string) error { return fmt.Errorf("redisstore: not an event id: %q", id) }

// withGroup runs a group command, creating the group first when this
// process has not seen it yet, and again whenever Redis answers NOGROUP:
// after Redis lost its data (a restart without persistence, a replaced
// Cluster master) the group is gone, and a cached "exists" must not wedge
// the reader until the process restarts.
func (s *Store) withGroup(ctx context.Context, stream, group string, call func() error) error {
	if err := s.ensureGroup(ctx, stream, group); err != nil {
		return err
	}
	err := call()
	if err == nil || !isNoGroup(err) {
		return err
	}
	s.groups.Delete(stream + "\x00" + group)
	if err := s.ensureGroup(ctx, stream, group); err != nil {
		return err
	}
	return call()
}

// isNoGroup reports Redis's "no such group (or stream)" reply.
func isNoGroup(err error) bool {
	return err != nil && strings.HasPrefix(err.Error(), "NOGROUP")
}

// ensureGroup creates the consumer group at the start of the stream (so a
// new sink sees the whole history still in Redis) once per process, or
// again after withGroup saw it vanish.
func (s *Store) ensureGroup(ctx context.Context, stream, group string) error {
	key := stream + "\x00" + group
	if _, ok := s.groups.Load(key); ok {
		return nil
	}
	err := s.rdb.XGroupCreateMkStream(ctx, stream, group, "0").Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return unavailable("create group", err)
	}
	s.groups.Store(key, struct{}{})
	return nil
}
