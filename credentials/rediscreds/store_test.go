package rediscreds_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/credentials"
	"github.com/resetbot/resetbot/credentials/credtest"
	"github.com/resetbot/resetbot/credentials/rediscreds"
	"github.com/resetbot/resetbot/internal/testenv"
)

var (
	prefixes atomic.Int64
	run      = time.Now().UnixNano()
	testKey  = bytes.Repeat([]byte{0x42}, rediscreds.KeySize)
)

// prefix is a key prefix unique to one test in one run, because the real
// servers are shared between tests and runs.
func prefix() string { return fmt.Sprintf("t%x-%d", run, prefixes.Add(1)) }

func newStore(t *testing.T, rdb redis.UniversalClient, prefix string, key []byte) *rediscreds.Store {
	t.Helper()
	st, err := rediscreds.New(rdb, rediscreds.Options{Prefix: prefix, Key: key})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return st
}

func fresh(rdb redis.UniversalClient) credtest.NewStore {
	return func(t *testing.T) credentials.Store { return newStore(t, rdb, prefix(), testKey) }
}

func miniClient(t *testing.T) (*miniredis.Miniredis, *redis.Client) {
	m := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: m.Addr()})
	t.Cleanup(func() { rdb.Close() })
	return m, rdb
}

func serverClient(t *testing.T) redis.UniversalClient {
	addr := testenv.RequireEnv(t, "RESETBOT_TEST_REDIS_ADDR")
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { rdb.Close() })
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("redis-server at %s: %v", addr, err)
	}
	return rdb
}

func clusterClient(t *testing.T) redis.UniversalClient {
	addrs := strings.Split(testenv.RequireEnv(t, "RESETBOT_TEST_REDIS_CLUSTER"), ",")
	rdb := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs})
	t.Cleanup(func() { rdb.Close() })
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("redis cluster at %v: %v", addrs, err)
	}
	return rdb
}

func TestMiniredis(t *testing.T) {
	_, rdb := miniClient(t)
	credtest.Run(t, fresh(rdb))
}

func TestRedisServer(t *testing.T) {
	credtest.Run(t, fresh(serverClient(t)))
}

func TestRedisCluster(t *testing.T) {
	credtest.Run(t, fresh(clusterClient(t)))
}

// Storage properties that belong to this backend, not to the contract:
// the at-rest encryption and the key layout, on every server kind.
func TestStorageMiniredis(t *testing.T) {
	_, rdb := miniClient(t)
	runStorage(t, rdb)
}

func TestStorageRedisServer(t *testing.T) { runStorage(t, serverClient(t)) }

func TestStorageRedisCluster(t *testing.T) { runStorage(t, clusterClient(t)) }

const (
	alice  = "7b0c3c5e-1f2a-4d4e-9b1a-2f1f0c6d9a01"
	bob    = "S-1-5-21-1004336348-1177238915-682003330-1105"
	secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
)

func runStorage(t *testing.T, rdb redis.UniversalClient) {
	ctx := context.Background()

	t.Run("NoPlaintextAtRest", func(t *testing.T) {
		p := prefix()
		st := newStore(t, rdb, p, testKey)
		if err := st.SetTOTPSecret(ctx, alice, secret); err != nil {
			t.Fatal(err)
		}
		raw, err := base32.StdEncoding.DecodeString(secret)
		if err != nil {
			t.Fatal(err)
		}
		keys := accountKeys(t, rdb, p)
		if len(keys) != 1 {
			t.Fatalf("keys after SetTOTPSecret: %v, want one", keys)
		}
		for field, v := range dump(t, rdb, keys[0]) {
			for _, plain := range [][]byte{[]byte(secret), []byte(strings.ToLower(secret)), raw} {
				if bytes.Contains([]byte(v), plain) {
					t.Fatalf("field %q of %s holds the secret in the clear", field, keys[0])
				}
			}
		}
	})

	t.Run("FreshNoncePerWrite", func(t *testing.T) {
		p := prefix()
		st := newStore(t, rdb, p, testKey)
		seen := map[string]bool{}
		for i := 0; i < 3; i++ {
			if err := st.SetTOTPSecret(ctx, alice, secret); err != nil {
				t.Fatal(err)
			}
			c := dump(t, rdb, accountKeys(t, rdb, p)[0])["c"]
			if seen[c] {
				t.Fatal("the same secret sealed twice gave the same ciphertext: nonce reused")
			}
			seen[c] = true
		}
	})

	t.Run("CiphertextBoundToAccount", func(t *testing.T) {
		p := prefix()
		st := newStore(t, rdb, p, testKey)
		if err := st.SetTOTPSecret(ctx, alice, secret); err != nil {
			t.Fatal(err)
		}
		if err := st.SetTOTPSecret(ctx, bob, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"); err != nil {
			t.Fatal(err)
		}
		aliceKey, bobKey := keyOf(p, alice, "totp"), keyOf(p, bob, "totp")
		// An attacker with write access to Redis copies alice's secret
		// (which they know, say) onto bob.
		if err := rdb.HSet(ctx, bobKey, "c", dump(t, rdb, aliceKey)["c"]).Err(); err != nil {
			t.Fatal(err)
		}
		if _, err := st.TOTPSecret(ctx, bob); !errors.Is(err, credentials.ErrCorrupt) {
			t.Fatalf("TOTPSecret of a moved ciphertext = %v, want ErrCorrupt", err)
		}
		if got, err := st.TOTPSecret(ctx, alice); err != nil || got != secret {
			t.Fatalf("alice's own secret no longer reads back: %v", err)
		}
	})

	t.Run("Tampered", func(t *testing.T) {
		p := prefix()
		st := newStore(t, rdb, p, testKey)
		if err := st.SetTOTPSecret(ctx, alice, secret); err != nil {
			t.Fatal(err)
		}
		key := keyOf(p, alice, "totp")
		orig := []byte(dump(t, rdb, key)["c"])
		tests := []struct {
			name  string
			value []byte
		}{
			{"flipped ciphertext bit", flip(orig, len(orig)-20)},
			{"flipped tag bit", flip(orig, len(orig)-1)},
			{"flipped nonce bit", flip(orig, 3)},
			{"unknown version", flip(orig, 0)},
			{"truncated", orig[:10]},
			{"empty", nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				if err := rdb.HSet(ctx, key, "c", tc.value).Err(); err != nil {
					t.Fatal(err)
				}
				_, err := st.TOTPSecret(ctx, alice)
				if !errors.Is(err, credentials.ErrCorrupt) {
					t.Fatalf("TOTPSecret = %v, want ErrCorrupt", err)
				}
				if strings.Contains(err.Error(), secret) {
					t.Fatal("the error names the secret")
				}
			})
		}
	})

	t.Run("WrongKey", func(t *testing.T) {
		p := prefix()
		if err := newStore(t, rdb, p, testKey).SetTOTPSecret(ctx, alice, secret); err != nil {
			t.Fatal(err)
		}
		other := bytes.Repeat([]byte{0x43}, rediscreds.KeySize)
		if _, err := newStore(t, rdb, p, other).TOTPSecret(ctx, alice); !errors.Is(err, credentials.ErrCorrupt) {
			t.Fatalf("TOTPSecret under another key = %v, want ErrCorrupt", err)
		}
	})

	t.Run("CorruptPasskey", func(t *testing.T) {
		p := prefix()
		st := newStore(t, rdb, p, testKey)
		if err := st.AddPasskey(ctx, alice, credentials.Passkey{Name: "phone"}); err == nil {
			t.Fatal("AddPasskey without credential id succeeded")
		}
		pk := credentials.Passkey{Name: "phone"}
		pk.Credential.ID = []byte{1, 2, 3}
		if err := st.AddPasskey(ctx, alice, pk); err != nil {
			t.Fatal(err)
		}
		if err := rdb.HSet(ctx, keyOf(p, alice, "passkeys"), "AQID", "{not json").Err(); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Passkeys(ctx, alice); !errors.Is(err, credentials.ErrCorrupt) {
			t.Fatalf("Passkeys with a corrupt record = %v, want ErrCorrupt", err)
		}
	})

	t.Run("KeyLayout", func(t *testing.T) {
		p := prefix()
		st := newStore(t, rdb, p, testKey)
		pk := credentials.Passkey{Name: "phone"}
		pk.Credential.ID = []byte{0xfb, 0xff}
		if err := st.AddPasskey(ctx, alice, pk); err != nil {
			t.Fatal(err)
		}
		if err := st.SetTOTPSecret(ctx, alice, secret); err != nil {
			t.Fatal(err)
		}
		keys := accountKeys(t, rdb, p)
		want := []string{keyOf(p, alice, "passkeys"), keyOf(p, alice, "totp")}
		if !slices.Equal(keys, want) {
			t.Fatalf("keys of one account: %v, want %v (one hash tag)", keys, want)
		}
		for _, k := range keys {
			if strings.Contains(k, alice) {
				t.Fatalf("key %s contains the account id in the clear", k)
			}
			// Durable: no TTL (-1 is "no expiry"; miniredis reports it as -1 too).
			if ttl, err := rdb.TTL(ctx, k).Result(); err != nil || ttl != -1 {
				t.Fatalf("TTL(%s) = %v, %v; want no expiry", k, ttl, err)
			}
		}
		fields, err := rdb.HKeys(ctx, keyOf(p, alice, "passkeys")).Result()
		if err != nil || len(fields) != 1 || fields[0] != "-_8" {
			t.Fatalf("passkey fields = %v, %v; want the base64url credential id [-_8]", fields, err)
		}
	})
}

// TestOutage: with Redis gone, every call fails with ErrUnavailable (which
// the web app maps to "try again shortly") and keeps the cause for the log.
func TestOutage(t *testing.T) {
	m := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: m.Addr(), MaxRetries: -1, DialerRetries: 1, DialerRetryTimeout: time.Millisecond})
	t.Cleanup(func() { rdb.Close() })
	st := newStore(t, rdb, prefix(), testKey)
	m.Close()
	ctx := context.Background()
	pk := credentials.Passkey{Name: "phone"}
	pk.Credential.ID = []byte{1}
	tests := []struct {
		name string
		call func() error
	}{
		{"Passkeys", func() error { _, err := st.Passkeys(ctx, alice); return err }},
		{"AddPasskey", func() error { return st.AddPasskey(ctx, alice, pk) }},
		{"UpdatePasskey", func() error { return st.UpdatePasskey(ctx, alice, pk) }},
		{"RemovePasskey", func() error { return st.RemovePasskey(ctx, alice, pk.Credential.ID) }},
		{"TOTPSecret", func() error { _, err := st.TOTPSecret(ctx, alice); return err }},
		{"SetTOTPSecret", func() error { return st.SetTOTPSecret(ctx, alice, secret) }},
		{"RemoveTOTP", func() error { return st.RemoveTOTP(ctx, alice) }},
		{"UseTOTPStep", func() error { return st.UseTOTPStep(ctx, alice, 1) }},
		{"Summary", func() error { _, err := st.Summary(ctx, alice); return err }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if !errors.Is(err, credentials.ErrUnavailable) {
				t.Fatalf("err = %v, want ErrUnavailable", err)
			}
			var netErr *net.OpError
			if !errors.As(err, &netErr) {
				t.Fatalf("err = %v, want the connection failure as its cause", err)
			}
			if strings.Contains(err.Error(), secret) {
				t.Fatal("the error names the secret")
			}
		})
	}
}

func TestNewRejects(t *testing.T) {
	_, rdb := miniClient(t)
	tests := []struct {
		name string
		rdb  redis.UniversalClient
		opt  rediscreds.Options
	}{
		{"no key", rdb, rediscreds.Options{}},
		{"AES-128 key", rdb, rediscreds.Options{Key: make([]byte, 16)}},
		{"31-byte key", rdb, rediscreds.Options{Key: make([]byte, 31)}},
		{"33-byte key", rdb, rediscreds.Options{Key: make([]byte, 33)}},
		{"brace in prefix", rdb, rediscreds.Options{Prefix: "rb{x}", Key: testKey}},
		{"no client", nil, rediscreds.Options{Key: testKey}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if st, err := rediscreds.New(tc.rdb, tc.opt); err == nil || st != nil {
				t.Fatalf("New = (%v, %v), want an error", st, err)
			}
		})
	}
	if _, err := rediscreds.New(rdb, rediscreds.Options{Key: testKey}); err != nil {
		t.Fatalf("New with a 32-byte key and the default prefix: %v", err)
	}
}

// accountKeys lists the keys under a test prefix (SCAN on every master of
// a cluster), sorted.
func accountKeys(t *testing.T, rdb redis.UniversalClient, prefix string) []string {
	t.Helper()
	ctx := context.Background()
	var keys []string
	scan := func(ctx context.Context, c redis.UniversalClient) error {
		it := c.Scan(ctx, 0, prefix+":*", 100).Iterator()
		for it.Next(ctx) {
			keys = append(keys, it.Val())
		}
		return it.Err()
	}
	var err error
	if cc, ok := rdb.(*redis.ClusterClient); ok {
		var mu sync.Mutex // ForEachMaster runs the masters concurrently
		err = cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
			mu.Lock()
			defer mu.Unlock()
			return scan(ctx, c)
		})
	} else {
		err = scan(ctx, rdb)
	}
	if err != nil {
		t.Fatalf("SCAN: %v", err)
	}
	slices.Sort(keys)
	return keys
}

// keyOf is the documented key of an account: "<prefix>:cred:{<first 16
// bytes of sha256(account id) in hex>}:<kind>".
func keyOf(prefix, account, kind string) string {
	sum := sha256.Sum256([]byte(account))
	return prefix + ":cred:{" + hex.EncodeToString(sum[:16]) + "}:" + kind
}

func dump(t *testing.T, rdb redis.UniversalClient, key string) map[string]string {
	t.Helper()
	m, err := rdb.HGetAll(context.Background(), key).Result()
	if err != nil {
		t.Fatalf("HGETALL %s: %v", key, err)
	}
	return m
}

func flip(b []byte, i int) []byte {
	out := bytes.Clone(b)
	out[i] ^= 0x01
	return out
}
