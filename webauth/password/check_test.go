package password

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/resetbot/resetbot/directory"
)

var (
	adPolicy = directory.Policy{MinLength: 8, ComplexityRequired: true, HistoryLength: 24}
	jane     = UserInfo{AccountName: "jdoe", DisplayName: "Jane Doe"}
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name       string
		policy     directory.Policy
		user       UserInfo
		candidate  string
		wantFailed []RuleID
	}{
		{
			name: "strong passphrase passes", policy: adPolicy, user: jane,
			candidate: "Glacier-Tuba-Orbit-42!",
		},
		{
			name: "unicode passphrase with cased letters passes", policy: adPolicy, user: jane,
			candidate: "Żółw-Łódź-Pająk-Śnieg-77",
		},
		{
			name: "unicode passphrase in an uncased script passes", policy: adPolicy, user: jane,
			candidate: "猫と犬と鳥が好きです-2024!",
		},
		{
			name: "lower-case passphrase passes without AD complexity", policy: directory.Policy{MinLength: 8}, user: jane,
			candidate: "purple tractor mango violin",
		},
		{
			name: "too short", policy: adPolicy, user: jane,
			candidate: "Kx7#mQ2!vR", wantFailed: []RuleID{RuleMinLength},
		},
		{
			name: "too long", policy: adPolicy, user: jane,
			candidate: strings.Repeat("Gx7#", 33), wantFailed: []RuleID{RuleMaxLength},
		},
		{
			name: "missing classes", policy: adPolicy, user: jane,
			candidate: "purpletractormangoviolin", wantFailed: []RuleID{RuleComplexity},
		},
		{
			name: "contains account name", policy: adPolicy, user: jane,
			candidate: "Purple-JDoe-Tractor-91", wantFailed: []RuleID{RuleNoName},
		},
		{
			name: "contains display-name part Doe", policy: adPolicy, user: jane,
			candidate: "Violin-doe-Mango-Tractor-5", wantFailed: []RuleID{RuleNoName},
		},
		{
			name: "account name with domain prefix", policy: adPolicy, user: UserInfo{AccountName: `CORP\mkowalski`},
			candidate: "Mkowalski-Violin-Mango-5", wantFailed: []RuleID{RuleNoName},
		},
		{
			name: "two-letter names are not checked", policy: adPolicy, user: UserInfo{AccountName: "al", DisplayName: "Al Li"},
			candidate: "Alpine-Lichen-Mango-Tuba-5",
		},
		{
			name: "breached Password123!", policy: adPolicy, user: jane,
			candidate: "Password123!", wantFailed: []RuleID{RuleNotKnown, RuleStrength},
		},
		{
			name: "season and year", policy: adPolicy, user: jane,
			candidate: "Summer2024!", wantFailed: []RuleID{RuleMinLength, RuleNotKnown, RuleStrength},
		},
		{
			name: "long but predictable", policy: adPolicy, user: jane,
			candidate: "Aaaaaaaaaaaaaaa1!", wantFailed: []RuleID{RuleStrength},
		},
		{
			name: "empty", policy: adPolicy, user: jane,
			candidate: "", wantFailed: []RuleID{RuleMinLength, RuleComplexity, RuleNotKnown, RuleStrength},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rules := NewRules(tt.policy, Options{})
			res := Check(rules, tt.candidate, tt.user)
			if got := res.Failed(); !slices.Equal(got, tt.wantFailed) {
				t.Errorf("failed rules = %v, want %v (strength %d)", got, tt.wantFailed, res.Strength)
			}
			if res.Acceptable != (len(tt.wantFailed) == 0) {
				t.Errorf("Acceptable = %v with failures %v", res.Acceptable, res.Failed())
			}
			if res.Strength < 0 || res.Strength > 4 {
				t.Errorf("Strength = %d, want 0..4", res.Strength)
			}
			if tt.candidate != "" {
				b, err := json.Marshal(res)
				if err != nil {
					t.Fatal(err)
				}
				if strings.Contains(string(b), tt.candidate) {
					t.Errorf("result JSON contains the password: %s", b)
				}
			}
		})
	}
}

func TestCheckOrderAndLabels(t *testing.T) {
	tests := []struct {
		name   string
		policy directory.Policy
		want   []RuleResult
	}{
		{
			name:   "AD policy",
			policy: adPolicy,
			want: []RuleResult{
				{ID: RuleMinLength, Label: "At least 12 characters", OK: true},
				{ID: RuleMaxLength, Label: "At most 128 characters", OK: true},
				{ID: RuleComplexity, Label: labelComplexity, OK: true},
				{ID: RuleNoName, Label: labelNoName, OK: true},
				{ID: RuleNotKnown, Label: labelNotKnown, OK: true},
				{ID: RuleStrength, Label: labelStrength, OK: true},
			},
		},
		{
			name:   "no complexity, longer directory minimum",
			policy: directory.Policy{MinLength: 14},
			want: []RuleResult{
				{ID: RuleMinLength, Label: "At least 14 characters", OK: true},
				{ID: RuleMaxLength, Label: "At most 128 characters", OK: true},
				{ID: RuleNoName, Label: labelNoName, OK: true},
				{ID: RuleNotKnown, Label: labelNotKnown, OK: true},
				{ID: RuleStrength, Label: labelStrength, OK: true},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Check(NewRules(tt.policy, Options{}), "Glacier-Tuba-Orbit-42!", jane).Rules
			if !slices.Equal(got, tt.want) {
				t.Errorf("rules =\n%v\nwant\n%v", got, tt.want)
			}
		})
	}
}

// listChecker is a real, if tiny, Checker: it lets a test prove that the
// configured blocklist is the one consulted.
type listChecker []string

func (l listChecker) Contains(pw string) bool { return slices.Contains(l, pw) }

func TestNewRules(t *testing.T) {
	corp := listChecker{"Glacier-Tuba-Orbit-42!"}
	tests := []struct {
		name         string
		policy       directory.Policy
		opts         Options
		wantMin      int
		wantMax      int
		wantStrength int
		blocked      string // must be refused by the effective blocklist
	}{
		{name: "defaults over a weak policy", policy: directory.Policy{MinLength: 7}, wantMin: 12, wantMax: 128, wantStrength: 3, blocked: "123456"},
		{name: "directory demands more", policy: directory.Policy{MinLength: 15}, wantMin: 15, wantMax: 128, wantStrength: 3, blocked: "123456"},
		{name: "configured floor", policy: directory.Policy{MinLength: 8}, opts: Options{MinLength: 16, MinStrength: 4}, wantMin: 16, wantMax: 128, wantStrength: 4, blocked: "123456"},
		{name: "directory minimum above the maximum", policy: directory.Policy{MinLength: 200}, wantMin: 200, wantMax: 200, wantStrength: 3, blocked: "123456"},
		{name: "strength capped at 4", opts: Options{MinStrength: 9}, wantMin: 12, wantMax: 128, wantStrength: 4, blocked: "123456"},
		{name: "configured blocklist", opts: Options{Blocklist: corp}, wantMin: 12, wantMax: 128, wantStrength: 3, blocked: "Glacier-Tuba-Orbit-42!"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRules(tt.policy, tt.opts)
			if r.MinLength != tt.wantMin || r.MaxLength != tt.wantMax || r.MinStrength != tt.wantStrength {
				t.Errorf("min/max/strength = %d/%d/%d, want %d/%d/%d", r.MinLength, r.MaxLength, r.MinStrength, tt.wantMin, tt.wantMax, tt.wantStrength)
			}
			if r.ComplexityRequired != tt.policy.ComplexityRequired || r.HistoryLength != tt.policy.HistoryLength {
				t.Errorf("directory settings not carried over: %+v", r)
			}
			if !r.Blocklist.Contains(tt.blocked) {
				t.Errorf("blocklist does not refuse %q", tt.blocked)
			}
		})
	}
}

func TestForbiddenParts(t *testing.T) {
	tests := []struct {
		name string
		user UserInfo
		want []string
	}{
		{"account and display name", UserInfo{"jdoe", "Jane Doe"}, []string{"jdoe", "jane", "doe"}},
		{"AD delimiters", UserInfo{"", "Doe, Mary-Ann_O'Neil#2\tJr."}, []string{"doe", "mary", "ann", "o'neil"}},
		{"UPN and short parts", UserInfo{"li.wu@corp.example", "Li Wu"}, []string{"li.wu"}},
		{"down-level logon name", UserInfo{`CORP\JDoe`, ""}, []string{"jdoe"}},
		{"unicode case", UserInfo{"", "Łukasz Żółć"}, []string{"łukasz", "żółć"}},
		{"repeats removed", UserInfo{"doe", "Doe Doe"}, []string{"doe"}},
		{"nothing", UserInfo{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.user.forbiddenParts(); !slices.Equal(got, tt.want) {
				t.Errorf("forbiddenParts = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestClassCount(t *testing.T) {
	tests := []struct {
		name string
		s    string
		want int
	}{
		{"lower only", "abc", 1},
		{"upper lower", "Abc", 2},
		{"upper lower digit", "Abc1", 3},
		{"all four", "Abc1!", 4},
		{"space is a symbol", "abc def1", 3},
		{"greek cased", "Αλφα1", 3},
		{"cyrillic cased with symbol", "Привет!", 3},
		{"uncased script counts as its own class", "パスワード1!", 3},
		{"arabic-indic digits", "abc٣", 2},
		{"combining accent adds nothing", "e\u0301", 1},
		{"emoji is a symbol", "abc🙂", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := classCount(tt.s); got != tt.want {
				t.Errorf("classCount(%q) = %d, want %d", tt.s, got, tt.want)
			}
		})
	}
}

// TestCheckNamesTheMatchedPart: the name rule says which part of the name
// the password contains, so the person knows what to change (#11).
func TestCheckNamesTheMatchedPart(t *testing.T) {
	rules := NewRules(directory.Policy{}, Options{}).ForUser(UserInfo{AccountName: "jdoe", DisplayName: "Jane Doe"})
	res := Check(rules, "Harbour-Jane-71-Lantern", UserInfo{AccountName: "jdoe", DisplayName: "Jane Doe"})
	for _, rr := range res.Rules {
		if rr.ID != RuleNoName {
			continue
		}
		if rr.OK || rr.Detail != "it contains “jane”, from your name or username" {
			t.Fatalf("name rule: %+v", rr)
		}
		return
	}
	t.Fatal("no name rule")
}
