package webauth

import "encoding/base64"

// b64url and unb64url encode credential ids in pages and forms.
func b64url(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func unb64url(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }
