package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/credentials"
	"github.com/resetbot/resetbot/credentials/rediscreds"
	"github.com/resetbot/resetbot/internal/testenv"
)

// credsConfig is a complete configuration on the test Redis with its own
// key prefix and the given keys (an empty one is left out).
func credsConfig(t *testing.T, prefix string, totpKey, previous, backupKey []byte) string {
	t.Helper()
	file := realSlapdFile(t)
	file.KeyPrefix, file.TOTPKey = prefix, base64.StdEncoding.EncodeToString(totpKey)
	if previous != nil {
		file.TOTPPreviousKey = base64.StdEncoding.EncodeToString(previous)
	}
	if backupKey != nil {
		file.BackupKey = base64.StdEncoding.EncodeToString(backupKey)
	}
	path := file.write(t)
	return path
}

// TestCredentialsCommands runs export, import and rotate-key as an
// operator does, on the real Redis: a backup moves the factors to another
// deployment (another prefix), a wrong backup key is refused in one line
// with nothing written, a second import adds nothing, and a rotation
// re-seals under the new key so that the old one can go.
func TestCredentialsCommands(t *testing.T) {
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: testenv.RequireEnv(t, "RESETBOT_TEST_REDIS_ADDR")})
	t.Cleanup(func() { rdb.Close() })
	oldKey, newKey := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	backupKey, wrongBackup := bytes.Repeat([]byte{3}, 32), bytes.Repeat([]byte{4}, 32)
	run := time.Now().UnixNano()
	src, dst, other := fmt.Sprintf("cs%x", run), fmt.Sprintf("cd%x", run), fmt.Sprintf("co%x", run)

	const account, secret = "3f8e2a1c-account", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	store := func(prefix string, key []byte) *rediscreds.Store {
		st, err := rediscreds.New(rdb, rediscreds.Options{Prefix: prefix, Key: key})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	s := store(src, oldKey)
	if err := s.SetTOTPSecret(ctx, account, secret); err != nil {
		t.Fatal(err)
	}
	pk := credentials.Passkey{Name: "laptop"}
	pk.Credential.ID = []byte{7, 7, 7}
	if err := s.AddPasskey(ctx, account, pk); err != nil {
		t.Fatal(err)
	}

	out := filepath.Join(t.TempDir(), "creds.backup")
	code, stdout, stderr := runCLI(t, "credentials", "export", credsConfig(t, src, oldKey, nil, backupKey), out)
	if code != 0 || !strings.Contains(stdout, "1 accounts, 1 passkeys, 1 TOTP secrets written") {
		t.Fatalf("export: %d\n%s%s", code, stdout, stderr)
	}
	if info, err := os.Stat(out); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("backup file mode: %v, %v; want 0600", info, err)
	}
	if code, _, stderr := runCLI(t, "credentials", "export", credsConfig(t, src, oldKey, nil, backupKey), out); code != 1 || !strings.Contains(stderr, "exists") {
		t.Fatalf("export over an existing file: %d %s", code, stderr)
	}

	code, stdout, stderr = runCLI(t, "credentials", "import", credsConfig(t, other, oldKey, nil, wrongBackup), out)
	if code != 1 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "does not open with this key") {
		t.Fatalf("import with a wrong backup key: %d\n%s%s", code, stdout, stderr)
	}
	if n, err := rdb.Keys(ctx, other+":*").Result(); err != nil || len(n) != 0 {
		t.Fatalf("a refused import wrote %v (%v)", n, err)
	}

	dstConfig := credsConfig(t, dst, oldKey, nil, backupKey)
	code, stdout, stderr = runCLI(t, "credentials", "import", dstConfig, out)
	if code != 0 || !strings.Contains(stdout, "1 accounts; passkeys: 1 added, 0 already present; TOTP secrets: 1 added") {
		t.Fatalf("import: %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, _ = runCLI(t, "credentials", "import", dstConfig, out)
	if code != 0 || !strings.Contains(stdout, "passkeys: 0 added, 1 already present; TOTP secrets: 0 added, 1 already present") {
		t.Fatalf("second import: %d %s", code, stdout)
	}

	code, stdout, stderr = runCLI(t, "credentials", "rotate-key", credsConfig(t, dst, newKey, oldKey, nil))
	if code != 0 || !strings.Contains(stdout, "1 re-sealed, 0 already under web.totp_key") || !strings.Contains(stdout, "can be removed") {
		t.Fatalf("rotate-key: %d\n%s%s", code, stdout, stderr)
	}
	if got, err := store(dst, newKey).TOTPSecret(ctx, account); err != nil || got != secret {
		t.Fatalf("after the rotation, under the new key alone: %v", err)
	}
	if got, err := store(dst, newKey).Passkeys(ctx, account); err != nil || len(got) != 1 || got[0].Name != "laptop" {
		t.Fatalf("passkeys on the target: %+v, %v", got, err)
	}
	if code, _, stderr := runCLI(t, "credentials", "export", credsConfig(t, dst, newKey, nil, nil), filepath.Join(t.TempDir(), "x")); code != 1 || !strings.Contains(stderr, "web.credentials_backup_key") {
		t.Fatalf("export without a backup key: %d %s", code, stderr)
	}
	if code, _, _ := runCLI(t, "credentials", "frobnicate"); code != 2 {
		t.Fatalf("unknown sub-command: exit %d, want 2", code)
	}
}
