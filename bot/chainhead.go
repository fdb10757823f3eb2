package bot

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"
)

// The audit log's hash chain shows an edited record, but not a log cut
// short or rewritten whole by someone who can write the file (and, for a
// keyed chain, holds the key). Posting the chain head to the helpdesk
// channel now and then (#8 §6) puts copies outside the audit host: a log
// whose record at a posted seq has another hash, or that ends before it,
// was cut or rewritten.

// ChainHead is the audit chain's last record: its seq (the number of
// records written since the chain began) and its hash (hex).
type ChainHead struct {
	Seq  uint64
	Hash string
}

// PublishChainHead posts head to the helpdesk channel of every platform,
// once per period of every across all replicas: the replica that takes
// the period's lease (the flow store's Claim) posts; the others do
// nothing. posted reports whether this call posted. A head that did not
// move since the last post is posted again: the absence of records is
// worth confirming too.
func (b *Bot) PublishChainHead(ctx context.Context, every time.Duration, head ChainHead) (posted bool, err error) {
	if every <= 0 {
		return false, nil
	}
	now := b.now()
	slot := now.UTC().Truncate(every).Unix()
	won, err := b.deps.Store.Claim(ctx, "audit-head:"+strconv.FormatInt(slot, 10), every)
	if err != nil || !won {
		return false, err
	}
	msg := b.msgChainHead(head, now)
	var errs []error
	for _, name := range b.platformNames() {
		if _, err := b.platforms[name].PostHelpdesk(ctx, msg); err != nil {
			errs = append(errs, fmt.Errorf("bot: post audit chain head on %s: %w", name, err))
		}
	}
	if len(errs) == len(b.platforms) && len(errs) > 0 {
		return false, errs[0]
	}
	for _, err := range errs {
		b.deps.Log.Warn("audit chain head not posted on one platform", "err", err)
	}
	return true, nil
}

// chainHashShown is how much of the head hash the message's summary shows:
// 64 bits, plenty to compare by eye.
const chainHashShown = 16

// msgChainHead is the helpdesk channel's audit chain head message, in the
// helpdesk's language.
func (b *Bot) msgChainHead(h ChainHead, now time.Time) Message {
	l := b.helpdeskLang()
	prefix := h.Hash
	if len(prefix) > chainHashShown {
		prefix = prefix[:chainHashShown]
	}
	if prefix == "" {
		prefix = l.T("chat.chainhead.empty")
	}
	line := l.T("chat.chainhead.line", "Seq", h.Seq, "Head", prefix, "When", b.dateIn(l, now))
	body := []string{line}
	if h.Seq > 0 {
		body = append(body,
			l.T("chat.chainhead.verify", "Seq", h.Seq, "Head", prefix),
			l.T("chat.chainhead.after", "Seq", h.Seq, "Hash", h.Hash))
	}
	return Message{Summary: line, Title: l.T("chat.chainhead.title"), Body: body, Note: l.T("chat.chainhead.note")}
}

// platformNames is the registered platforms in name order.
func (b *Bot) platformNames() []string {
	names := make([]string, 0, len(b.platforms))
	for name := range b.platforms {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
