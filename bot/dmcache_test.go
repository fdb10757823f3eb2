package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// dmPlatform is a platform's side of DMCache.Do in miniature: it opens a
// conversation per user (the same id again while it exists, as Discord and
// Teams do), posts into existing ones and answers errGone for one that no
// longer exists.
type dmPlatform struct {
	mu     sync.Mutex
	seq    int
	convs  map[string]string // user -> live conversation id
	opens  map[string]int
	posts  []string
	refuse error // the next post's error, once
}

var errGone = errors.New("conversation not found")

func newDMPlatform() *dmPlatform {
	return &dmPlatform{convs: map[string]string{}, opens: map[string]int{}}
}

func (p *dmPlatform) open(user string) func(context.Context) (string, error) {
	return func(context.Context) (string, error) {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.opens[user]++
		if id, ok := p.convs[user]; ok {
			return id, nil
		}
		p.seq++
		id := fmt.Sprintf("dm-%s-%d", user, p.seq)
		p.convs[user] = id
		return id, nil
	}
}

func (p *dmPlatform) post(user, text string) func(context.Context, string) error {
	return func(_ context.Context, id string) error {
		p.mu.Lock()
		defer p.mu.Unlock()
		if err := p.refuse; err != nil {
			p.refuse = nil
			return err
		}
		if p.convs[user] != id {
			return fmt.Errorf("post in %s: %w", id, errGone)
		}
		p.posts = append(p.posts, id+":"+text)
		return nil
	}
}

// drop plays the platform losing the user's conversation: the old id is
// gone, the next open makes a new one.
func (p *dmPlatform) drop(user string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.convs, user)
}

func isGone(err error) bool { return errors.Is(err, errGone) }

func (p *dmPlatform) send(t *testing.T, c *DMCache, user, text string) error {
	t.Helper()
	return c.Do(context.Background(), user, p.open(user), p.post(user, text), isGone)
}

// TestDMCacheOpensOncePerUser: the second message to a user makes no
// second open; another user has their own.
func TestDMCacheOpensOncePerUser(t *testing.T) {
	p, c := newDMPlatform(), NewDMCache(0, 0, nil)
	for _, m := range []struct{ user, text string }{{"ann", "1"}, {"ann", "2"}, {"ben", "1"}, {"ann", "3"}} {
		if err := p.send(t, c, m.user, m.text); err != nil {
			t.Fatal(err)
		}
	}
	if p.opens["ann"] != 1 || p.opens["ben"] != 1 {
		t.Errorf("opens %v, want one each", p.opens)
	}
	if got := strings.Join(p.posts, ","); got != "dm-ann-1:1,dm-ann-1:2,dm-ben-2:1,dm-ann-1:3" {
		t.Errorf("posts %s", got)
	}
}

// TestDMCacheStaleIDOpensOnce: a remembered conversation the platform
// answers not-found for is opened again once and the message posted in
// the new one; the new id is remembered.
func TestDMCacheStaleIDOpensOnce(t *testing.T) {
	p, c := newDMPlatform(), NewDMCache(0, 0, nil)
	if err := p.send(t, c, "ann", "1"); err != nil {
		t.Fatal(err)
	}
	p.drop("ann")
	if err := p.send(t, c, "ann", "2"); err != nil {
		t.Fatalf("after the conversation went: %v", err)
	}
	if err := p.send(t, c, "ann", "3"); err != nil {
		t.Fatal(err)
	}
	if p.opens["ann"] != 2 {
		t.Errorf("%d opens, want 2 (the first, and one after the stale id)", p.opens["ann"])
	}
	if got := strings.Join(p.posts, ","); got != "dm-ann-1:1,dm-ann-2:2,dm-ann-2:3" {
		t.Errorf("posts %s", got)
	}
}

// TestDMCacheGoneTwiceIsReturned: a conversation that is not found even
// when just opened is an error for the caller after one reopen, never a
// loop, and is not remembered.
func TestDMCacheGoneTwiceIsReturned(t *testing.T) {
	c := NewDMCache(0, 0, nil)
	opens, uses := 0, 0
	open := func(context.Context) (string, error) { opens++; return fmt.Sprint("dm", opens), nil }
	use := func(context.Context, string) error { uses++; return errGone }
	ctx := context.Background()
	if err := c.Do(ctx, "ann", open, use, isGone); !isGone(err) || opens != 1 || uses != 1 {
		t.Errorf("fresh id gone: err %v, %d opens, %d uses; want the error after 1 and 1", err, opens, uses)
	}
	if c.Len() != 0 {
		t.Errorf("a gone id is remembered")
	}
	use = func(context.Context, string) error { return nil }
	if err := c.Do(ctx, "ann", open, use, isGone); err != nil {
		t.Fatal(err)
	}
	opens, uses = 0, 0
	use = func(context.Context, string) error { uses++; return errGone }
	if err := c.Do(ctx, "ann", open, use, isGone); !isGone(err) || opens != 1 || uses != 2 {
		t.Errorf("remembered id gone, new one too: err %v, %d opens, %d uses; want the error after 1 and 2", err, opens, uses)
	}
	if c.Len() != 0 {
		t.Errorf("a gone id is remembered")
	}
}

// TestDMCacheOtherErrorsKeepTheID: a refused post (a rate limit) is
// returned as it is, without a reopen, and the id stays remembered; a
// failed open is returned and nothing is remembered.
func TestDMCacheOtherErrorsKeepTheID(t *testing.T) {
	p, c := newDMPlatform(), NewDMCache(0, 0, nil)
	if err := p.send(t, c, "ann", "1"); err != nil {
		t.Fatal(err)
	}
	limited := &RetryAfterError{After: time.Second}
	p.refuse = limited
	if err := p.send(t, c, "ann", "2"); !errors.Is(err, limited) {
		t.Errorf("err %v, want the rate limit", err)
	}
	if err := p.send(t, c, "ann", "2"); err != nil {
		t.Fatal(err)
	}
	if p.opens["ann"] != 1 {
		t.Errorf("%d opens, want 1: a rate limit says nothing about the conversation", p.opens["ann"])
	}
	failed := errors.New("open refused")
	open := func(context.Context) (string, error) { return "", failed }
	if err := c.Do(context.Background(), "ben", open, p.post("ben", "x"), isGone); !errors.Is(err, failed) || c.Len() != 1 {
		t.Errorf("failed open: %v, %d remembered", err, c.Len())
	}
}

// TestDMCacheBounds: past its TTL an entry is opened again; past its size
// the least recently used user is forgotten first.
func TestDMCacheBounds(t *testing.T) {
	now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	p, c := newDMPlatform(), NewDMCache(2, time.Hour, func() time.Time { return now })
	for _, u := range []string{"ann", "ben"} {
		if err := p.send(t, c, u, "1"); err != nil {
			t.Fatal(err)
		}
	}
	now = now.Add(59 * time.Minute)
	if err := p.send(t, c, "ann", "2"); err != nil { // ann is now the most recent
		t.Fatal(err)
	}
	if p.opens["ann"] != 1 {
		t.Errorf("within the TTL: %d opens of ann", p.opens["ann"])
	}
	if err := p.send(t, c, "cid", "1"); err != nil { // full: ben goes
		t.Fatal(err)
	}
	if c.Len() != 2 {
		t.Errorf("%d remembered, want the bound 2", c.Len())
	}
	for _, u := range []string{"ann", "ben"} {
		if err := p.send(t, c, u, "3"); err != nil {
			t.Fatal(err)
		}
	}
	if p.opens["ann"] != 1 || p.opens["ben"] != 2 {
		t.Errorf("opens %v: want ann kept (used last) and ben opened again (pushed out)", p.opens)
	}
	now = now.Add(time.Hour)
	if err := p.send(t, c, "ann", "4"); err != nil {
		t.Fatal(err)
	}
	if p.opens["ann"] != 2 {
		t.Errorf("past the TTL: %d opens of ann, want 2", p.opens["ann"])
	}
}

// TestDMCacheConcurrent: many goroutines sending to a few users (run with
// -race) post every message, with at most one open per user and sender.
func TestDMCacheConcurrent(t *testing.T) {
	p, c := newDMPlatform(), NewDMCache(0, 0, nil)
	var wg sync.WaitGroup
	const senders, each = 8, 50
	for s := range senders {
		wg.Go(func() {
			for i := range each {
				user := fmt.Sprint("u", i%5)
				if err := c.Do(context.Background(), user, p.open(user), p.post(user, fmt.Sprint(s, "-", i)), isGone); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if len(p.posts) != senders*each {
		t.Errorf("%d posts, want %d", len(p.posts), senders*each)
	}
	for u, n := range p.opens {
		if n > senders {
			t.Errorf("%s opened %d times by %d senders", u, n, senders)
		}
	}
}
