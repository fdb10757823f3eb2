package blocklist

import (
	"crypto/sha1" //nolint:gosec // SHA-1 is the format of the breach corpus, not a security choice.
	"encoding/binary"
)

// keyOf derives the 64-bit filter key of a password: the first 8 bytes of its
// SHA-1, big-endian. The corpus is published as SHA-1 hex, so the same key
// can be read straight off the first 16 hex digits of a line without ever
// seeing the password; 64 bits keep accidental collisions between a billion
// corpus entries below one in fifty, and a collision only merges two entries.
func keyOf(password string) uint64 {
	sum := sha1.Sum([]byte(password)) //nolint:gosec // see import.
	return binary.BigEndian.Uint64(sum[:8])
}
