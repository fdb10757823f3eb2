package discord

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/resetbot/resetbot/bot/platform"
)

// PathInteractions is the Interactions Endpoint URL's path to enter in the
// developer portal (see deploy/discord).
const PathInteractions = "/discord/interactions"

// maxBody bounds an interaction. Real ones are a few kilobytes; resolved
// data for a user option adds little.
const maxBody = 256 << 10

// Routes serves the interactions endpoint. Mount it on the public
// listener; every request is verified with the application's public key
// before anything else.
func (a *App) Routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+PathInteractions, a.serveInteraction)
	return mux
}

// serveInteraction is the single place where errors become status codes
// and log lines.
func (a *App) serveInteraction(w http.ResponseWriter, r *http.Request) {
	ans, err := a.verifiedAnswer(w, r)
	if err != nil {
		platform.Refuse(w, r, a.log, "discord: request refused", err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(ans.body)
	if ans.then != nil {
		ans.then.responded()
	}
}

// answer is a 200 response and the follow-up channel it opens.
type answer struct {
	body []byte
	then *followup
}

// verifiedAnswer checks the signature headers, reads and verifies the body,
// and only then parses and handles it.
func (a *App) verifiedAnswer(w http.ResponseWriter, r *http.Request) (answer, error) {
	sig, ts := r.Header.Get(HeaderSignature), r.Header.Get(HeaderTimestamp)
	if sig == "" || ts == "" {
		return answer{}, verify(a.key, sig, ts, nil, a.now())
	}
	body, err := platform.ReadBody(w, r, maxBody)
	if err != nil {
		return answer{}, err
	}
	if err := verify(a.key, sig, ts, body, a.now()); err != nil {
		return answer{}, err
	}
	return a.handle(r.Context(), body)
}

// marshal encodes a response body.
func marshal(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, errors.Join(platform.ErrInternal, err)
	}
	return b, nil
}
