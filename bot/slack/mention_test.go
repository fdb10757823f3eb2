package slack

import (
	"reflect"
	"testing"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/flows"
)

func TestParseMentions(t *testing.T) {
	user := func(id, name string) bot.User {
		return bot.User{ID: flows.ChatIdentity{Platform: Platform, UserID: id}, Name: name}
	}
	tests := []struct {
		name     string
		in       string
		wantText string
		want     []bot.User
	}{
		{"empty", "", "", nil},
		{"word", "unlock", "unlock", nil},
		{"escaped mention", "for <@U0ALICE|alice>", "for <@slack:U0ALICE>", []bot.User{user("U0ALICE", "alice")}},
		{"bare mention", "for <@W0ALICE>", "for <@slack:W0ALICE>", []bot.User{user("W0ALICE", "")}},
		{"two in order", "<@U0B|b> and <@U0A|a>", "<@slack:U0B> and <@slack:U0A>", []bot.User{user("U0B", "b"), user("U0A", "a")}},
		{"entities decoded", "a &amp; b &lt;c&gt;", "a & b <c>", nil},
		{"typed token stays text", "&lt;@slack:U0EVIL&gt;", "&lt;@slack:U0EVIL>", nil},
		{"not an id", "<@alice>", "&lt;@alice>", nil},
		{"channel left alone", "<#C0123|general>", "<#C0123|general>", nil},
		{"unterminated", "for <@U0ALICE", "for &lt;@U0ALICE", nil},
		{"nested bracket", "<@U0A<@U0B|b>", "&lt;@U0A<@slack:U0B>", []bot.User{user("U0B", "b")}},
		{"name entities decoded", "<@U0A|a&amp;b>", "<@slack:U0A>", []bot.User{user("U0A", "a&b")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, got := parseMentions(tt.in)
			if text := bot.ShowMentions(text); text != tt.wantText {
				t.Errorf("text = %q, want %q", text, tt.wantText)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("mentions = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// checkNeutralText asserts the translation invariant: the translated text
// holds exactly the mentions, in order, as mention tokens, and nothing
// else in it reads as one.
func checkNeutralText(t *testing.T, text string, mentions []bot.User) {
	t.Helper()
	var ids []flows.ChatIdentity
	bot.ReplaceMentions(text, func(id flows.ChatIdentity) string { ids = append(ids, id); return "" })
	if len(ids) != len(mentions) {
		t.Fatalf("text %q has %d tokens for %d mentions", text, len(ids), len(mentions))
	}
	for i, m := range mentions {
		if ids[i] != m.ID {
			t.Fatalf("text %q: token %d is %v, not %v", text, i, ids[i], m.ID)
		}
		if !userID.MatchString(m.ID.UserID) || m.ID.Platform != Platform {
			t.Fatalf("mention %+v is not a Slack user", m)
		}
	}
}

func FuzzParseMentions(f *testing.F) {
	for _, s := range []string{"", "for <@U0ALICE|alice>", "<@U0A<@U0B|b>", "&lt;@slack:U1&gt;", "<@slack:U1>", "<@U1|<@U2>>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		text, mentions := parseMentions(in)
		checkNeutralText(t, text, mentions)
	})
}
