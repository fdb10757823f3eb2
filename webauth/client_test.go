package webauth

import "testing"

// TestDeviceOf: link previews and mail scanners are named as such, so the
// helpdesk thread does not read as the user opening the link; browsers
// keep their family and platform; anything else gets a readable
// description instead of "other on other" (#11).
func TestDeviceOf(t *testing.T) {
	cases := []struct{ ua, want string }{
		{"Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "link preview by Slack"},
		{"Slack-ImgProxy (+https://api.slack.com/robots)", "link preview by Slack"},
		{"Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5 skype-url-preview@microsoft.com", "link preview by Teams"},
		{"Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)", "link preview by Discord"},
		{"Mozilla/5.0 (compatible; Mimecast URL Protect)", "link preview by a mail scanner (Mimecast)"},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36", "Chrome on Windows"},
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", "Safari on iOS"},
		{"Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36", "Samsung Internet on Android"},
		{"curl/8.5.0", "an unknown client (curl)"},
		{"Mozilla/5.0 (X11; Linux x86_64) Goanna/6.5", "an unknown browser on Linux"},
		{"", "a client that did not name itself"},
		{"<script>/1", "an unknown client (script)"},
	}
	for _, c := range cases {
		if got := deviceOf(c.ua); got != c.want {
			t.Errorf("deviceOf(%q) = %q, want %q", c.ua, got, c.want)
		}
	}
}
