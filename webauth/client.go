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
	return flows.Client{IP: s.sourceIP(r), Device: deviceOf(r.UserAgent())}
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
func deviceOf(ua string) string {
	platform := "other"
	switch {
	case strings.Contains(ua, "iPhone"), strings.Contains(ua, "iPad"):
		platform = "iOS"
	case strings.Contains(ua, "Android"):
		platform = "Android"
	case strings.Contains(ua, "Windows"):
		platform = "Windows"
	case strings.Contains(ua, "Mac OS X"):
		platform = "macOS"
	case strings.Contains(ua, "Linux"):
		platform = "Linux"
	}
	browser := "other"
	switch {
	case strings.Contains(ua, "Edg/"):
		browser = "Edge"
	case strings.Contains(ua, "Firefox/"):
		browser = "Firefox"
	case strings.Contains(ua, "Chrome/"), strings.Contains(ua, "CriOS/"):
		browser = "Chrome"
	case strings.Contains(ua, "Safari/"):
		browser = "Safari"
	}
	return browser + " on " + platform
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
