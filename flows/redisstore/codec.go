package redisstore

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
)

// The compact record encoding of flows and audit events (#10). A record is
// a format byte followed by fields, each a one-byte tag and its value;
// absent fields (empty strings, zero times, false) are not written at all.
// It replaces JSON, whose field names were most of a flow's bytes: a
// pending flow and its index entries now fit in 512 bytes of Redis.
// Records that start with '{' are the JSON encoding of earlier versions
// and are still read, so flows and audit entries written before an upgrade
// survive it. An unknown tag is an error, never skipped, so a record
// written by a newer version is refused rather than silently rewritten
// without the fields this version does not know.
//
// Values: a string is a uvarint length and its bytes; an integer a
// varint; a time the varint of its Unix nanoseconds (UTC); a flag has no
// value. Three string shapes have a shorter form under their own tag: a
// lowercase hex string (hashes) as its raw bytes, a canonical UUID as its
// 16 bytes, a flow id as its shard byte and 16 random bytes.
const formatV1 = 0x01

// errRecord is the cause of every decoding failure.
var errRecord = errors.New("malformed record")

type recWriter struct{ b []byte }

func (w *recWriter) tag(t byte) { w.b = append(w.b, t) }

func (w *recWriter) str(t byte, s string) {
	if s == "" {
		return
	}
	w.b = append(w.b, t)
	w.b = binary.AppendUvarint(w.b, uint64(len(s)))
	w.b = append(w.b, s...)
}

func (w *recWriter) raw(t byte, p []byte) {
	w.b = append(w.b, t)
	w.b = binary.AppendUvarint(w.b, uint64(len(p)))
	w.b = append(w.b, p...)
}

func (w *recWriter) int(t byte, n int64) {
	if n == 0 {
		return
	}
	w.b = append(w.b, t)
	w.b = binary.AppendVarint(w.b, n)
}

// time writes v relative to base (the Unix epoch when base is zero): a
// whole number of milliseconds as twice their count, anything else as
// twice the nanoseconds plus one, so a time the clock or a TTL rounded
// costs a few bytes.
func (w *recWriter) time(t byte, v, base time.Time) {
	if v.IsZero() {
		return
	}
	w.b = append(w.b, t)
	w.b = binary.AppendVarint(w.b, timeDelta(v, base))
}

func timeDelta(v, base time.Time) int64 {
	d := v.UnixNano()
	if !base.IsZero() {
		d -= base.UnixNano()
	}
	if d%int64(time.Millisecond) == 0 {
		return d / int64(time.Millisecond) * 2
	}
	return d*2 + 1
}

// timeFrom undoes timeDelta; ok is false for a value no time between the
// years 1678 and 2262 encodes.
func timeFrom(x int64, base time.Time) (t time.Time, ok bool) {
	var d int64
	if x&1 == 0 {
		ms := x / 2
		if ms > math.MaxInt64/int64(time.Millisecond) || ms < math.MinInt64/int64(time.Millisecond) {
			return time.Time{}, false
		}
		d = ms * int64(time.Millisecond)
	} else {
		d = (x - 1) / 2
	}
	if !base.IsZero() {
		b := base.UnixNano()
		if (b > 0 && d > math.MaxInt64-b) || (b < 0 && d < math.MinInt64-b) {
			return time.Time{}, false
		}
		d += b
	}
	return time.Unix(0, d).UTC(), true
}

// code writes s as its one-byte number in table under tCode, or as text
// under tStr when the table does not hold it.
func (w *recWriter) code(tStr, tCode byte, table []string, s string) {
	if s == "" {
		return
	}
	for i, c := range table {
		if c == s {
			w.b = append(w.b, tCode, byte(i+1))
			return
		}
	}
	w.str(tStr, s)
}

func (w *recWriter) flag(t byte, v bool) {
	if v {
		w.b = append(w.b, t)
	}
}

func (w *recWriter) list(t byte, l []string) {
	for _, s := range l {
		w.raw(t, []byte(s)) // one tag per element; an empty element is kept
	}
}

// hexStr writes s under tHex as raw bytes when it is lowercase hex (so it
// decodes back to the same text), else under tStr.
func (w *recWriter) hexStr(tStr, tHex byte, s string) {
	if s == "" {
		return
	}
	if p, err := hex.DecodeString(s); err == nil && len(s) > 0 && hex.EncodeToString(p) == s {
		w.raw(tHex, p)
		return
	}
	w.str(tStr, s)
}

// uuidStr writes a canonical lowercase UUID under tUUID as 16 bytes, any
// other id under tStr.
func (w *recWriter) uuidStr(tStr, tUUID byte, s string) {
	if p, ok := parseUUID(s); ok {
		w.b = append(w.b, tUUID)
		w.b = append(w.b, p[:]...)
		return
	}
	w.str(tStr, s)
}

// flowID writes a flow id made by flows.NewFlowID under tCompact as 17
// bytes, any other under tStr.
func (w *recWriter) flowID(tStr, tCompact byte, id string) {
	if len(id) == 25 && id[2] == '-' {
		shard, err1 := strconv.ParseUint(id[:2], 16, 8)
		p, err2 := base64.RawURLEncoding.DecodeString(id[3:])
		if err1 == nil && err2 == nil && len(p) == 16 && fmt.Sprintf("%02x-%s", shard, base64.RawURLEncoding.EncodeToString(p)) == id {
			w.b = append(w.b, tCompact, byte(shard))
			w.b = append(w.b, p...)
			return
		}
	}
	w.str(tStr, id)
}

type recReader struct {
	b   []byte
	err error
}

func (r *recReader) fail() { r.err = errRecord }

func (r *recReader) done() bool { return r.err != nil || len(r.b) == 0 }

func (r *recReader) tag() byte {
	t := r.b[0]
	r.b = r.b[1:]
	return t
}

func (r *recReader) bytes() []byte {
	n, k := binary.Uvarint(r.b)
	if k <= 0 || n > uint64(len(r.b)-k) {
		r.fail()
		r.b = nil
		return nil
	}
	p := r.b[k : k+int(n)]
	r.b = r.b[k+int(n):]
	return p
}

func (r *recReader) str() string { return string(r.bytes()) }

func (r *recReader) fixed(n int) []byte {
	if len(r.b) < n {
		r.fail()
		r.b = nil
		return nil
	}
	p := r.b[:n]
	r.b = r.b[n:]
	return p
}

func (r *recReader) int() int64 {
	n, k := binary.Varint(r.b)
	if k <= 0 {
		r.fail()
		r.b = nil
		return 0
	}
	r.b = r.b[k:]
	return n
}

// code reads a one-byte number of table.
func (r *recReader) code(table []string) string {
	p := r.fixed(1)
	if p == nil {
		return ""
	}
	if p[0] == 0 || int(p[0]) > len(table) {
		r.fail()
		return ""
	}
	return table[p[0]-1]
}

// The code tables. Append only: the numbers are stored.
var (
	kindCodes     = []string{"reset", "unlock", "enroll", "approve", "change"}
	stateCodes    = []string{"issued", "redeemed", "awaiting_approval", "verified", "applying", "completed", "denied", "failed", "cancelled", "superseded", "expired"}
	platformCodes = []string{"slack", "teams", "discord"}
	// reasonCodes are the reasons every pending flow's link.sent event
	// carries (where the link went: bot/commands.go, claim.go,
	// linkdelivery.go), so a pending flow does not spend 15 bytes on
	// "direct message". Any other reason is kept as text.
	reasonCodes = []string{
		"direct message", "private reply", "direct message, resent",
		"direct message, opens once the recipient confirms in chat",
		"private answer to the recipient's confirmation",
	}
)

// time reads a time written by recWriter.time against base.
func (r *recReader) time(base time.Time) time.Time {
	t, ok := timeFrom(r.int(), base)
	if !ok {
		r.fail()
	}
	return t
}

func (r *recReader) hex() string { return hex.EncodeToString(r.bytes()) }

func (r *recReader) uuid() string {
	p := r.fixed(16)
	if p == nil {
		return ""
	}
	return formatUUID(p)
}

func (r *recReader) flowID() string {
	p := r.fixed(17)
	if p == nil {
		return ""
	}
	return fmt.Sprintf("%02x-%s", p[0], base64.RawURLEncoding.EncodeToString(p[1:]))
}

// parseUUID accepts only the canonical lowercase 8-4-4-4-12 form, so the
// 16 bytes format back to the same text.
func parseUUID(s string) ([16]byte, bool) {
	var out [16]byte
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return out, false
	}
	h := s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:]
	p, err := hex.DecodeString(h)
	if err != nil || hex.EncodeToString(p) != h {
		return out, false
	}
	copy(out[:], p)
	return out, true
}

func formatUUID(p []byte) string {
	h := hex.EncodeToString(p)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
