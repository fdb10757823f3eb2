package credtest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/resetbot/resetbot/credentials"
)

// created is the base time of the test passkeys, in UTC and whole
// milliseconds so it survives any JSON encoding unchanged.
var created = time.Date(2025, 3, 14, 9, 26, 53, 589_000_000, time.UTC)

// passkey builds a realistic credential whose every stored field is set, so
// a round trip that drops one is caught.
func passkey(id byte, name string, age time.Duration) credentials.Passkey {
	return credentials.Passkey{
		Credential: webauthn.Credential{
			ID:                []byte{id, 0xfb, 0xff, 0x00, id}, // base64url needs '-' and '_'
			PublicKey:         []byte{0xa5, 0x01, 0x02, 0x03, 0x26, id},
			AttestationType:   "none",
			AttestationFormat: "none",
			Transport:         []protocol.AuthenticatorTransport{protocol.Internal, protocol.Hybrid},
			Flags:             webauthn.CredentialFlags{UserPresent: true, UserVerified: true, BackupEligible: true},
			Authenticator: webauthn.Authenticator{
				AAGUID:     []byte("0123456789abcdef"),
				SignCount:  7,
				Attachment: protocol.Platform,
			},
		},
		Name:      name,
		CreatedAt: created.Add(-age),
	}
}

// samePasskey compares what the store must keep.
func samePasskey(got, want credentials.Passkey) error {
	g, w := got.Credential, want.Credential
	switch {
	case string(g.ID) != string(w.ID):
		return fmt.Errorf("id %x, want %x", g.ID, w.ID)
	case string(g.PublicKey) != string(w.PublicKey):
		return fmt.Errorf("public key %x, want %x", g.PublicKey, w.PublicKey)
	case g.Authenticator.SignCount != w.Authenticator.SignCount:
		return fmt.Errorf("sign count %d, want %d", g.Authenticator.SignCount, w.Authenticator.SignCount)
	case string(g.Authenticator.AAGUID) != string(w.Authenticator.AAGUID):
		return fmt.Errorf("AAGUID %x, want %x", g.Authenticator.AAGUID, w.Authenticator.AAGUID)
	case g.Flags.BackupEligible != w.Flags.BackupEligible || g.Flags.BackupState != w.Flags.BackupState ||
		g.Flags.UserVerified != w.Flags.UserVerified || g.Flags.UserPresent != w.Flags.UserPresent:
		return fmt.Errorf("flags %+v, want %+v", g.Flags, w.Flags)
	case fmt.Sprint(g.Transport) != fmt.Sprint(w.Transport):
		return fmt.Errorf("transports %v, want %v", g.Transport, w.Transport)
	case got.Name != want.Name:
		return fmt.Errorf("name %q, want %q", got.Name, want.Name)
	case !got.CreatedAt.Equal(want.CreatedAt):
		return fmt.Errorf("created %v, want %v", got.CreatedAt, want.CreatedAt)
	case !got.LastUsedAt.Equal(want.LastUsedAt):
		return fmt.Errorf("last used %v, want %v", got.LastUsedAt, want.LastUsedAt)
	}
	return nil
}

// expectPasskeys checks the account's list, in order.
func expectPasskeys(t *testing.T, st credentials.Store, account string, want ...credentials.Passkey) {
	t.Helper()
	got, err := st.Passkeys(ctx(t), account)
	if err != nil {
		t.Fatalf("Passkeys: %v", err)
	}
	if len(got) != len(want) {
		t.Fatalf("Passkeys: %d passkeys, want %d", len(got), len(want))
	}
	for i := range want {
		if err := samePasskey(got[i], want[i]); err != nil {
			t.Fatalf("Passkeys[%d]: %v", i, err)
		}
	}
}

func mustAdd(t *testing.T, st credentials.Store, account string, ps ...credentials.Passkey) {
	t.Helper()
	for _, p := range ps {
		if err := st.AddPasskey(ctx(t), account, p); err != nil {
			t.Fatalf("AddPasskey(%q): %v", p.Name, err)
		}
	}
}

func runPasskeys(t *testing.T, newStore NewStore) {
	t.Run("NoneEnrolled", func(t *testing.T) {
		st := newStore(t)
		expectPasskeys(t, st, alice)
	})

	t.Run("ListOldestFirst", func(t *testing.T) {
		st := newStore(t)
		phone := passkey(1, "phone", 2*time.Hour)
		laptop := passkey(2, "laptop", 0)
		key := passkey(3, "security key", 30*24*time.Hour)
		mustAdd(t, st, alice, laptop, phone, key)
		expectPasskeys(t, st, alice, key, phone, laptop)
	})

	t.Run("DuplicateAdd", func(t *testing.T) {
		st := newStore(t)
		orig := passkey(1, "phone", 0)
		mustAdd(t, st, alice, orig)
		dup := passkey(1, "attacker's phone", 0)
		dup.Credential.PublicKey = []byte{0xde, 0xad}
		if err := st.AddPasskey(ctx(t), alice, dup); !errors.Is(err, credentials.ErrExists) {
			t.Fatalf("second AddPasskey = %v, want ErrExists", err)
		}
		expectPasskeys(t, st, alice, orig)
	})

	t.Run("ConcurrentAdd", func(t *testing.T) {
		st := newStore(t)
		wins := race(t, 16, func() error { return st.AddPasskey(ctx(t), alice, passkey(9, "phone", 0)) }, credentials.ErrExists)
		if wins != 1 {
			t.Fatalf("%d of 16 concurrent adds of one credential succeeded, want 1", wins)
		}
	})

	t.Run("Update", func(t *testing.T) {
		st := newStore(t)
		phone, laptop := passkey(1, "phone", time.Hour), passkey(2, "laptop", 0)
		mustAdd(t, st, alice, phone, laptop)
		phone.Credential.Authenticator.SignCount = 8
		phone.Credential.Flags.BackupState = true
		phone.LastUsedAt = created.Add(time.Minute)
		if err := st.UpdatePasskey(ctx(t), alice, phone); err != nil {
			t.Fatalf("UpdatePasskey: %v", err)
		}
		expectPasskeys(t, st, alice, phone, laptop)
	})

	t.Run("UpdateMissing", func(t *testing.T) {
		st := newStore(t)
		phone := passkey(1, "phone", 0)
		mustAdd(t, st, alice, phone)
		ghost := passkey(2, "ghost", 0)
		if err := st.UpdatePasskey(ctx(t), alice, ghost); !errors.Is(err, credentials.ErrNotFound) {
			t.Fatalf("UpdatePasskey of an unknown passkey = %v, want ErrNotFound", err)
		}
		expectPasskeys(t, st, alice, phone) // and it was not created
	})

	t.Run("UpdateAfterRemove", func(t *testing.T) {
		st := newStore(t)
		phone := passkey(1, "phone", 0)
		mustAdd(t, st, alice, phone)
		if err := st.RemovePasskey(ctx(t), alice, phone.Credential.ID); err != nil {
			t.Fatalf("RemovePasskey: %v", err)
		}
		phone.Credential.Authenticator.SignCount++
		if err := st.UpdatePasskey(ctx(t), alice, phone); !errors.Is(err, credentials.ErrNotFound) {
			t.Fatalf("UpdatePasskey after removal = %v, want ErrNotFound", err)
		}
		expectPasskeys(t, st, alice)
	})

	t.Run("Remove", func(t *testing.T) {
		st := newStore(t)
		phone, laptop, key := passkey(1, "phone", 2*time.Hour), passkey(2, "laptop", time.Hour), passkey(3, "key", 0)
		mustAdd(t, st, alice, phone, laptop, key)
		if err := st.RemovePasskey(ctx(t), alice, laptop.Credential.ID); err != nil {
			t.Fatalf("RemovePasskey: %v", err)
		}
		expectPasskeys(t, st, alice, phone, key)
		if err := st.RemovePasskey(ctx(t), alice, laptop.Credential.ID); !errors.Is(err, credentials.ErrNotFound) {
			t.Fatalf("second RemovePasskey = %v, want ErrNotFound", err)
		}
		// Removed, the same credential may be registered again.
		mustAdd(t, st, alice, laptop)
		expectPasskeys(t, st, alice, phone, laptop, key)
	})

	t.Run("InvalidArguments", func(t *testing.T) {
		st := newStore(t)
		noID := passkey(1, "phone", 0)
		noID.Credential.ID = nil
		tests := []struct {
			name string
			call func() error
		}{
			{"add without credential id", func() error { return st.AddPasskey(ctx(t), alice, noID) }},
			{"update without credential id", func() error { return st.UpdatePasskey(ctx(t), alice, noID) }},
			{"remove without credential id", func() error { return st.RemovePasskey(ctx(t), alice, nil) }},
			{"add for empty account", func() error { return st.AddPasskey(ctx(t), "", passkey(1, "phone", 0)) }},
			{"list for empty account", func() error { _, err := st.Passkeys(ctx(t), ""); return err }},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				err := tc.call()
				if err == nil || errors.Is(err, credentials.ErrUnavailable) {
					t.Fatalf("err = %v, want an argument error", err)
				}
			})
		}
		expectPasskeys(t, st, alice)
	})
}

// race runs call from n goroutines released at once and returns how many
// succeeded; every failure must be the expected error.
func race(t *testing.T, n int, call func() error, expected error) int {
	t.Helper()
	var (
		start sync.WaitGroup
		done  sync.WaitGroup
		mu    sync.Mutex
		wins  int
		other []error
	)
	start.Add(1)
	for i := 0; i < n; i++ {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			err := call()
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case !errors.Is(err, expected):
				other = append(other, err)
			}
		}()
	}
	start.Done()
	done.Wait()
	if len(other) > 0 {
		t.Fatalf("%d calls failed with an unexpected error, first: %v", len(other), other[0])
	}
	return wins
}
