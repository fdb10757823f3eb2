package rediscreds_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/resetbot/resetbot/credentials"
	"github.com/resetbot/resetbot/credentials/backup"
	"github.com/resetbot/resetbot/credentials/rediscreds"
	verify "github.com/resetbot/resetbot/webauth/totp"
)

// TestExportImportRedisServerToCluster moves every factor from one Redis
// deployment (the single server) to another (the cluster) through an
// encrypted backup file, as `resetbot credentials export|import` does: on
// the target a TOTP code verifies and the passkeys are found, a second
// import changes nothing, a target's own newer secret is kept, and the
// file holds no secret, passkey or account id in the clear.
func TestExportImportRedisServerToCluster(t *testing.T) {
	ctx := context.Background()
	srcRDB, dstRDB := serverClient(t), clusterClient(t)
	src := newStore(t, srcRDB, prefix(), testKey)
	accounts, secrets := enrolled(t, src, 5)
	pk := credentials.Passkey{Name: "phone", CreatedAt: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}
	pk.Credential.ID = []byte{0xfb, 0xff, 9}
	pk.Credential.PublicKey = []byte("public key bytes")
	if err := src.AddPasskey(ctx, accounts[0], pk); err != nil {
		t.Fatal(err)
	}
	if err := src.UseTOTPStep(ctx, accounts[1], 1000); err != nil {
		t.Fatal(err)
	}
	snap, err := src.Export(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Accounts) != len(accounts) {
		t.Fatalf("exported %d accounts, want %d", len(snap.Accounts), len(accounts))
	}
	backupKey := bytes.Repeat([]byte{0x5a}, backup.KeySize)
	payload, err := json.Marshal(snap)
	if err != nil {
		t.Fatal(err)
	}
	file, err := backup.Seal(backupKey, payload)
	if err != nil {
		t.Fatal(err)
	}
	for _, plain := range append([]string{secrets[accounts[0]], "public key bytes", "phone", accounts[0]}, secrets[accounts[1]]) {
		if bytes.Contains(file, []byte(plain)) {
			t.Fatalf("the backup file holds %q in the clear", plain)
		}
	}

	// The target: another Redis, another prefix, the same TOTP key.
	dstPrefix := prefix()
	dst := newStore(t, dstRDB, dstPrefix, testKey)
	// accounts[2] enrolled again on the target already: kept.
	if err := dst.SetTOTPSecret(ctx, accounts[2], "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"); err != nil {
		t.Fatal(err)
	}
	opened, err := backup.Open(backupKey, file)
	if err != nil {
		t.Fatal(err)
	}
	var back rediscreds.Snapshot
	if err := json.Unmarshal(opened, &back); err != nil {
		t.Fatal(err)
	}
	r, err := dst.Import(ctx, back)
	if err != nil {
		t.Fatal(err)
	}
	want := rediscreds.ImportReport{Accounts: 5, PasskeysAdded: 1, TOTPAdded: 4, TOTPKept: 1}
	if r != want {
		t.Fatalf("import = %+v, want %+v", r, want)
	}
	if again, err := dst.Import(ctx, back); err != nil || again != (rediscreds.ImportReport{Accounts: 5, PasskeysPresent: 1, TOTPPresent: 4, TOTPKept: 1}) {
		t.Fatalf("second import = %+v, %v; want everything already present", again, err)
	}

	// A TOTP verification and a passkey lookup on the target.
	a := accounts[0]
	secret, err := dst.TOTPSecret(ctx, a)
	if err != nil || secret != secrets[a] {
		t.Fatalf("TOTPSecret on the target: %v", err)
	}
	now := time.Now()
	code, _ := totp.GenerateCode(secret, now)
	step, ok := verify.Verify(secret, code, now)
	if !ok {
		t.Fatal("the current code does not verify on the target")
	}
	if err := dst.UseTOTPStep(ctx, a, step); err != nil {
		t.Fatalf("UseTOTPStep on the target: %v", err)
	}
	got, err := dst.Passkeys(ctx, a)
	if err != nil || len(got) != 1 || got[0].Name != "phone" || !bytes.Equal(got[0].Credential.PublicKey, pk.Credential.PublicKey) || !got[0].CreatedAt.Equal(pk.CreatedAt) {
		t.Fatalf("Passkeys on the target = %+v, %v; want the exported one", got, err)
	}
	// The replay memory came along.
	if err := dst.UseTOTPStep(ctx, accounts[1], 1000); !errors.Is(err, credentials.ErrReplay) {
		t.Fatalf("a step used on the source = %v on the target, want ErrReplay", err)
	}
	if s, err := dst.TOTPSecret(ctx, accounts[2]); err != nil || s != "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" {
		t.Fatalf("the target's own newer secret was not kept: %v", err)
	}

	t.Run("WrongBackupKey", func(t *testing.T) {
		if _, err := backup.Open(bytes.Repeat([]byte{0x5b}, backup.KeySize), file); !errors.Is(err, backup.ErrWrongKey) {
			t.Fatalf("Open under another key = %v, want ErrWrongKey", err)
		}
	})
	t.Run("TargetWithoutTheTOTPKey", func(t *testing.T) {
		p := prefix()
		other := newStore(t, dstRDB, p, newKey)
		if _, err := other.Import(ctx, back); !errors.Is(err, rediscreds.ErrForeignKey) {
			t.Fatalf("Import into a store with another TOTP key = %v, want ErrForeignKey", err)
		}
		if keys := accountKeys(t, dstRDB, p); len(keys) != 0 {
			t.Fatalf("a refused import wrote %v", keys)
		}
	})
}

// TestLegacySecretRedisServer: a secret sealed before sealed values named
// their key and before the account id was kept beside it (format 1) still
// reads back, and the read stores it re-sealed with the id, so the next
// rotation can move it; until then the rotation reports it waiting.
func TestLegacySecretRedisServer(t *testing.T) {
	ctx := context.Background()
	rdb := serverClient(t)
	p := prefix()
	const account, secret = "legacy-account", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	if err := rdb.HSet(ctx, keyOf(p, account, "totp"), "c", sealV1(t, testKey, secret, account), "last", 7).Err(); err != nil {
		t.Fatal(err)
	}
	st := rotatingStore(t, rdb, p)
	if r, err := st.RotateKey(ctx); err != nil || r.Waiting != 1 || r.Done() {
		t.Fatalf("rotation before the read = %+v, %v; want 1 waiting", r, err)
	}
	if got, err := st.TOTPSecret(ctx, account); err != nil || got != secret {
		t.Fatalf("TOTPSecret of a format-1 value = %v", err)
	}
	if r, err := st.RotateKey(ctx); err != nil || !r.Done() || r.Rotated+r.Current != 1 {
		t.Fatalf("rotation after the read = %+v, %v; want it done", r, err)
	}
	if got, err := newStore(t, rdb, p, newKey).TOTPSecret(ctx, account); err != nil || got != secret {
		t.Fatalf("under the new key alone: %v", err)
	}
	if err := st.UseTOTPStep(ctx, account, 7); !errors.Is(err, credentials.ErrReplay) {
		t.Fatalf("the used-step memory was lost: %v", err)
	}
}

// sealV1 seals as the first format did: 1 || nonce || AES-256-GCM, with
// the account id as additional data.
func sealV1(t *testing.T, key []byte, secret, account string) []byte {
	t.Helper()
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	nonce := bytes.Repeat([]byte{3}, aead.NonceSize())
	return aead.Seal(append([]byte{1}, nonce...), nonce, []byte(secret), []byte(account))
}
