package platform

import (
	"fmt"
	"testing"
	"time"
)

// clock is a hand-moved time source.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestAckCache(t *testing.T) {
	const ttl = 10 * time.Minute
	type step struct {
		put     string        // key to put (body is "body:"+key), or ""
		advance time.Duration // then move the clock
	}
	tests := []struct {
		name    string
		size    int
		steps   []step
		present []string
		absent  []string
		held    int
	}{
		{
			name:    "fresh entry answers",
			size:    4,
			steps:   []step{{put: "a"}, {advance: ttl}},
			present: []string{"a"},
			held:    1,
		},
		{
			name:   "expired entry is gone",
			size:   4,
			steps:  []step{{put: "a"}, {advance: ttl + time.Second}},
			absent: []string{"a"},
			held:   1, // dropped by the next Put, unreadable until then
		},
		{
			name:    "oldest evicted beyond size",
			size:    2,
			steps:   []step{{put: "a"}, {put: "b"}, {put: "c"}},
			present: []string{"b", "c"},
			absent:  []string{"a"},
			held:    2,
		},
		{
			name:    "re-put makes an entry young again",
			size:    2,
			steps:   []step{{put: "a"}, {put: "b"}, {put: "a"}, {put: "c"}},
			present: []string{"a", "c"},
			absent:  []string{"b"},
			held:    2,
		},
		{
			name:    "expired entries dropped on put",
			size:    4,
			steps:   []step{{put: "a"}, {put: "b"}, {advance: ttl + time.Second}, {put: "c"}},
			present: []string{"c"},
			absent:  []string{"a", "b"},
			held:    1,
		},
		{
			name:    "size below one holds one",
			size:    0,
			steps:   []step{{put: "a"}, {put: "b"}},
			present: []string{"b"},
			absent:  []string{"a"},
			held:    1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
			c := NewAckCache(tt.size, ttl, clk.now)
			for _, s := range tt.steps {
				if s.put != "" {
					c.Put(s.put, []byte("body:"+s.put))
				}
				clk.t = clk.t.Add(s.advance)
			}
			for _, k := range tt.present {
				if got := string(c.Get(k)); got != "body:"+k {
					t.Errorf("Get(%q) = %q, want its body", k, got)
				}
			}
			for _, k := range tt.absent {
				if got := c.Get(k); got != nil {
					t.Errorf("Get(%q) = %q, want nothing", k, got)
				}
			}
			if n := c.order.Len(); n != tt.held || len(c.byKey) != n {
				t.Errorf("holds %d entries (%d keys), want %d", n, len(c.byKey), tt.held)
			}
		})
	}
}

func TestAckCacheBounded(t *testing.T) {
	clk := &clock{t: time.Unix(0, 0)}
	c := NewAckCache(100, time.Hour, clk.now)
	for i := range 10_000 {
		c.Put(fmt.Sprint(i), []byte{1})
		clk.t = clk.t.Add(time.Millisecond)
	}
	if n := c.order.Len(); n != 100 {
		t.Errorf("holds %d entries, want the bound 100", n)
	}
}

func TestAckCacheDefaultClock(t *testing.T) {
	c := NewAckCache(1, time.Minute, nil)
	c.Put("a", []byte("x"))
	if string(c.Get("a")) != "x" {
		t.Error("a cache on the real clock forgot a fresh entry")
	}
}
