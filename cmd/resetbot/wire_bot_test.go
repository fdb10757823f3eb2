package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/credentials"
	"github.com/resetbot/resetbot/credentials/rediscreds"
)

// TestFactorDetailsFromTheCredentialStore: "/reset who" sees each stored
// passkey's name, dates and whether it is synced (backup eligible), and
// the TOTP enrollment, read from the real credential store.
func TestFactorDetailsFromTheCredentialStore(t *testing.T) {
	m := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: m.Addr()})
	t.Cleanup(func() { rdb.Close() })
	st, err := rediscreds.New(rdb, rediscreds.Options{Key: make([]byte, rediscreds.KeySize)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	added := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	used := added.Add(48 * time.Hour)
	phone := credentials.Passkey{Name: "iPhone", CreatedAt: added, LastUsedAt: used,
		Credential: webauthn.Credential{ID: []byte("phone"), PublicKey: []byte{1}, Flags: webauthn.CredentialFlags{BackupEligible: true, BackupState: true}}}
	key := credentials.Passkey{Name: "YubiKey", CreatedAt: added.Add(time.Hour),
		Credential: webauthn.Credential{ID: []byte("key"), PublicKey: []byte{2}}}
	for _, p := range []credentials.Passkey{phone, key} {
		if err := st.AddPasskey(ctx, "acct-1", p); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.SetTOTPSecret(ctx, "acct-1", "JBSWY3DPEHPK3PXP"); err != nil {
		t.Fatal(err)
	}
	d, err := factorsOf{st}.FactorDetails(ctx, "acct-1")
	if err != nil {
		t.Fatal(err)
	}
	if !d.TOTP || len(d.Passkeys) != 2 {
		t.Fatalf("details %+v", d)
	}
	p, k := d.Passkeys[0], d.Passkeys[1]
	if p.Name != "iPhone" || !p.AddedAt.Equal(added) || !p.LastUsed.Equal(used) || !p.Synced {
		t.Errorf("phone %+v", p)
	}
	if k.Name != "YubiKey" || !k.LastUsed.IsZero() || k.Synced {
		t.Errorf("security key %+v", k)
	}
	none, err := factorsOf{st}.FactorDetails(ctx, "acct-2")
	if err != nil || len(none.Passkeys) != 0 || none.TOTP {
		t.Errorf("an account with nothing: %+v, %v", none, err)
	}
}

// TestRevokeFactorsInTheCredentialStore: a revoke by name removes only
// that passkey (case and spacing aside); "all" removes every passkey and
// the authenticator app; an unknown name removes nothing.
func TestRevokeFactorsInTheCredentialStore(t *testing.T) {
	m := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: m.Addr()})
	t.Cleanup(func() { rdb.Close() })
	st, err := rediscreds.New(rdb, rediscreds.Options{Key: make([]byte, rediscreds.KeySize)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i, name := range []string{"iPhone 15", "YubiKey", "Laptop"} {
		p := credentials.Passkey{Name: name, CreatedAt: time.Now(), Credential: webauthn.Credential{ID: []byte{byte(i + 1)}, PublicKey: []byte{1}}}
		if err := st.AddPasskey(ctx, "acct", p); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.SetTOTPSecret(ctx, "acct", "JBSWY3DPEHPK3PXP"); err != nil {
		t.Fatal(err)
	}
	f := factorsOf{st}
	if got, err := f.RevokeFactors(ctx, "acct", "iphone 15"); err != nil || len(got) != 1 || got[0] != "iPhone 15" {
		t.Fatalf("by name: %v, %v", got, err)
	}
	if got, err := f.RevokeFactors(ctx, "acct", "tablet"); err != nil || len(got) != 0 {
		t.Fatalf("unknown name: %v, %v", got, err)
	}
	if got, err := f.RevokeFactors(ctx, "acct", "all"); err != nil || strings.Join(got, ",") != "YubiKey,Laptop,authenticator app" {
		t.Fatalf("all: %v, %v", got, err)
	}
	if s, err := st.Summary(ctx, "acct"); err != nil || s.Passkeys != 0 || s.TOTP {
		t.Fatalf("left: %+v, %v", s, err)
	}
}
