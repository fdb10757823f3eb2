package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/internal/testenv"
)

// hungServer accepts TCP connections and never answers, like a Redis that
// hangs; it returns its address.
func hungServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { l.Close(); <-done })
	go func() {
		defer close(done)
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	return l.Addr().String()
}

// get requests path from h and returns status and body.
func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	b, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, string(b)
}

// TestReadyzOnHungRedis: a Redis that accepts and never answers makes
// /readyz say "not ready" once its own check timeout passed, instead of
// waiting for go-redis's read timeout.
func TestReadyzOnHungRedis(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: hungServer(t), ReadTimeout: time.Minute, MaxRetries: -1})
	t.Cleanup(func() { rdb.Close() })
	r := &readiness{
		redis:   func(ctx context.Context) error { return rdb.Ping(ctx).Err() },
		timeout: 50 * time.Millisecond, dirEvery: time.Minute, now: time.Now,
	}
	code, body := get(t, managementHandler(prometheus.NewRegistry(), r), "/readyz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "redis: no answer in time") {
		t.Errorf("/readyz = %d %q, want 503 naming redis", code, body)
	}
}

// TestReadyzCachesTheDirectoryCheck: the directory is asked once per
// interval however often the probe runs, and a failed check makes the
// process not ready until a later check succeeds.
func TestReadyzCachesTheDirectoryCheck(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	calls := 0
	var dirErr error
	r := &readiness{
		redis:   func(context.Context) error { return nil },
		dir:     func(context.Context) error { calls++; return dirErr },
		timeout: time.Second, dirEvery: 30 * time.Second, now: func() time.Time { return now },
	}
	h := managementHandler(prometheus.NewRegistry(), r)
	steps := []struct {
		name      string
		advance   time.Duration
		dirErr    error
		wantCode  int
		wantCalls int
	}{
		{"first probe asks", 0, nil, http.StatusOK, 1},
		{"within the interval: cached", 10 * time.Second, errors.New("down"), http.StatusOK, 1},
		{"interval passed: asks again, down", 20 * time.Second, errors.New("down"), http.StatusServiceUnavailable, 2},
		{"still cached as down", 5 * time.Second, nil, http.StatusServiceUnavailable, 2},
		{"asks again, back", 30 * time.Second, nil, http.StatusOK, 3},
	}
	for _, st := range steps {
		now = now.Add(st.advance)
		dirErr = st.dirErr
		code, body := get(t, h, "/readyz")
		if code != st.wantCode || calls != st.wantCalls {
			t.Errorf("%s: /readyz = %d %q after %d directory checks; want %d after %d", st.name, code, body, calls, st.wantCode, st.wantCalls)
		}
	}
}

// TestReadyzOnAFailedCluster: on a Redis Cluster (the test's own) with a
// master killed, /readyz says "not ready" once the other nodes report
// cluster_state:fail, though each of them still answers PING; with the
// master back it is ready again.
func TestReadyzOnAFailedCluster(t *testing.T) {
	c := testenv.StartRedisCluster(t, testenv.RedisOptions{})
	rdb := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs(), MaxRetries: -1})
	t.Cleanup(func() { rdb.Close() })
	r := &readiness{redis: redisReady(rdb), timeout: 5 * time.Second, dirEvery: time.Minute, now: time.Now}
	h := managementHandler(prometheus.NewRegistry(), r)
	if code, body := get(t, h, "/readyz"); code != http.StatusOK {
		t.Fatalf("/readyz on a healthy cluster = %d %q", code, body)
	}
	c.Node(2).Kill()
	c.WaitState("fail", 30*time.Second)
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		t.Logf("PING with the cluster failed: %v", err)
	}
	if code, body := get(t, h, "/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "redis: ") {
		t.Errorf("/readyz with a master down = %d %q, want 503 naming redis", code, body)
	}
	c.Node(2).Start()
	c.WaitState("ok", 30*time.Second)
	deadline := time.Now().Add(30 * time.Second)
	for {
		code, body := get(t, h, "/readyz")
		if code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz with the master back = %d %q", code, body)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
