package memory_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/memory"
)

func TestNewRejectsInconsistentSeeds(t *testing.T) {
	tests := []struct {
		name    string
		seed    memory.Seed
		wantErr string
	}{
		{"user without name", memory.Seed{Users: []memory.SeedUser{{}}}, "without account name"},
		{"duplicate account", memory.Seed{Users: []memory.SeedUser{{AccountName: "a"}, {AccountName: "A"}}}, "duplicate account"},
		{"duplicate id", memory.Seed{Users: []memory.SeedUser{{AccountName: "a", ID: "x"}, {AccountName: "b", ID: "x"}}}, "duplicate id"},
		{"unknown member", memory.Seed{Groups: []memory.SeedGroup{{Name: "g", Users: []string{"ghost"}}}}, "unknown user"},
		{"unknown nested group", memory.Seed{Groups: []memory.SeedGroup{{Name: "g", Groups: []string{"h"}}}}, "unknown group"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := memory.New(tc.seed)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("New = %v, want error containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestPasswordsAreNotKeptInClear(t *testing.T) {
	d, err := memory.New(memory.ExampleSeed())
	if err != nil {
		t.Fatal(err)
	}
	u, err := d.Find(context.Background(), directory.Lookup{Kind: directory.ByAccountName, Value: "pwuser"})
	if err != nil {
		t.Fatal(err)
	}
	const fresh = "Fresh-Secret-42"
	if err := d.SetPassword(context.Background(), u, fresh); err != nil {
		t.Fatal(err)
	}
	dump := fmt.Sprintf("%+v %#v", d, d)
	for _, pw := range []string{memory.ExamplePassword, fresh} {
		if strings.Contains(dump, pw) {
			t.Errorf("a dump of the directory contains the password %q", pw)
		}
	}
}

func TestMemoryPolicyRules(t *testing.T) {
	tests := []struct {
		name     string
		password string
		wantErr  bool
	}{
		{"good", "Quite-G00d-One", false},
		{"too short", "Ab1-", true},
		{"contains account name", "Xpwuser-99!", true},
		{"contains account name, other case", "PWUser-99!x", true},
		{"two character classes", "alllowercase123", true},
		{"current password", memory.ExamplePassword, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := memory.New(memory.ExampleSeed())
			if err != nil {
				t.Fatal(err)
			}
			u, err := d.Find(context.Background(), directory.Lookup{Kind: directory.ByAccountName, Value: "pwuser"})
			if err != nil {
				t.Fatal(err)
			}
			err = d.SetPassword(context.Background(), u, tc.password)
			if got := errors.Is(err, directory.ErrPasswordPolicy); got != tc.wantErr {
				t.Fatalf("SetPassword = %v, want policy error %v", err, tc.wantErr)
			}
		})
	}
}

func TestHistoryLimit(t *testing.T) {
	d, err := memory.New(memory.ExampleSeed()) // history 3: current and two before
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	u, err := d.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: "pwuser"})
	if err != nil {
		t.Fatal(err)
	}
	for _, pw := range []string{"Second-Pass-2", "Third-Pass-3", "Fourth-Pass-4"} {
		if err := d.SetPassword(ctx, u, pw); err != nil {
			t.Fatalf("SetPassword(%d chars): %v", len(pw), err)
		}
	}
	if err := d.SetPassword(ctx, u, "Third-Pass-3"); !errors.Is(err, directory.ErrPasswordPolicy) {
		t.Errorf("reusing a password inside the history = %v, want policy error", err)
	}
	if err := d.SetPassword(ctx, u, memory.ExamplePassword); err != nil {
		t.Errorf("reusing a password older than the history = %v, want success", err)
	}
}
