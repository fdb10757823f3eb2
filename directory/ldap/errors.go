package ldap

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	goldap "github.com/go-ldap/ldap/v3"

	"github.com/resetbot/resetbot/directory"
)

// isNetworkError reports whether err means the connection (not the request)
// failed, so the connection must be dropped and another server may help.
func isNetworkError(err error) bool {
	if err == nil {
		return false
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, errConnectionLost) {
		return true
	}
	// go-ldap reports a failed write on a socket that died unnoticed as a
	// plain formatted error (the net.Error is lost in its %s), before its
	// reader has marked the connection closing.
	if strings.Contains(err.Error(), "unable to send request: ") {
		return true
	}
	return goldap.IsErrorAnyOf(err,
		goldap.ErrorNetwork,
		goldap.LDAPResultBusy,
		goldap.LDAPResultUnavailable,
		goldap.LDAPResultServerDown,
		goldap.LDAPResultTimeout,
		goldap.LDAPResultConnectError,
	)
}

// sentinels are the directory errors an inner step may already have chosen.
var sentinels = []error{
	directory.ErrNotFound,
	directory.ErrPasswordPolicy,
	directory.ErrInvalidCredentials,
	directory.ErrUnavailable,
	directory.ErrPermission,
}

// classify wraps err with the directory sentinel that tells callers what
// happened, keeping the LDAP error in the chain for the log. It never sees
// a password: go-ldap errors carry only result codes and the server's
// diagnostic message.
func classify(op string, err error) error {
	if err == nil {
		return nil
	}
	for _, known := range sentinels {
		if errors.Is(err, known) {
			return fmt.Errorf("ldap: %s: %w", op, err)
		}
	}
	var sentinel error
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		sentinel = directory.ErrUnavailable
	case goldap.IsErrorWithCode(err, goldap.LDAPResultInvalidCredentials):
		sentinel = directory.ErrInvalidCredentials
	case goldap.IsErrorAnyOf(err, goldap.LDAPResultInsufficientAccessRights):
		sentinel = directory.ErrPermission
	case goldap.IsErrorWithCode(err, goldap.LDAPResultNoSuchObject):
		sentinel = directory.ErrNotFound
	default:
		// Network failures, and refusals this package does not model: the
		// caller can only try again later or call the helpdesk.
		sentinel = directory.ErrUnavailable
	}
	return fmt.Errorf("ldap: %s: %w: %w", op, sentinel, err)
}

// diagnostic returns the server's diagnostic message of an LDAP error.
func diagnostic(err error) string {
	var le *goldap.Error
	if errors.As(err, &le) && le.Err != nil {
		return le.Err.Error()
	}
	return ""
}
