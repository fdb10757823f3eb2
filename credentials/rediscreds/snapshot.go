package rediscreds

import (
	"context"
	"errors"
	"sort"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/credentials/seal"
)

// Snapshot is every enrolled factor of a store, as stored: passkey records
// and TOTP hashes keyed by the account's hash tag. TOTP secrets stay
// sealed under the TOTP key, so a snapshot restores only into a store that
// has that key (current or previous); it is meant to be written encrypted
// again as a whole (credentials/backup), never in the clear.
type Snapshot struct {
	Accounts []AccountRecord `json:"accounts"`
}

// AccountRecord is one account's keys: the hash tag (the hashed account id
// that names its keys, independent of the key prefix) and the raw fields.
type AccountRecord struct {
	Tag      string            `json:"tag"`
	Passkeys map[string]string `json:"passkeys,omitempty"`
	TOTP     map[string][]byte `json:"totp,omitempty"`
}

// Export reads every account's factors. It is a consistent copy of each
// account (each hash is read in one command), not of the whole store at
// one instant: an enrolment during the export may or may not be in it.
func (s *Store) Export(ctx context.Context) (Snapshot, error) {
	byTag := map[string]*AccountRecord{}
	err := s.eachKey(ctx, ":cred:*", func(key string) error {
		tag, kind, ok := s.parseKey(key)
		if !ok {
			return nil
		}
		fields, err := s.rdb.HGetAll(ctx, key).Result()
		if err != nil {
			return unavailable("export", err)
		}
		if len(fields) == 0 {
			return nil
		}
		rec := byTag[tag]
		if rec == nil {
			rec = &AccountRecord{Tag: tag}
			byTag[tag] = rec
		}
		switch kind {
		case "passkeys":
			rec.Passkeys = fields
		case "totp":
			rec.TOTP = map[string][]byte{}
			for f, v := range fields {
				rec.TOTP[f] = []byte(v)
			}
		}
		return nil
	})
	if err != nil {
		return Snapshot{}, err
	}
	var snap Snapshot
	for _, rec := range byTag {
		snap.Accounts = append(snap.Accounts, *rec)
	}
	sort.Slice(snap.Accounts, func(i, j int) bool { return snap.Accounts[i].Tag < snap.Accounts[j].Tag })
	return snap, nil
}

// parseKey splits "<prefix>:cred:{<tag>}:<kind>".
func (s *Store) parseKey(key string) (tag, kind string, ok bool) {
	rest, ok := strings.CutPrefix(key, s.prefix+":cred:{")
	if !ok {
		return "", "", false
	}
	tag, kind, ok = strings.Cut(rest, "}:")
	if !ok || !validTag(tag) || (kind != "passkeys" && kind != "totp") {
		return "", "", false
	}
	return tag, kind, true
}

// validTag: 32 lowercase hex digits, what keys() makes.
func validTag(tag string) bool {
	if len(tag) != 32 {
		return false
	}
	for _, c := range tag {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// ImportReport counts what Import did.
type ImportReport struct {
	Accounts int
	// PasskeysAdded were new; PasskeysPresent were stored already (a
	// second import of the same backup adds nothing).
	PasskeysAdded, PasskeysPresent int
	// TOTPAdded were new; TOTPPresent identical already; TOTPKept differ
	// from a secret the target already has, which is kept (the account
	// enrolled again there).
	TOTPAdded, TOTPPresent, TOTPKept int
}

// ErrForeignKey: the snapshot holds TOTP secrets sealed under a key this
// store is not configured with, so they would not read back after import.
var ErrForeignKey = errors.New("the backup's TOTP secrets are sealed under a key that web.totp_key and web.totp_previous_key do not include")

// importTOTPScript stores an account's TOTP hash unless it has one: 1 if
// stored, 0 if the same sealed secret is there, -1 if another one is.
// KEYS: totp. ARGV: sealed, then field/value pairs of the whole hash.
var importTOTPScript = redis.NewScript(`
local cur = redis.call('HGET', KEYS[1], 'c')
if cur then
  if cur == ARGV[1] then return 0 end
  return -1
end
for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i+1]) end
return 1
`)

// Import writes a snapshot into this store, idempotently: a passkey or a
// TOTP secret the target already has is left as it is, so importing twice,
// or into a store in use, never overwrites a newer enrolment. It refuses
// the whole snapshot, writing nothing, if a TOTP secret is sealed under a
// key the store does not have.
func (s *Store) Import(ctx context.Context, snap Snapshot) (ImportReport, error) {
	for _, rec := range snap.Accounts {
		if !validTag(rec.Tag) {
			return ImportReport{}, errors.New("the backup holds a malformed account key")
		}
		if c, ok := rec.TOTP[fieldSealed]; ok {
			if id, named := seal.SealedBy(c); named && !s.sealer.Knows(id) {
				return ImportReport{}, ErrForeignKey
			}
		}
	}
	var r ImportReport
	for _, rec := range snap.Accounts {
		r.Accounts++
		base := s.prefix + ":cred:{" + rec.Tag + "}:"
		for f, v := range rec.Passkeys {
			added, err := s.rdb.HSetNX(ctx, base+"passkeys", f, v).Result()
			if err != nil {
				return r, unavailable("import passkey", err)
			}
			if added {
				r.PasskeysAdded++
			} else {
				r.PasskeysPresent++
			}
		}
		c, ok := rec.TOTP[fieldSealed]
		if !ok {
			continue
		}
		args := []any{c}
		for f, v := range rec.TOTP {
			args = append(args, f, v)
		}
		n, err := importTOTPScript.Run(ctx, s.rdb, []string{base + "totp"}, args...).Int()
		if err != nil {
			return r, unavailable("import TOTP secret", err)
		}
		switch n {
		case 1:
			r.TOTPAdded++
		case 0:
			r.TOTPPresent++
		default:
			r.TOTPKept++
		}
	}
	return r, nil
}
