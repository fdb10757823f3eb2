package bot_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The chat core and its platforms translate and decide; they must not link
// the WebAuthn library (or the web app) in. The core declares the small
// interfaces it needs (bot.Factors) and the binary adapts the credential
// store to them.
func TestChatPackagesDoNotLinkWebAuthn(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/resetbot/resetbot/bot/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "github.com/go-webauthn/") || strings.HasPrefix(dep, "github.com/resetbot/resetbot/webauth") {
			t.Errorf("bot/... depends on %s", dep)
		}
	}
}
