package ldap

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// AD stores objectGUID as 16 bytes whose first three fields are
// little-endian, while the canonical string form (what PowerShell and Entra
// Connect show) prints them big-endian. guidFieldOrder lists, for each byte
// of the canonical string's hex digits, the index of the raw byte.
var guidFieldOrder = [16]int{3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15}

// formatGUID renders a raw objectGUID as the canonical lower-case string.
func formatGUID(raw []byte) (string, error) {
	if len(raw) != 16 {
		return "", fmt.Errorf("objectGUID has %d bytes, want 16", len(raw))
	}
	var b [16]byte
	for i, j := range guidFieldOrder {
		b[i] = raw[j]
	}
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}

// parseGUID turns a canonical GUID string (either case, optional braces)
// into AD's raw byte order.
func parseGUID(s string) ([]byte, error) {
	s = strings.TrimSuffix(strings.TrimPrefix(s, "{"), "}")
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return nil, errors.New("not a GUID in 8-4-4-4-12 form")
	}
	b, err := hex.DecodeString(strings.ReplaceAll(s, "-", ""))
	if err != nil {
		return nil, fmt.Errorf("not a GUID: %w", err)
	}
	raw := make([]byte, 16)
	for i, j := range guidFieldOrder {
		raw[j] = b[i]
	}
	return raw, nil
}

// escapeBinary renders bytes for a filter value as \xx escapes, the only
// safe way to put binary data (which may contain '*', '(' or NUL) there.
func escapeBinary(raw []byte) string {
	var sb strings.Builder
	for _, c := range raw {
		fmt.Fprintf(&sb, `\%02x`, c)
	}
	return sb.String()
}

// normalizeUUID checks an entryUUID-style string and lower-cases it, so a
// malformed id never reaches the server.
func normalizeUUID(s string) (string, error) {
	if _, err := parseGUID(s); err != nil {
		return "", err
	}
	return strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(s, "{"), "}")), nil
}
