// Package backup is the file format of `resetbot credentials export`: the
// enrolled factors of a deployment, encrypted as a whole under a backup key
// from configuration, so a backup or a migration between Redis deployments
// never puts a passkey record or a sealed TOTP secret on disk readable.
//
// A file is a one-line header naming the format and its version, then the
// payload sealed (AES-256-GCM, credentials/seal) with the header as
// additional data, so neither can be altered or swapped without the file
// failing to open.
package backup

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/resetbot/resetbot/credentials/seal"
)

// magic starts every backup file; the version follows it on the same line.
const magic = "resetbot-credentials-backup"

// version is the format this package writes and the only one it reads.
const version = 1

// KeySize is the length of the backup key.
const KeySize = seal.KeySize

// Errors of Open, each one line an operator can act on.
var (
	// ErrNotBackup: the file does not start with the header.
	ErrNotBackup = errors.New("not a resetbot credentials backup")
	// ErrWrongKey: the header is right but the payload does not open: the
	// key is not the one the backup was written with, or the file was
	// altered.
	ErrWrongKey = errors.New("the backup does not open with this key (wrong key, or the file was altered)")
)

func header(v int) []byte { return []byte(fmt.Sprintf("%s %d\n", magic, v)) }

// Seal encrypts payload into a backup file under key.
func Seal(key, payload []byte) ([]byte, error) {
	s, err := seal.New(key)
	if err != nil {
		return nil, err
	}
	h := header(version)
	body, err := s.Seal(payload, h)
	if err != nil {
		return nil, err
	}
	return append(h, body...), nil
}

// Open checks the header and decrypts a backup file under key.
func Open(key, file []byte) ([]byte, error) {
	line, body, ok := bytes.Cut(file, []byte("\n"))
	name, v, _ := strings.Cut(string(line), " ")
	if !ok || name != magic {
		return nil, ErrNotBackup
	}
	if v != fmt.Sprint(version) {
		return nil, fmt.Errorf("backup format version %q is not supported (this resetbot reads version %d)", v, version)
	}
	s, err := seal.New(key)
	if err != nil {
		return nil, err
	}
	payload, err := s.Open(body, header(version))
	if err != nil {
		return nil, ErrWrongKey
	}
	return payload, nil
}
