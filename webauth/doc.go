// Package webauth is the web app behind a reset link: the page a person opens
// on their phone to prove who they are (passkey, or an authenticator-app
// code where policy allows it), choose a new password, unlock their account
// or enroll a passkey. It drives flows only through *flows.Engine, so every
// rule of the state machine (single-use links, browser binding, "no password
// before verification") is enforced by the engine and merely reflected here.
//
// The app is deliberately plain: server-rendered html/template pages, one
// small CSS file and one small vanilla JS file per concern, all embedded with
// go:embed, a strict Content-Security-Policy with no inline script and no
// third-party requests. Every origin it prints (links, QR codes, the WebAuthn
// relying-party origin) comes from Config.PublicBaseURL, never from the
// request's Host or X-Forwarded-Host.
package webauth
