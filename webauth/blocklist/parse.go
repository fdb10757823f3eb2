package blocklist

// sha1HexLen is the length of a SHA-1 in hex, the first field of a line.
const sha1HexLen = 40

// maxCountDigits bounds the count field; Pwned counts fit easily in 20
// digits and a longer field is a sign of a wrong file, not a big count.
const maxCountDigits = 20

// hexVal maps an ASCII byte to its hex value, or 0xFF when it is not a hex
// digit. A table keeps parsing branch-light: the parser runs once per line
// of a corpus of close to a billion lines.
var hexVal = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xFF
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = byte(c-'a') + 10
		t[c-'a'+'A'] = byte(c-'a') + 10
	}
	return t
}()

// utf8BOM is stripped from the first line: files saved by some Windows tools
// start with it and the first hash would otherwise count as malformed.
var utf8BOM = []byte("\xEF\xBB\xBF")

// lineKind is what parseLine made of a line.
type lineKind uint8

const (
	lineBlank     lineKind = iota // empty or whitespace only: ignored, not counted
	lineKey                       // a valid entry
	lineMalformed                 // anything else: counted and skipped
)

// parseLine reads one line of the Pwned Passwords text format,
// "SHA1HEX:COUNT" or a bare "SHA1HEX", in either case, with or without a
// trailing CR and surrounding blanks, and returns its filter key. All 40 hex
// digits are validated, not only the 16 the key uses, so that a truncated or
// differently formatted file (NTLM hashes are 32 digits) is reported instead
// of silently producing wrong keys.
func parseLine(line []byte) (uint64, lineKind) {
	line = trimBlanks(line)
	if len(line) == 0 {
		return 0, lineBlank
	}
	if len(line) < sha1HexLen {
		return 0, lineMalformed
	}
	var key uint64
	var bad byte
	for _, c := range line[:16] {
		v := hexVal[c]
		bad |= v
		key = key<<4 | uint64(v&0x0F)
	}
	for _, c := range line[16:sha1HexLen] {
		bad |= hexVal[c]
	}
	if bad&0xF0 != 0 {
		return 0, lineMalformed
	}
	rest := line[sha1HexLen:]
	if len(rest) == 0 {
		return key, lineKey
	}
	if rest[0] != ':' {
		return 0, lineMalformed
	}
	count := rest[1:]
	if len(count) == 0 || len(count) > maxCountDigits {
		return 0, lineMalformed
	}
	for _, c := range count {
		if c < '0' || c > '9' {
			return 0, lineMalformed
		}
	}
	return key, lineKey
}

// trimBlanks strips spaces, tabs, CR and LF from both ends; hand-written
// because it runs once per corpus line.
func trimBlanks(b []byte) []byte {
	for len(b) > 0 && isBlank(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	for len(b) > 0 && isBlank(b[0]) {
		b = b[1:]
	}
	return b
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
