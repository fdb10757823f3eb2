package backup_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/resetbot/resetbot/credentials/backup"
)

var key = bytes.Repeat([]byte{0x5a}, backup.KeySize)

func TestRoundTrip(t *testing.T) {
	payload := []byte(`{"accounts":[{"tag":"secret-looking"}]}`)
	file, err := backup.Seal(key, payload)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(file, []byte("resetbot-credentials-backup 1\n")) {
		t.Fatalf("file does not start with its header: %q", file[:40])
	}
	if bytes.Contains(file, []byte("secret-looking")) {
		t.Fatal("the payload is in the clear")
	}
	got, err := backup.Open(key, file)
	if err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("Open = %q, %v", got, err)
	}
}

// TestRefused: each way a file can be wrong is its own one-line error.
func TestRefused(t *testing.T) {
	file, err := backup.Seal(key, []byte("payload"))
	if err != nil {
		t.Fatal(err)
	}
	flipped := bytes.Clone(file)
	flipped[len(flipped)-1] ^= 1
	tests := []struct {
		name string
		key  []byte
		file []byte
		want error
		text string
	}{
		{"wrong key", bytes.Repeat([]byte{1}, backup.KeySize), file, backup.ErrWrongKey, ""},
		{"altered", key, flipped, backup.ErrWrongKey, ""},
		{"header changed", key, bytes.Replace(file, []byte(" 1\n"), []byte(" 1 \n"), 1), nil, "version"},
		{"other version", key, bytes.Replace(file, []byte(" 1\n"), []byte(" 2\n"), 1), nil, "version \"2\" is not supported"},
		{"not a backup", key, []byte("{}\n"), backup.ErrNotBackup, ""},
		{"empty", key, nil, backup.ErrNotBackup, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := backup.Open(tc.key, tc.file)
			if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) || !strings.Contains(err.Error(), tc.text) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("Open = %v; want %v %q on one line", err, tc.want, tc.text)
			}
		})
	}
}
