package webauth

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/resetbot/resetbot/credentials/seal"
	"github.com/resetbot/resetbot/webauth/password"
)

// Server is the web app. It is an http.Handler; the binary mounts it at the
// root of PublicBaseURL's origin.
type Server struct {
	cfg      settings
	deps     Deps
	log      *slog.Logger
	now      func() time.Time
	wa       *webauthn.WebAuthn
	views    *views
	mux      *http.ServeMux
	sessions *sessionStore
	// sealer seals pending TOTP secrets under Config.TOTPKey.
	sealer *seal.Sealer
	// policies is the effective password policy of each flow's account.
	policies flowPolicies
}

// New validates the configuration and builds the app.
func New(cfg Config, deps Deps) (*Server, error) {
	s, err := cfg.validate()
	if err := errors.Join(err, deps.validate()); err != nil {
		return nil, fmt.Errorf("webauth: %w", err)
	}
	wa, err := webauthn.New(&webauthn.Config{
		RPID:          s.RPID,
		RPDisplayName: s.RPName,
		RPOrigins:     []string{s.origin},
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Enforce: true, Timeout: ceremonyTTL, TimeoutUVD: ceremonyTTL},
			Registration: webauthn.TimeoutConfig{Enforce: true, Timeout: ceremonyTTL, TimeoutUVD: ceremonyTTL},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("webauth: relying party: %w", err)
	}
	sealer, err := seal.New(s.TOTPKey, s.TOTPPreviousKeys...)
	if err != nil {
		return nil, fmt.Errorf("webauth: TOTPKey: %w", err)
	}
	v, err := loadViews(s.templates)
	if err != nil {
		return nil, err
	}
	if deps.Logger == nil {
		deps.Logger = slog.Default()
	}
	if deps.Clock == nil {
		deps.Clock = time.Now
	}
	srv := &Server{
		cfg: s, deps: deps, log: deps.Logger, now: deps.Clock, wa: wa, views: v,
		sessions: &sessionStore{rdb: deps.Redis, prefix: s.KeyPrefix}, sealer: sealer,
	}
	srv.routes()
	go password.Prepare() // the strength estimate's dictionary, before the first live check
	return srv, nil
}

// routes registers every endpoint. Each flow page is wrapped by flowPage,
// which checks the binding cookie and the path's flow id before anything
// else runs.
func (s *Server) routes() {
	m := http.NewServeMux()
	m.Handle("GET /static/", staticHandler())
	// The company's colours, from configuration: under /static/ so the one
	// public path that serves the app's assets covers it too.
	m.HandleFunc("GET /static/brand.css", s.brandCSS)
	if s.cfg.logo != nil {
		m.Handle("GET "+s.cfg.logo.path, s.cfg.logo)
	}
	m.HandleFunc("GET /r/{token}", s.landing)
	m.HandleFunc("POST /r/{token}", s.redeem)
	m.HandleFunc("GET /r/{token}/qr", s.landingQR)

	m.HandleFunc("GET /f/{id}/verify", s.flowPage(s.verifyPage))
	m.HandleFunc("GET /f/{id}/status", s.flowPage(s.status))
	m.HandleFunc("POST /f/{id}/passkey/begin", s.flowPost(s.passkeyBegin))
	m.HandleFunc("POST /f/{id}/passkey/finish", s.flowPost(s.passkeyFinish))
	m.HandleFunc("POST /f/{id}/totp", s.flowPost(s.totpVerify))

	m.HandleFunc("GET /f/{id}/password", s.flowPage(s.passwordPage))
	m.HandleFunc("POST /f/{id}/password/check", s.flowPost(s.passwordCheck))
	m.HandleFunc("POST /f/{id}/password", s.flowPost(s.passwordSubmit))
	m.HandleFunc("POST /f/{id}/unlock", s.flowPost(s.unlockSubmit))
	m.HandleFunc("GET /f/{id}/done", s.flowPage(s.donePage))

	m.HandleFunc("POST /r/{token}/decline", s.declineLink)
	m.HandleFunc("GET /f/{id}/caller", s.callerPage)
	m.HandleFunc("POST /f/{id}/caller/decline", s.flowPost(s.callerDecline))

	m.HandleFunc("GET /f/{id}/approve", s.flowPage(s.approvePage))
	m.HandleFunc("POST /f/{id}/approve", s.flowPost(s.approveSubmit))

	m.HandleFunc("GET /f/{id}/enroll", s.flowPage(s.enrollPage))
	m.HandleFunc("POST /f/{id}/enroll/proof", s.flowPost(s.enrollProof))
	m.HandleFunc("POST /f/{id}/enroll/passkey/begin", s.flowPost(s.registerBegin))
	m.HandleFunc("POST /f/{id}/enroll/passkey/finish", s.flowPost(s.registerFinish))
	m.HandleFunc("POST /f/{id}/enroll/passkey/remove", s.flowPost(s.passkeyRemove))
	m.HandleFunc("GET /f/{id}/enroll/totp", s.flowPage(s.totpSetupPage))
	m.HandleFunc("POST /f/{id}/enroll/totp", s.flowPost(s.totpSetupConfirm))
	m.HandleFunc("POST /f/{id}/enroll/totp/remove", s.flowPost(s.totpRemove))
	m.HandleFunc("POST /f/{id}/enroll/finish", s.flowPost(s.enrollFinish))

	m.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	m.HandleFunc("/", s.notFound)
	s.mux = m
}

// ServeHTTP sets the security headers every response carries, then routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.securityHeaders(w)
	s.mux.ServeHTTP(w, s.withReader(r))
}

// notFound renders unknown paths with the catalogue's page, not Go's.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, nil, errNoRoute)
}

// brandCSS is the configured primary colour as the CSS custom property the
// stylesheet uses (a stylesheet, so the CSP needs no inline styles).
func (s *Server) brandCSS(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	if c := s.cfg.Branding.PrimaryColor; c != "" { // validated: #rgb or #rrggbb
		fmt.Fprintf(w, ":root { --primary: %s; }\n", c)
	}
}
