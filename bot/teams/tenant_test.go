package teams_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/teams/teamsfake"
)

// foreignTenant is another company's Entra tenant.
const foreignTenant = "99999999-8888-4777-8666-555555555555"

// foreigner is a user of the foreign tenant whose administrator gave them
// the mail and name of a user of ours.
func foreigner() teamsfake.Member {
	m := member("mallory")
	m.TenantID = foreignTenant
	m.Email, m.Name = "alice@example.test", "alice"
	return m
}

// TestForeignTenantRefused: an activity that is not wholly of the
// configured tenant (by channelData, conversation or the token's tid) is
// refused before anything else: 403, the core never hears of it, and the
// bot calls the connector for nothing (no reply, no lookup).
func TestForeignTenantRefused(t *testing.T) {
	r := newRig(t) // one rig: each signing key costs an RSA key generation
	r.fake.AddUser(foreigner())
	for _, tc := range []struct {
		name     string
		activity func(r *rig) teamsfake.Activity
		tid      string // tid claim of the token; "" for none
		want     int
	}{
		{"message of our tenant", func(r *rig) teamsfake.Activity {
			return r.fake.Message(member("alice"), "reset")
		}, "", http.StatusOK},
		{"token tid of our tenant", func(r *rig) teamsfake.Activity {
			return r.fake.Message(member("alice"), "reset")
		}, testTenant, http.StatusOK},
		{"message of a foreign tenant's user", func(r *rig) teamsfake.Activity {
			return r.fake.Message(foreigner(), "reset")
		}, "", http.StatusForbidden},
		{"token tid of a foreign tenant", func(r *rig) teamsfake.Activity {
			return r.fake.Message(member("alice"), "reset")
		}, foreignTenant, http.StatusForbidden},
		{"conversation.tenantId of a foreign tenant", func(r *rig) teamsfake.Activity {
			a := r.fake.Message(member("alice"), "reset")
			a.Conversation.TenantID = foreignTenant
			return a
		}, "", http.StatusForbidden},
		{"no channelData.tenant", func(r *rig) teamsfake.Activity {
			a := r.fake.Message(member("alice"), "reset")
			a.ChannelData = nil
			return a
		}, "", http.StatusForbidden},
		{"click of a foreign tenant's user", func(r *rig) teamsfake.Activity {
			th := helpdeskThread(t, r)
			c, err := th.Parent.Card()
			if err != nil {
				t.Fatal(err)
			}
			return r.fake.Invoke(foreigner(), th, c.Actions[0])
		}, "", http.StatusForbidden},
		{"conversation update of a foreign tenant", func(r *rig) teamsfake.Activity {
			a := r.fake.Message(foreigner(), "")
			a.Type, a.Text = "conversationUpdate", ""
			return a
		}, "", http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := tc.activity(r)
			calls, heard := len(r.fake.Calls()), r.h.calls()
			claims := r.fake.Claims(a.ServiceURL)
			if tc.tid != "" {
				claims["tid"] = tc.tid
			}
			status, body := r.postToken(t, a, r.fake.Sign(claims))
			if status != tc.want {
				t.Fatalf("status %d %s, want %d", status, body, tc.want)
			}
			if tc.want == http.StatusOK {
				if n := r.h.calls() - heard; n != 1 {
					t.Fatalf("core heard %d times of an activity of our tenant, want 1", n)
				}
				return
			}
			if n := r.h.calls() - heard; n != 0 {
				t.Fatalf("core heard %d times of a foreign activity, want never", n)
			}
			if got := r.fake.Calls()[calls:]; len(got) != 0 {
				t.Fatalf("connector calls for a foreign activity: %+v", got)
			}
		})
	}
}

// helpdeskThread posts a helpdesk card with an Approve button.
func helpdeskThread(t *testing.T, r *rig) teamsfake.Thread {
	t.Helper()
	_, err := r.app.Messenger().PostHelpdesk(context.Background(), bot.Message{Summary: "parent", Buttons: []bot.Button{{ActionID: bot.ActionApprove, Value: "flow-1", Label: "Approve"}}})
	if err != nil {
		t.Fatal(err)
	}
	return r.fake.Threads()[0]
}

// TestConversationsInConfiguredTenant: after activities of ours and a
// refused foreign one, every conversation the bot opens (a personal chat,
// a helpdesk thread) is in the configured tenant; no tenant is taken from
// whoever wrote last.
func TestConversationsInConfiguredTenant(t *testing.T) {
	r := newRig(t)
	r.fake.AddUser(foreigner())
	if status, _ := r.postSigned(t, r.fake.Message(foreigner(), "reset")); status != http.StatusForbidden {
		t.Fatalf("foreign message answered %d", status)
	}
	if status, body := r.postSigned(t, r.fake.Message(member("alice"), "reset")); status != http.StatusOK {
		t.Fatalf("%d %s", status, body)
	}
	m := r.app.Messenger()
	if err := m.SendPrivate(context.Background(), teamsUser("jdoe"), bot.Message{Summary: "x"}); err != nil {
		t.Fatal(err)
	}
	if err := m.SendPrivate(context.Background(), teamsUser("alice"), bot.Message{Summary: "x"}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.PostHelpdesk(context.Background(), bot.Message{Summary: "x"}); err != nil {
		t.Fatal(err)
	}
	var creates int
	for _, c := range r.fake.Calls() {
		if c.Method == http.MethodPost && strings.HasSuffix(c.Path, "/v3/conversations") {
			creates++
			if c.TenantID != testTenant {
				t.Errorf("conversation %s created in tenant %q, want %q", c.Conversation, c.TenantID, testTenant)
			}
		}
	}
	if creates < 3 {
		t.Fatalf("%d conversations created, want 3: %+v", creates, r.fake.Calls())
	}
}

// TestUserEmailIsTheUPN: identity by email uses the user principal name
// of the user's member record in the configured tenant, never the mail
// attribute, which any tenant's administrator can set to anyone's address.
func TestUserEmailIsTheUPN(t *testing.T) {
	for _, tc := range []struct {
		name      string
		mail, upn string
		want      string
	}{
		{"mail and UPN agree", "bob@example.test", "bob@example.test", "bob@example.test"},
		{"mail set to someone else's address", "ceo@example.test", "bob@example.test", "bob@example.test"},
		{"mail only, no UPN", "ceo@example.test", "", ""},
		{"UPN not an address", "ceo@example.test", "bob", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			m := member("bob")
			m.Email, m.UserPrincipalName = tc.mail, tc.upn
			r.fake.AddUser(m)
			got, err := r.messenger().UserEmail(context.Background(), m.AADObjectID)
			if err != nil || got != tc.want {
				t.Fatalf("email %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

// TestUserEmailOfForeignUserFails: a user the configured tenant does not
// know has no address at all.
func TestUserEmailOfForeignUserFails(t *testing.T) {
	r := newRig(t)
	r.fake.AddUser(foreigner())
	if got, err := r.messenger().UserEmail(context.Background(), foreigner().AADObjectID); err == nil {
		t.Fatalf("email %q of a foreign user, want an error", got)
	}
}
