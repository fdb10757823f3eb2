package teams

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/resetbot/resetbot/bot/platform"
)

// PathMessages is the messaging endpoint to enter in the Azure Bot
// registration (see deploy/teams).
const PathMessages = "/api/messages"

// maxBody bounds an activity; real ones are a few kilobytes.
const maxBody = 256 << 10

// Routes serves the messaging endpoint. Mount it on the public listener.
func (a *App) Routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle(PathMessages, a)
	return mux
}

// ServeHTTP handles one activity: the token is verified before anything
// else is read, then the activity is parsed, its tenant checked against
// the configured one (tenant.go), its serviceUrl checked
// against the token, its channelId against the channels served and the
// signing key's endorsements, and it is translated for the core. This is
// the one place where errors become status codes and log lines.
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := a.serve(w, r)
	if err != nil {
		platform.Refuse(w, r, a.log, "teams: activity refused", err)
		return
	}
	if body == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// serve returns the 200 body (nil for none) or an error with a problem.
func (a *App) serve(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.Method != http.MethodPost {
		return nil, errMethod
	}
	c, err := a.verify.verify(r.Context(), r.Header.Get("Authorization"))
	if err != nil {
		return nil, err
	}
	raw, err := platform.ReadBody(w, r, maxBody)
	if err != nil {
		return nil, err
	}
	act, err := parseActivity(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errBadActivity, err)
	}
	if err := checkTenant(a.cfg.TenantID, &c.claims, act); err != nil {
		return nil, err
	}
	if err := checkServiceURL(&c.claims, act.ServiceURL); err != nil {
		return nil, err
	}
	if err := checkChannel(c.endorsed, act.ChannelID); err != nil {
		return nil, err
	}
	switch act.Type {
	case typeMessage:
		return nil, a.onMessage(r.Context(), act)
	case typeInvoke:
		resp, err := a.onInvoke(r.Context(), act)
		if err != nil {
			return nil, err
		}
		return json.Marshal(resp)
	}
	// conversationUpdate, installationUpdate, typing, reactions: nothing
	// to do, and a 200 keeps Teams from retrying.
	return nil, nil
}
