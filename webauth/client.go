package webauth

import (
	"net"
	"net/http"
	"strings"

	"github.com/resetbot/resetbot/flows"
)

// client describes the request's origin for the audit trail. The address
// comes from the connection, or from X-Forwarded-For only when the
// connection is from a trusted proxy; it is never used for anything but the
// audit record.
func (s *Server) client(r *http.Request) flows.Client {
	ua := r.UserAgent()
	return flows.Client{IP: s.sourceIP(r), Device: deviceOf(ua), Preview: previewer(ua) != ""}
}

// sourceIP walks X-Forwarded-For from the right while the current hop is a
// trusted proxy, and returns the first address no trusted proxy stands for.
func (s *Server) sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return ""
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0 && s.trusted(ip); i-- {
		next := net.ParseIP(strings.TrimSpace(hops[i]))
		if next == nil {
			break
		}
		ip = next
	}
	return ip.String()
}

func (s *Server) trusted(ip net.IP) bool {
	for _, n := range s.cfg.proxies {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

// deviceOf summarises a User-Agent for the audit trail: platform and
// browser family, not the whole string (which is long and fingerprintable).
// Link previews and mail scanners are named as such ("link preview by
// Slack"), so the helpdesk thread does not read as the user opening the
// link; a client neither a browser nor a known preview gets its product
// name.
func deviceOf(ua string) string {
	if p := previewer(ua); p != "" {
		return PreviewPrefix + p
	}
	platform := ""
	switch {
	case strings.Contains(ua, "iPhone"), strings.Contains(ua, "iPad"):
		platform = "iOS"
	case strings.Contains(ua, "Android"):
		platform = "Android"
	case strings.Contains(ua, "Windows"):
		platform = "Windows"
	case strings.Contains(ua, "CrOS"):
		platform = "ChromeOS"
	case strings.Contains(ua, "Mac OS X"):
		platform = "macOS"
	case strings.Contains(ua, "Linux"):
		platform = "Linux"
	}
	browser := ""
	switch {
	case strings.Contains(ua, "Edg/"), strings.Contains(ua, "EdgA/"), strings.Contains(ua, "EdgiOS/"):
		browser = "Edge"
	case strings.Contains(ua, "Firefox/"), strings.Contains(ua, "FxiOS/"):
		browser = "Firefox"
	case strings.Contains(ua, "SamsungBrowser/"):
		browser = "Samsung Internet"
	case strings.Contains(ua, "Chrome/"), strings.Contains(ua, "CriOS/"):
		browser = "Chrome"
	case strings.Contains(ua, "Safari/"):
		browser = "Safari"
	}
	switch {
	case browser != "" && platform != "":
		return browser + " on " + platform
	case browser != "":
		return browser + " on an unknown system"
	case ua == "":
		return "a client that did not name itself"
	case platform != "":
		return "an unknown browser on " + platform
	}
	return "an unknown client (" + product(ua) + ")"
}

// PreviewPrefix starts the device description of a link preview or mail
// scanner; the chat core words such an "opened" event as a preview, not as
// the user.
const PreviewPrefix = "link preview by "

// previews maps a lower-cased User-Agent fragment to who fetched the link
// ahead of the person: chat unfurlers and mail-security scanners.
var previews = []struct{ fragment, by string }{
	{"slackbot", "Slack"}, {"slack-imgproxy", "Slack"},
	{"skypeuripreview", "Teams"}, {"microsoftpreview", "Microsoft 365"},
	{"discordbot", "Discord"},
	{"mimecast", "a mail scanner (Mimecast)"}, {"barracuda", "a mail scanner (Barracuda)"},
	{"proofpoint", "a mail scanner (Proofpoint)"}, {"ironport", "a mail scanner (Cisco)"},
	{"google-safety", "a mail scanner (Google)"}, {"bingpreview", "Microsoft (Bing preview)"},
	{"telegrambot", "Telegram"}, {"linkedinbot", "LinkedIn"},
	{"facebookexternalhit", "Facebook"}, {"twitterbot", "X"},
}

// previewer names the preview or scanner a User-Agent belongs to, or "".
func previewer(ua string) string {
	low := strings.ToLower(ua)
	for _, p := range previews {
		if strings.Contains(low, p.fragment) {
			return p.by
		}
	}
	return ""
}

// product is the first product token of a User-Agent ("curl" of
// "curl/8.5.0"), letters, digits and ".-_" only, at most 32 of them: enough
// to recognise, never the whole fingerprintable string.
func product(ua string) string {
	name, _, _ := strings.Cut(strings.TrimSpace(ua), "/")
	var b strings.Builder
	for _, r := range name {
		if b.Len() >= 32 {
			break
		}
		if r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "unnamed"
	}
	return b.String()
}

// isMobile reports whether the browser is a phone or tablet; desktops get
// a QR code to continue on the phone.
func isMobile(ua string) bool {
	for _, m := range []string{"Mobi", "Android", "iPhone", "iPad"} {
		if strings.Contains(ua, m) {
			return true
		}
	}
	return false
}
