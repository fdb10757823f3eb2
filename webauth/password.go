package webauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/i18n"
	"github.com/resetbot/resetbot/webauth/password"
)

// maxPasswordLen bounds what the server accepts at all; the rules' maximum
// is at least 64, this only stops absurd bodies.
const maxPasswordLen = 1024

// minMaxLength is the smallest maximum length the form ever enforces.
const minMaxLength = 64

// passwordData is what the new-password page shows.
type passwordData struct {
	// RulesJSON is password.Rules.ClientJSON, for the live checklist.
	RulesJSON string
	// Checklist is the initial, unticked checklist (it works without JS).
	Checklist []password.RuleResult
	MinLength int
	MaxLength int
	Account   string
	// HistoryLength, when > 0, is shown as a rule only the directory can
	// check: the last N passwords cannot be used again.
	HistoryLength int
	// PasswordRules is the passwordrules attribute, so password managers
	// generate a password that fits the effective policy.
	PasswordRules string
	// Confirm shows the second field (Config.ConfirmPassword).
	Confirm bool
}

// passwordRules computes the effective rules for the flow's subject: the
// policy that applies to the account (see accountPolicy) under resetbot's
// own settings, with the user's names forbidden.
func (s *Server) passwordRules(r *http.Request, f *flows.Flow) (password.Rules, password.UserInfo, error) {
	pol, err := s.accountPolicy(r.Context(), f)
	if err != nil {
		return password.Rules{}, password.UserInfo{}, err
	}
	ui := password.UserInfo{AccountName: f.Subject.AccountName, DisplayName: f.Subject.DisplayName}
	return password.NewRules(pol, s.deps.Passwords).ForUser(ui), ui, nil
}

// passwordPage is GET /f/{id}/password: reachable only in StateVerified
// (the engine refuses Complete in any other state too). Unlock flows get a
// single "Unlock my account" button instead.
func (s *Server) passwordPage(w http.ResponseWriter, r *http.Request, fc *flowCtx) {
	if fc.flow.State != flows.StateVerified || fc.flow.Kind == flows.KindEnroll {
		if fc.flow.State == flows.StateRedeemed || fc.flow.State == flows.StateAwaitingApproval {
			// Not verified in this flow: never show the form; say why.
			s.fail(w, r, fc, &flows.TransitionError{Op: "password form", From: fc.flow.State})
			return
		}
		http.Redirect(w, r, nextPage(fc.flow), http.StatusSeeOther)
		return
	}
	s.renderPassword(w, r, fc, http.StatusOK, nil)
}

// renderPassword shows the password (or unlock) form, with a problem after
// a refusal.
func (s *Server) renderPassword(w http.ResponseWriter, r *http.Request, fc *flowCtx, status int, prob *shownProblem) {
	if fc.flow.Kind == flows.KindUnlock {
		p := basePage(fc, "web.unlock.title", 2)
		p.Problem = prob
		p.Data = passwordData{Account: fc.flow.Subject.AccountName}
		s.render(w, r, status, "unlock", p)
		return
	}
	rules, ui, err := s.passwordRules(r, fc.flow)
	if err != nil {
		s.fail(w, r, fc, err)
		return
	}
	js, err := rules.ClientJSON()
	if err != nil {
		s.fail(w, r, fc, err)
		return
	}
	p := basePage(fc, "web.password.title", 2)
	p.Early = []string{"toggle.js"} // Show works from the first paint
	p.Scripts = []string{"common.js", "password.js"}
	p.Problem = prob
	p.Data = passwordData{
		RulesJSON: string(js), Checklist: checklist(s.tr(r), rules, ui),
		MinLength: rules.MinLength, MaxLength: max(rules.MaxLength, minMaxLength), Account: fc.flow.Subject.AccountName,
		HistoryLength: rules.HistoryLength, PasswordRules: rules.PasswordRulesAttr(), Confirm: s.cfg.ConfirmPassword,
	}
	s.render(w, r, status, "password", p)
}

// checkRequest is the body of the live check: JSON in a POST, so the
// password is never in a URL, a log line or a proxy's access log.
type checkRequest struct {
	Password string `json:"password"`
}

// parseCheckRequest reads the live-check body strictly.
func parseCheckRequest(body []byte) (checkRequest, error) {
	var c checkRequest
	if err := json.Unmarshal(body, &c); err != nil {
		return c, fmt.Errorf("%w: check body", errBadRequest)
	}
	if len(c.Password) > maxPasswordLen {
		return c, fmt.Errorf("%w: password too long", errBadRequest)
	}
	return c, nil
}

// passwordCheck is POST /f/{id}/password/check: the checks the browser
// cannot do (strength, breached list), rate-limited per flow so it cannot
// serve as a breached-password oracle.
func (s *Server) passwordCheck(w http.ResponseWriter, r *http.Request, fc *flowCtx) {
	if fc.flow.State != flows.StateVerified || !fc.flow.Kind.SetsPassword() {
		s.failJSON(w, r, fc, &flows.TransitionError{Op: "password check", From: fc.flow.State})
		return
	}
	if err := s.deps.Engine.Allow(r.Context(), "pwcheck:"+fc.flow.ID, time.Minute, s.cfg.CheckRatePerMinute); err != nil {
		s.failJSON(w, r, fc, err)
		return
	}
	body, err := readAll(r)
	if err != nil {
		s.failJSON(w, r, fc, err)
		return
	}
	req, err := parseCheckRequest(body)
	if err != nil {
		s.failJSON(w, r, fc, err)
		return
	}
	rules, ui, err := s.passwordRules(r, fc.flow)
	if err != nil {
		s.failJSON(w, r, fc, err)
		return
	}
	writeJSON(w, http.StatusOK, password.Check(rules, req.Password, ui)) // the result never holds the password
}

// passwordSubmit is POST /f/{id}/password: re-check on the server, then
// Engine.Complete writes the directory. A refusal (the checklist, the
// directory's policy) keeps the flow where it is: the page's script, which
// posts asking for JSON, shows it next to the field and keeps what was
// typed; a plain form post gets the form again with the problem.
func (s *Server) passwordSubmit(w http.ResponseWriter, r *http.Request, fc *flowCtx) {
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.SubmitWait)
	defer cancel()
	r = r.WithContext(ctx)
	f := fc.flow
	failure := s.fail
	if isJSONRequest(r) {
		failure = s.failJSON
	}
	if !f.Kind.SetsPassword() {
		failure(w, r, fc, errWrongKind)
		return
	}
	pw, confirm := r.PostForm.Get("password"), r.PostForm.Get("confirm")
	refuse := func(rule, title, msg string) {
		sp := s.report(r, f.ID, fmt.Errorf("%w: %s", errRefusedPassword, title))
		sp.Title, sp.Message, sp.Rule = title, msg, rule
		if isJSONRequest(r) {
			writeJSON(w, http.StatusUnprocessableEntity, sp)
			return
		}
		s.renderPassword(w, r, fc, http.StatusUnprocessableEntity, &sp)
	}
	switch {
	case len(pw) > maxPasswordLen:
		failure(w, r, fc, errBadRequest)
		return
	case s.cfg.ConfirmPassword && pw != confirm:
		refuse("match", s.tr(r).T("web.password.mismatch_title"), s.tr(r).T("web.password.mismatch"))
		return
	}
	rules, ui, err := s.passwordRules(r, f)
	if err != nil {
		failure(w, r, fc, err)
		return
	}
	if v := password.Check(rules, pw, ui); !v.Acceptable {
		rule, msg := unmet(s.tr(r), rules, v)
		refuse(rule, s.tr(r).T("web.password.refused_title"), msg)
		return
	}
	nf, known, err := s.completeWithin(r, fc, flows.Completion{NewPassword: pw, Client: s.client(r)})
	if !known {
		if isJSONRequest(r) {
			writeJSON(w, http.StatusOK, nextData{Next: "/f/" + f.ID + "/done"}) // the done page polls
			return
		}
		s.renderPending(w, r, fc, http.StatusAccepted)
		return
	}
	var pe *directory.PolicyError
	if errors.As(err, &pe) && !errors.Is(err, flows.ErrTooManyAttempts) && nf != nil && nf.State == flows.StateVerified {
		s.forgetPolicy(f.ID) // the page shown next reads the policy again
		fc.flow = nf
		sp := s.report(r, f.ID, err)
		sp.Message, sp.Rule = directoryRefusal(s.tr(r), pe.Reason), "directory"
		if isJSONRequest(r) {
			writeJSON(w, http.StatusUnprocessableEntity, sp)
			return
		}
		s.renderPassword(w, r, fc, http.StatusUnprocessableEntity, &sp)
		return
	}
	if err != nil && !(errors.Is(err, flows.ErrApprovalRequired) && nf != nil) {
		failure(w, r, fc, err)
		return
	}
	// ErrApprovalRequired: the account became privileged meanwhile; the
	// next page is the wait for the helpdesk's approval.
	if isJSONRequest(r) {
		writeJSON(w, http.StatusOK, nextData{Next: nextPage(nf)})
		return
	}
	http.Redirect(w, r, nextPage(nf), http.StatusSeeOther)
}

// directoryRefusal is the sentence for the directory's own reason, which
// may end in its own full stop (or none): exactly one at the end.
func directoryRefusal(l i18n.Lang, reason string) string {
	reason = strings.TrimRight(strings.TrimSpace(reason), ".!;: ")
	if reason == "" {
		return l.T("web.password.directory_plain")
	}
	return l.T("web.password.directory", "Reason", reason)
}

// errRefusedPassword: the server-side checklist refused a submission.
var errRefusedPassword = errors.New("webauth: password refused by the checklist")

// unmet lists the failed checklist lines in words, each with its reason
// where the line alone does not say it (which part of the name matched),
// and returns the first failed rule's id for the page to mark.
func unmet(l i18n.Lang, rules password.Rules, v password.Result) (rule, msg string) {
	var missing []string
	for _, rr := range v.Rules {
		if rr.OK {
			continue
		}
		if rule == "" {
			rule = string(rr.ID)
		}
		line := ruleLabel(l, rules, rr.ID)
		if rr.ID == password.RuleNoName && rr.Detail != "" {
			line += ": " + l.T("web.password.name_part", "Part", rr.Part)
		}
		missing = append(missing, line)
	}
	if len(missing) == 0 {
		return "", l.T("web.password.different")
	}
	return rule, l.T("web.password.still_needed", "List", strings.Join(missing, "; "))
}

// ruleLabel is a checklist line in the reader's language.
func ruleLabel(l i18n.Lang, rules password.Rules, id password.RuleID) string {
	switch id {
	case password.RuleMinLength:
		return l.T("web.rule.min_length", "Count", rules.MinLength)
	case password.RuleMaxLength:
		return l.T("web.rule.max_length", "Count", rules.MaxLength)
	}
	return l.T("web.rule." + string(id))
}

// checklist is the unticked checklist in the reader's language.
func checklist(l i18n.Lang, rules password.Rules, ui password.UserInfo) []password.RuleResult {
	lines := password.Check(rules, "", ui).Rules
	for i := range lines {
		lines[i].Label = ruleLabel(l, rules, lines[i].ID)
	}
	return lines
}

// unlockSubmit is POST /f/{id}/unlock: the single "Unlock my account"
// button of an unlock flow.
func (s *Server) unlockSubmit(w http.ResponseWriter, r *http.Request, fc *flowCtx) {
	if fc.flow.Kind != flows.KindUnlock {
		s.fail(w, r, fc, errWrongKind)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.SubmitWait)
	defer cancel()
	r = r.WithContext(ctx)
	nf, known, err := s.completeWithin(r, fc, flows.Completion{Client: s.client(r)})
	if !known {
		s.renderPending(w, r, fc, http.StatusAccepted)
		return
	}
	if err != nil && !(errors.Is(err, flows.ErrApprovalRequired) && nf != nil) {
		s.fail(w, r, fc, err)
		return
	}
	// ErrApprovalRequired: the account became privileged meanwhile; the
	// next page is the wait for the helpdesk's approval.
	http.Redirect(w, r, nextPage(nf), http.StatusSeeOther)
}
