package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/cmd/resetbot/internal/config"
	"github.com/resetbot/resetbot/credentials/backup"
	"github.com/resetbot/resetbot/credentials/rediscreds"
)

// runCredentials is `resetbot credentials export|import|rotate-key`: the
// operations on the enrolled factors that a running service never does by
// itself (a backup, a migration to another Redis, a TOTP key rotation).
func runCredentials(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{"credentials: missing sub-command (export, import or rotate-key)"}
	}
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("credentials "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := parseFlags(fs, rest); err != nil {
		return err
	}
	want := map[string]int{"export": 2, "import": 2, "rotate-key": 1}
	n, ok := want[sub]
	if !ok {
		return usageError{fmt.Sprintf("credentials: unknown sub-command %q", sub)}
	}
	if fs.NArg() != n {
		return usageError{"credentials: want export CONFIG FILE, import CONFIG FILE or rotate-key CONFIG"}
	}
	cfg, err := loadConfig(fs.Arg(0))
	if err != nil {
		return err
	}
	store, closeStore, err := openCredentials(ctx, cfg)
	if err != nil {
		return fmt.Errorf("credentials %s: %w", sub, err)
	}
	defer closeStore()
	switch sub {
	case "export":
		err = exportCredentials(ctx, cfg, store, fs.Arg(1), stdout)
	case "import":
		err = importCredentials(ctx, cfg, store, fs.Arg(1), stdout)
	default:
		err = rotateCredentials(ctx, store, stdout)
	}
	if err != nil && !errors.Is(err, errFound) {
		return fmt.Errorf("credentials %s: %w", sub, err)
	}
	return err
}

// openCredentials connects the credential store as serve does (same Redis,
// prefix, TOTP key and previous key).
func openCredentials(ctx context.Context, cfg *config.Config) (*rediscreds.Store, func(), error) {
	keys, err := readTOTPKeys(cfg)
	if err != nil {
		return nil, nil, err
	}
	rdb, err := newRedis(cfg.Redis)
	if err != nil {
		return nil, nil, err
	}
	if err := pingRedis(ctx, rdb); err != nil {
		rdb.Close()
		return nil, nil, atKey("redis.addrs", err)
	}
	store, err := keys.store(cfg, rdb)
	if err != nil {
		rdb.Close()
		return nil, nil, err
	}
	return store, func() { rdb.Close() }, nil
}

// totpKeys are the configured TOTP sealing key and the previous ones still
// read during a rotation.
type totpKeys struct {
	key      []byte
	previous [][]byte
}

// readTOTPKeys decodes web.totp_key and web.totp_previous_key, naming the
// key at fault; serve, report and the credentials commands read them the
// same way before they connect anything.
func readTOTPKeys(cfg *config.Config) (totpKeys, error) {
	key, err := cfg.TOTPKeyBytes()
	if err != nil {
		return totpKeys{}, atKey("web.totp_key", err)
	}
	previous, err := cfg.TOTPPreviousKeys()
	if err != nil {
		return totpKeys{}, atKey("web.totp_previous_key", err)
	}
	return totpKeys{key: key, previous: previous}, nil
}

// store is the credential store under these keys on rdb, with the
// configured key prefix.
func (k totpKeys) store(cfg *config.Config, rdb redis.UniversalClient) (*rediscreds.Store, error) {
	s, err := rediscreds.New(rdb, rediscreds.Options{Prefix: cfg.Redis.KeyPrefix, Key: k.key, PreviousKeys: k.previous})
	if err != nil {
		return nil, atKey("web.totp_key", err)
	}
	return s, nil
}

func backupKey(cfg *config.Config) ([]byte, error) {
	if cfg.Web.CredentialsBackupKey.Reveal() == "" {
		return nil, atKey("web.credentials_backup_key", errors.New("is not set: it encrypts the backup (openssl rand -base64 32)"))
	}
	key, err := cfg.CredentialsBackupKeyBytes()
	if err != nil {
		return nil, atKey("web.credentials_backup_key", err)
	}
	return key, nil
}

// exportCredentials writes the encrypted backup; it never overwrites a file.
func exportCredentials(ctx context.Context, cfg *config.Config, store *rediscreds.Store, path string, stdout io.Writer) error {
	key, err := backupKey(cfg)
	if err != nil {
		return err
	}
	snap, err := store.Export(ctx)
	if err != nil {
		return err
	}
	payload, err := json.Marshal(snap)
	if err != nil {
		return err
	}
	file, err := backup.Seal(key, payload)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(file); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	passkeys, totp := 0, 0
	for _, a := range snap.Accounts {
		passkeys += len(a.Passkeys)
		if len(a.TOTP) > 0 {
			totp++
		}
	}
	fmt.Fprintf(stdout, "credentials export: %d accounts, %d passkeys, %d TOTP secrets written to %s (encrypted)\n", len(snap.Accounts), passkeys, totp, path)
	return nil
}

// importCredentials reads a backup into this configuration's Redis.
func importCredentials(ctx context.Context, cfg *config.Config, store *rediscreds.Store, path string, stdout io.Writer) error {
	key, err := backupKey(cfg)
	if err != nil {
		return err
	}
	file, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	payload, err := backup.Open(key, file)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	var snap rediscreds.Snapshot
	if err := json.Unmarshal(payload, &snap); err != nil {
		return fmt.Errorf("%s: the backup's contents do not decode: %w", path, err)
	}
	r, err := store.Import(ctx, snap)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "credentials import: %d accounts; passkeys: %d added, %d already present; TOTP secrets: %d added, %d already present, %d kept (the target has another)\n",
		r.Accounts, r.PasskeysAdded, r.PasskeysPresent, r.TOTPAdded, r.TOTPPresent, r.TOTPKept)
	return nil
}

// rotateCredentials re-seals the TOTP secrets under web.totp_key. It exits
// 1 while secrets still need the previous key.
func rotateCredentials(ctx context.Context, store *rediscreds.Store, stdout io.Writer) error {
	r, err := store.RotateKey(ctx)
	fmt.Fprintf(stdout, "credentials rotate-key: %d re-sealed, %d already under web.totp_key, %d waiting for their next use, %d unreadable\n",
		r.Rotated, r.Current, r.Waiting, r.Unreadable)
	if err != nil {
		return fmt.Errorf("interrupted (run it again to resume): %w", err)
	}
	if !r.Done() {
		fmt.Fprintln(stdout, "credentials rotate-key: keep web.totp_previous_key: some secrets still need it (waiting ones re-seal when used; unreadable ones need re-enrolment)")
		return errFound
	}
	fmt.Fprintln(stdout, "credentials rotate-key: done: web.totp_previous_key can be removed")
	return nil
}
