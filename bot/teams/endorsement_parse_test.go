package teams

import (
	"reflect"
	"testing"
)

// TestParseEndorsements: the table read from a key set fails closed on
// anything it cannot attribute to one key.
func TestParseEndorsements(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
		want map[string][]string
	}{
		{"Bot Framework key set", `{"keys":[{"kty":"RSA","use":"sig","kid":"a","n":"x","e":"AQAB","endorsements":["msteams","webchat"]},{"kid":"b","endorsements":["skype"]}]}`,
			map[string][]string{"a": {"msteams", "webchat"}, "b": {"skype"}}},
		{"key without endorsements", `{"keys":[{"kid":"a"}]}`, map[string][]string{"a": nil}},
		{"endorsements not a list of strings", `{"keys":[{"kid":"a","endorsements":"msteams"},{"kid":"b","endorsements":["msteams",1]}]}`,
			map[string][]string{"a": nil, "b": nil}},
		{"kid listed twice", `{"keys":[{"kid":"a","endorsements":["msteams"]},{"kid":"a","endorsements":["msteams"]}]}`,
			map[string][]string{"a": nil}},
		{"key without kid ignored", `{"keys":[{"endorsements":["msteams"]}]}`, map[string][]string{}},
		{"not a key set", `<html>`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := parseEndorsements([]byte(tc.body)); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %#v, want %#v", got, tc.want)
			}
		})
	}
}
