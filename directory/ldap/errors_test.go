package ldap

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	goldap "github.com/go-ldap/ldap/v3"

	"github.com/resetbot/resetbot/directory"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"bad password", goldap.NewError(49, errors.New("80090308: LdapErr: DSID-0C09041C, comment: AcceptSecurityContext error, data 52e, v4563")), directory.ErrInvalidCredentials},
		{"locked", goldap.NewError(49, errors.New("80090308: LdapErr: DSID-0C09041C, comment: AcceptSecurityContext error, data 775, v4563")), directory.ErrInvalidCredentials},
		{"insufficient access", goldap.NewError(50, errors.New("00002098: SecErr: DSID-03150F94")), directory.ErrPermission},
		{"no such object", goldap.NewError(32, errors.New("0000208D: NameErr")), directory.ErrNotFound},
		{"network", goldap.NewError(goldap.ErrorNetwork, errors.New("connection reset")), directory.ErrUnavailable},
		{"server busy", goldap.NewError(51, errors.New("busy")), directory.ErrUnavailable},
		{"cancelled", context.Canceled, directory.ErrUnavailable},
		{"deadline", context.DeadlineExceeded, directory.ErrUnavailable},
		{"already classified", &directory.PolicyError{Reason: "x."}, directory.ErrPasswordPolicy},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := classify("op", tc.err)
			if !errors.Is(got, tc.want) {
				t.Fatalf("classify = %v, want %v", got, tc.want)
			}
			if !errors.Is(got, tc.err) {
				t.Errorf("classify lost the cause: %v", got)
			}
		})
	}
	if classify("op", nil) != nil {
		t.Error("classify(nil) != nil")
	}
}

func TestPolicyReasons(t *testing.T) {
	samba := func(detail string) error {
		return goldap.NewError(19, errors.New("0000052D: Constraint violation - check_password_restrictions: "+detail))
	}
	ppolicy := func(msg string) error { return goldap.NewError(19, errors.New(msg)) }
	tests := []struct {
		name       string
		d          dialect
		err        error
		wantPolicy bool
		wantWord   string
	}{
		{"ad too short", activeDirectory{}, samba("the password is too short. It should be equal or longer than 8 characters!"), true, "at least 8 characters"},
		{"ad too short, no length", activeDirectory{}, samba("the password is too short!"), true, "too short"},
		{"ad complexity", activeDirectory{}, samba("the password does not meet the complexity criteria!"), true, "complex"},
		{"ad history", activeDirectory{}, samba("the password was already used (in history)!"), true, "used recently"},
		{"ad too young", activeDirectory{}, samba("password is too young to change!"), true, "too recently"},
		{"windows ad says little", activeDirectory{}, goldap.NewError(19, errors.New("0000052D: SvcErr: DSID-031A1254, problem 5003 (WILL_NOT_PERFORM), data 0")), true, "length, complexity or history"},
		{"windows ad unwilling 52D", activeDirectory{}, goldap.NewError(53, errors.New("0000052D: SvcErr: DSID-031A12D2, problem 5003")), true, "length, complexity or history"},
		{"ad unwilling other", activeDirectory{}, goldap.NewError(53, errors.New("0000001F: SvcErr: DSID-031A12D2, problem 5003 (WILL_NOT_PERFORM)")), false, ""},
		{"ad access denied", activeDirectory{}, goldap.NewError(50, errors.New("00002098: SecErr")), false, ""},
		{"ppolicy quality", openLDAP{}, ppolicy("Password fails quality checking policy"), true, "too short or too simple"},
		{"ppolicy history", openLDAP{}, ppolicy("Password is in history of old passwords"), true, "used recently"},
		{"389ds too short", ds389{}, ppolicy("invalid password syntax - password must be at least 8 characters long"), true, "too short"},
		{"389ds history", ds389{}, ppolicy("password in history"), true, "used recently"},
		{"389ds min age", ds389{}, ppolicy("within password minimum age"), true, "too recently"},
		{"389ds names", ds389{}, ppolicy("invalid password syntax - password based off of user entry"), true, "your name"},
		{"389ds categories", ds389{}, ppolicy("invalid password syntax - password must contain at least 3 character categories"), true, "too simple"},
		{"389ds access", ds389{}, goldap.NewError(50, errors.New("Insufficient 'write' privilege")), false, ""},
		{"ppolicy too young", openLDAP{}, ppolicy("Password is too young to change"), true, "too recently"},
		{"ppolicy unknown text", openLDAP{}, ppolicy("something new"), true, "policy refused"},
		{"openldap access", openLDAP{}, goldap.NewError(50, errors.New("no write access")), false, ""},
		{"nil", openLDAP{}, nil, false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reason, ok := tc.d.policyReason(tc.err)
			if ok != tc.wantPolicy {
				t.Fatalf("policyReason ok = %v, want %v (reason %q)", ok, tc.wantPolicy, reason)
			}
			if !strings.Contains(reason, tc.wantWord) {
				t.Errorf("reason %q does not contain %q", reason, tc.wantWord)
			}
			if ok && !strings.HasSuffix(reason, ".") {
				t.Errorf("reason %q is not a sentence", reason)
			}
		})
	}
}

func TestEncodeUnicodePwd(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"ascii", "ab1", "\"\x00a\x00b\x001\x00\"\x00"},
		{"latin", "é", "\"\x00\xe9\x00\"\x00"},
		{"surrogate pair", "😀", "\"\x00\x3d\xd8\x00\xde\"\x00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := encodeUnicodePwd(tc.in); got != tc.want {
				t.Errorf("encodeUnicodePwd = % x, want % x", got, tc.want)
			}
		})
	}
}

// TestIsNetworkError: every shape in which a dead connection shows up is
// recognised, so reads are retried on a fresh connection and the dead one
// is never pooled again. The plain-text shape is go-ldap's report of a
// write on a socket nobody noticed was gone.
func TestIsNetworkError(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"net error", &net.OpError{Op: "read", Err: errors.New("connection reset")}, true},
		{"ldap network error", goldap.NewError(goldap.ErrorNetwork, errors.New("connection closed")), true},
		{"server busy", goldap.NewError(goldap.LDAPResultBusy, errors.New("busy")), true},
		{"unsent request", fmt.Errorf("find: %w", errors.New("unable to send request: write tcp 127.0.0.1:1->127.0.0.1:2: use of closed network connection")), true},
		{"no such object", goldap.NewError(goldap.LDAPResultNoSuchObject, errors.New("no such object")), false},
		{"constraint", goldap.NewError(goldap.LDAPResultConstraintViolation, errors.New("0000052D")), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := isNetworkError(tc.err); got != tc.want {
				t.Fatalf("isNetworkError(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}
