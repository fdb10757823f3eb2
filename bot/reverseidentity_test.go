package bot

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
)

// plainMessenger can message people but look nobody up (Discord, Teams
// without Graph).
type plainMessenger struct{ Messenger }

// emailDirectory is a platform's member list for UserIDByEmail; fail
// answers every lookup with a transient error.
type emailDirectory struct {
	Messenger
	ids  map[string]string
	fail error
}

func (e emailDirectory) UserIDByEmail(_ context.Context, email string) (string, error) {
	if e.fail != nil {
		return "", e.fail
	}
	if id, ok := e.ids[strings.ToLower(email)]; ok {
		return id, nil
	}
	return "", fmt.Errorf("not a member: %w", ErrNoChatUser)
}

// TestChatIdentitiesOf: an account reaches each platform by that
// platform's identity rule, in reverse: the chat-id attribute's value, or
// the platform's own lookup of the account's email. Accounts no platform
// can name come back empty with no error (counted by callers, never
// guessed); a platform that cannot answer now is an error, and the
// identities found elsewhere are still returned.
func TestChatIdentitiesOf(t *testing.T) {
	down := errors.New("lookup API down")
	jdoe := &directory.User{ID: "1", Email: "JDoe@example.test", ChatIDs: map[string]string{"discord": "4242", "slack": "U0STALE"}}
	noMail := &directory.User{ID: "2", ChatIDs: map[string]string{"slack": "U0NOMAIL"}}
	nobody := &directory.User{ID: "3", Email: "gone@example.test"}
	cases := []struct {
		name      string
		identity  map[string]IdentityRule
		platforms map[string]Messenger
		user      *directory.User
		want      []flows.ChatIdentity
		wantErr   error
	}{
		{"chat id attributes on every platform",
			nil,
			map[string]Messenger{"slack": plainMessenger{}, "discord": plainMessenger{}},
			jdoe,
			[]flows.ChatIdentity{{Platform: "discord", UserID: "4242"}, {Platform: "slack", UserID: "U0STALE"}}, nil},
		{"email platform uses the lookup, never the attribute",
			map[string]IdentityRule{"slack": {By: IdentityByEmail}},
			map[string]Messenger{"slack": emailDirectory{ids: map[string]string{"jdoe@example.test": "U0JDOE"}}, "discord": plainMessenger{}},
			jdoe,
			[]flows.ChatIdentity{{Platform: "discord", UserID: "4242"}, {Platform: "slack", UserID: "U0JDOE"}}, nil},
		{"email platform without a lookup reaches nobody",
			map[string]IdentityRule{"teams": {By: IdentityByEmail}},
			map[string]Messenger{"teams": plainMessenger{}},
			jdoe, nil, nil},
		{"account without email on an email platform",
			map[string]IdentityRule{"slack": {By: IdentityByEmail}},
			map[string]Messenger{"slack": emailDirectory{ids: map[string]string{"": "U0EMPTY"}}},
			noMail, nil, nil},
		{"nobody anywhere",
			map[string]IdentityRule{"slack": {By: IdentityByEmail}},
			map[string]Messenger{"slack": emailDirectory{}, "discord": plainMessenger{}},
			nobody, nil, nil},
		{"lookup down is an error, the others still found",
			map[string]IdentityRule{"slack": {By: IdentityByEmail}},
			map[string]Messenger{"slack": emailDirectory{fail: down}, "discord": plainMessenger{}},
			jdoe, []flows.ChatIdentity{{Platform: "discord", UserID: "4242"}}, down},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := &Bot{cfg: Config{Identity: tc.identity}, platforms: tc.platforms}
			got, err := b.chatIdentitiesOf(context.Background(), tc.user)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("identities = %v, want %v", got, tc.want)
			}
			if tc.wantErr == nil && err != nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("err = %v, want %v", err, tc.wantErr)
			}
			if errors.Is(err, ErrNoChatUser) {
				t.Errorf("err = %v: nobody is an answer, not an error", err)
			}
		})
	}
}
