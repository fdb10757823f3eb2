package webauth

import (
	"errors"
	"net/http"

	"github.com/resetbot/resetbot/credentials"
	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
)

// Problem is a catalogued failure: what the user reads and the HTTP status.
// The precise cause never reaches the page; it goes to the log under the
// error id shown with the message, which the helpdesk can search for.
type Problem struct {
	// Code is a stable name for tests, metrics and the helpdesk.
	Code   string
	Status int
	Title  string
	// Message says what happened and what to do next, in plain words.
	Message string
	// Restart is true when the flow cannot go on from this page: a script
	// stops offering the step again, and the page adds the one sentence
	// that says what to do next (restartHint).
	Restart bool
}

// restartHint is the catalogue key of the sentence a Restart problem's
// page ends with: what to do next, said once, so the message only says
// what happened. Most send the person back to the bot; an empty key means
// the message already names the way on (the helpdesk), since a new link
// would get no further.
func restartHint(p Problem) string {
	if !p.Restart {
		return ""
	}
	switch p.Code {
	case "flow-ended", "link-failed", "too-many-attempts":
		return "web.error.restart_or_helpdesk"
	case "other-browser":
		return "web.error.first_browser"
	case "invalid-link":
		return "web.error.whole_link"
	case "failures-today", "not-eligible":
		return ""
	}
	return "web.error.restart"
}

// errCSRF: a form was posted without a valid anti-forgery token.
var errCSRF = errors.New("webauth: missing or invalid CSRF token")

// errBadRequest: a request body or parameter could not be parsed.
var errBadRequest = errors.New("webauth: malformed request")

// errWrongKind: the page does not belong to this kind of flow.
var errWrongKind = errors.New("webauth: page does not match the flow kind")

// catalogue maps errors, most specific first, to what the user is told. Link
// errors deliberately never say whose link it was or whether the account
// exists.
var catalogue = []struct {
	err error
	p   Problem
}{
	{errCSRF, Problem{"csrf", http.StatusForbidden, "Please try again",
		"This page was open for too long or was sent from somewhere else. Open the link from the bot again.", false}},
	{errBadRequest, Problem{"bad-request", http.StatusBadRequest, "Something was not right",
		"The request could not be understood. Go back and try again.", false}},
	{errNoRoute, Problem{"not-found", http.StatusNotFound, "Page not found",
		"There is nothing here. Open the link from the bot again.", false}},
	{errNoCeremony, Problem{"ceremony-expired", http.StatusConflict, "Please try again",
		"That took too long or was already done. Press the button again.", false}},
	{errNoFactor, Problem{"no-factor", http.StatusConflict, "No passkey yet",
		"You have not set up a passkey or an authenticator app. Ask the bot with /reset enroll, or contact the helpdesk.", false}},
	{errRefusedPassword, Problem{"password-rules", http.StatusUnprocessableEntity, "Choose another password",
		"This password does not meet the rules listed below.", false}},
	{errFlowEnded, Problem{"flow-ended", http.StatusGone, "Not completed",
		"This request ended.", true}},
	{errUnknownPasskey, Problem{"unknown-passkey", http.StatusNotFound, "Passkey not found",
		"This passkey is not (or no longer) registered for you. Reload the page to see your passkeys.", false}},
	{errUnknownTOTP, Problem{"unknown-totp", http.StatusNotFound, "No authenticator app",
		"No authenticator app is set up for you. Reload the page.", false}},
	{errNeedsHelpdesk, Problem{"needs-helpdesk", http.StatusForbidden, "Ask the helpdesk",
		"You already have sign-in set up, but none this page can use to confirm it is you. Ask the helpdesk for an enrollment link.", false}},
	{errProofBudget, Problem{"password-paused", http.StatusTooManyRequests, "Too many password attempts today",
		"To keep your account from being locked, your password is not checked here again today. Contact the helpdesk for an enrollment link.", false}},
	{flows.ErrNeedsFactor, Problem{"needs-factor", http.StatusForbidden, "Confirm with your passkey",
		"You already have a passkey or an authenticator app: confirm it is you with it before you add or remove one. Lost it? Ask the helpdesk for an enrollment link.", false}},
	{flows.ErrDailyFailures, Problem{"failures-today", http.StatusForbidden, "Too many failed attempts today",
		"For your safety, this account cannot be confirmed again today, even with the right passkey. Contact the helpdesk.", true}},
	{errWrongKind, Problem{"wrong-page", http.StatusNotFound, "Page not available",
		"This step does not belong to your request.", false}},
	{errLinkReplaced, Problem{"link-replaced", http.StatusGone, "This link was replaced",
		"You asked for a newer link since, and only the newest one works. Open the latest message from the bot.", false}},
	{errLinkCancelled, Problem{"link-cancelled", http.StatusGone, "This request was cancelled",
		"You or the helpdesk cancelled it, so nothing was changed.", true}},
	{errLinkDenied, Problem{"link-denied", http.StatusGone, "The helpdesk did not approve this request",
		"Nothing was changed. Contact the helpdesk to find out why.", false}},
	{errLinkRiskDenied, Problem{"risk-denied", http.StatusForbidden, "Please contact the helpdesk",
		"For your account's safety this request cannot go on here. Nothing was changed. Please contact the helpdesk; they can help you.", false}},
	{flows.ErrRiskDenied, Problem{"risk-denied", http.StatusForbidden, "Please contact the helpdesk",
		"For your account's safety this request cannot go on here. Nothing was changed. Please contact the helpdesk; they can help you.", false}},
	{errLinkFailed, Problem{"link-failed", http.StatusGone, "This request was stopped",
		"It was stopped after too many failed attempts, and nothing was changed.", true}},
	{errLinkNotApplied, Problem{"link-not-applied", http.StatusGone, "Nothing was changed",
		"The service was interrupted before your change was made, and nothing was changed.", true}},
	{errLinkUnconfirmed, Problem{"link-unconfirmed", http.StatusGone, "Your new password could not be confirmed as written",
		"The service was interrupted while writing it, and the directory cannot say whether it was written. Try signing in with the new password: if it works, it was written. If it does not, your old password still works.", true}},
	{errLinkCompleted, Problem{"link-completed", http.StatusGone, "Already done",
		"This request was completed.", false}},
	{flows.ErrUnclaimed, Problem{"confirm-in-chat", http.StatusForbidden, "Confirm in chat first",
		"The helpdesk sent you this set-up link in chat. It opens only after you confirm there that it is yours: press \u201cThis is me\u201d in your chat with the bot, and open the link it then sends you. Nothing was used up.", false}},
	{flows.ErrInvalidToken, Problem{"invalid-link", http.StatusNotFound, "This link is not valid",
		"Part of it may be missing, or it is no longer known.", true}},
	{flows.ErrTokenUsed, Problem{"used-link", http.StatusGone, "This link was already used",
		"Each link works once, in one browser.", true}},
	{flows.ErrExpired, Problem{"expired", http.StatusGone, "This link has expired",
		"Links work for a few minutes only.", true}},
	{flows.ErrBinding, Problem{"other-browser", http.StatusForbidden, "Continue in your first browser",
		"This request was started in another browser.", true}},
	{flows.ErrNotFound, Problem{"unknown-flow", http.StatusNotFound, "Request not found",
		"This request no longer exists.", true}},
	{flows.ErrTooManyAttempts, Problem{"too-many-attempts", http.StatusForbidden, "Too many attempts",
		"For your safety this request was stopped.", true}},
	{flows.ErrVerificationFailed, Problem{"not-verified", http.StatusUnauthorized, "That did not work",
		"We could not confirm it is you. Try again.", false}},
	{flows.ErrFactorNotAllowed, Problem{"factor-not-allowed", http.StatusForbidden, "Use your passkey",
		"This account needs a passkey to confirm it is you.", false}},
	{flows.ErrRateLimited, Problem{"rate-limited", http.StatusTooManyRequests, "Slow down",
		"Too many tries in a short time. Wait a few minutes, then try again.", false}},
	{flows.ErrUnknownState, Problem{"restart", http.StatusConflict, "Please start again",
		"Something changed while you were here.", true}},
	{flows.ErrIllegalTransition, Problem{"wrong-step", http.StatusConflict, "This step is not available",
		"Finish the previous step first, or ask the bot for a new link.", false}},
	{flows.ErrNotEligible, Problem{"not-eligible", http.StatusForbidden, "This cannot be done here",
		"Please contact the helpdesk.", true}},
	{flows.ErrStoreUnavailable, Problem{"unavailable", http.StatusServiceUnavailable, "Temporarily unavailable",
		"We could not reach our database. Try again in a minute.", false}},
	{directory.ErrPasswordPolicy, Problem{"password-policy", http.StatusUnprocessableEntity, "Choose another password",
		"The directory did not accept this password.", false}},
	{directory.ErrInvalidCredentials, Problem{"wrong-password", http.StatusUnauthorized, "That password is not right",
		"Enter the password you use today.", false}},
	{directory.ErrUnavailable, Problem{"directory-unavailable", http.StatusServiceUnavailable, "Temporarily unavailable",
		"We could not reach the company directory. Try again in a minute.", false}},
	{credentials.ErrReplay, Problem{"code-used", http.StatusUnauthorized, "That code was already used",
		"Wait for the next code in your authenticator app.", false}},
	{credentials.ErrExists, Problem{"passkey-exists", http.StatusConflict, "Already registered",
		"This passkey is already registered.", false}},
	{credentials.ErrUnavailable, Problem{"unavailable", http.StatusServiceUnavailable, "Temporarily unavailable",
		"We could not reach our database. Try again in a minute.", false}},
}

// internalProblem is what every uncatalogued error becomes.
var internalProblem = Problem{"internal", http.StatusInternalServerError, "Something went wrong",
	"Please try again. If it keeps happening, give the helpdesk the error id below.", false}

// Classify returns the catalogued problem for err.
func Classify(err error) Problem {
	for _, c := range catalogue {
		if errors.Is(err, c.err) {
			return c.p
		}
	}
	return internalProblem
}
