package webauth

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestCompanyNameNamesThePasskeyAndTheCode: with web.branding's company
// name and no rp_name, the name the phone shows when it creates the
// passkey (the creation options' rp.name) and the issuer the
// authenticator app files the code under (otpauth://) are the company's,
// never "resetbot" (#11: no page or prompt says resetbot unless
// configured so).
func TestCompanyNameNamesThePasskeyAndTheCode(t *testing.T) {
	const company = "Acme Widgets"
	r := newRig(t, rigOptions{totp: true, brand: Branding{CompanyName: company}, defaultRPName: true})
	ts := r.server(t)
	b := newBrowser(t, ts)
	fid := enrollPushed(t, r, b, "jdoe")
	_, _, page, _ := b.get("/f/" + fid + "/enroll")

	st, _, body, _ := b.postJSON("/f/"+fid+"/enroll/passkey/begin", bodyCSRF(t, page), "{}")
	if st != http.StatusOK {
		t.Fatalf("creation options: %d\n%s", st, body)
	}
	var opts struct {
		PublicKey struct {
			RP struct {
				Name string `json:"name"`
			} `json:"rp"`
		} `json:"publicKey"`
	}
	if err := json.Unmarshal([]byte(body), &opts); err != nil {
		t.Fatalf("creation options: %v\n%s", err, body)
	}
	if opts.PublicKey.RP.Name != company {
		t.Errorf("rp.name = %q, want %q", opts.PublicKey.RP.Name, company)
	}

	setup, _ := totpSetup(t, b, fid)
	i := strings.Index(setup, "otpauth://")
	if i < 0 {
		t.Fatalf("no otpauth:// link on the setup page:\n%s", setup)
	}
	raw := html.UnescapeString(setup[i : i+strings.IndexByte(setup[i:], '"')])
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("otpauth link %q: %v", raw, err)
	}
	if got := u.Query().Get("issuer"); got != company {
		t.Errorf("otpauth issuer = %q, want %q (%s)", got, company, raw)
	}
	if label := strings.TrimPrefix(u.Path, "/"); !strings.HasPrefix(label, company+":") {
		t.Errorf("otpauth label = %q, want it to start with %q", label, company+":")
	}
	if strings.Contains(strings.ToLower(body+setup), "resetbot") {
		t.Error("the creation options or the setup page say resetbot")
	}
}
