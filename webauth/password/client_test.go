package password

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/resetbot/resetbot/directory"
)

func TestClientJSON(t *testing.T) {
	tests := []struct {
		name          string
		rules         Rules
		wantForbidden []string
		wantIDs       []RuleID
		wantLocal     []bool
	}{
		{
			name:          "AD policy for a user",
			rules:         NewRules(adPolicy, Options{}).ForUser(UserInfo{"JDoe", "Jane DOE"}),
			wantForbidden: []string{"jdoe", "jane", "doe"},
			wantIDs:       []RuleID{RuleMinLength, RuleMaxLength, RuleComplexity, RuleNoName, RuleNotKnown, RuleStrength},
			wantLocal:     []bool{true, true, true, true, false, false},
		},
		{
			name:          "no user yet",
			rules:         NewRules(directory.Policy{}, Options{}),
			wantForbidden: []string{},
			wantIDs:       []RuleID{RuleMinLength, RuleMaxLength, RuleNoName, RuleNotKnown, RuleStrength},
			wantLocal:     []bool{true, true, true, false, false},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.rules.ClientJSON()
			if err != nil {
				t.Fatal(err)
			}
			var got clientRules
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatalf("%s: %v", b, err)
			}
			if got.MinLength != tt.rules.MinLength || got.MaxLength != tt.rules.MaxLength ||
				got.ComplexityRequired != tt.rules.ComplexityRequired || got.MinClasses != 3 {
				t.Errorf("limits = %+v, want those of %+v", got, tt.rules)
			}
			if !slices.Equal(got.ForbiddenParts, tt.wantForbidden) || got.ForbiddenParts == nil {
				t.Errorf("forbiddenParts = %#v, want %#v (an array, never null)", got.ForbiddenParts, tt.wantForbidden)
			}
			var ids []RuleID
			var local []bool
			for _, l := range got.Checklist {
				ids = append(ids, l.ID)
				local = append(local, l.Local)
				if l.Label == "" {
					t.Errorf("line %s has no label", l.ID)
				}
			}
			if !slices.Equal(ids, tt.wantIDs) || !slices.Equal(local, tt.wantLocal) {
				t.Errorf("checklist ids %v local %v, want %v %v", ids, local, tt.wantIDs, tt.wantLocal)
			}
		})
	}
}

func TestForUserMatchesCheck(t *testing.T) {
	// The parts sent to the browser must be exactly the ones Check
	// enforces, or the ticks would lie.
	r := NewRules(adPolicy, Options{}).ForUser(jane)
	for _, p := range r.forbidden {
		res := Check(r, "Xq9!"+p+"-Mango-Tractor-Violin", UserInfo{})
		if !slices.Contains(res.Failed(), RuleNoName) {
			t.Errorf("part %q sent to the browser is not enforced by Check", p)
		}
	}
}
