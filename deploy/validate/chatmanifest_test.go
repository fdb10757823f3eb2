package validate

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dlclark/regexp2/v2"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"sigs.k8s.io/yaml"
)

// ecmaRegexp is a schema "pattern" compiled as JSON Schema defines it
// (ECMA-262): Microsoft's schema uses look-aheads, which Go's regexp
// (RE2) does not have.
type ecmaRegexp struct{ re *regexp2.Regexp }

func (r ecmaRegexp) MatchString(s string) bool {
	ok, err := r.re.MatchString(s)
	return err == nil && ok
}

func (r ecmaRegexp) String() string { return r.re.String() }

func compileECMA(s string) (jsonschema.Regexp, error) {
	re, err := regexp2.Compile(s, regexp2.ECMAScript)
	if err != nil {
		return nil, err
	}
	return ecmaRegexp{re}, nil
}

// teamsSchema is the manifest schema version deploy/teams/manifest.json is
// written for; fetch-schemas puts Microsoft's published file for it in
// schemaDir.
const teamsSchema = "v1.25"

// schemaDir is where fetch-schemas (run by scripts/test before the tests,
// with network) leaves the published schemas.
func schemaDir() string {
	if d := os.Getenv("RESETBOT_SCHEMA_DIR"); d != "" {
		return d
	}
	return filepath.Join("..", "..", ".testenv", "schemas")
}

// loadPublishedSchema compiles a fetched schema file. In CI a missing file
// fails the test (the fetch step did not run or failed); locally it skips
// with the command that fetches it.
func loadPublishedSchema(t *testing.T, name string) *jsonschema.Schema {
	t.Helper()
	path := filepath.Join(schemaDir(), name)
	f, err := os.Open(path)
	if err != nil {
		msg := "the published schema is missing (" + err.Error() + "); fetch it with deploy/validate/fetch-schemas .testenv/schemas"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	c.UseRegexpEngine(compileECMA)
	if err := c.AddResource(path, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestTeamsManifestMatchesPublishedSchema validates the shipped Teams app
// manifest against Microsoft's JSON schema for its manifestVersion, and
// holds the version, the $schema URL and the icons together.
func TestTeamsManifestMatchesPublishedSchema(t *testing.T) {
	s := loadPublishedSchema(t, "teams-"+teamsSchema+".schema.json")
	raw, err := os.ReadFile("../teams/manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(inst); err != nil {
		t.Fatalf("deploy/teams/manifest.json does not match the %s schema:\n%v", teamsSchema, err)
	}
	var m struct {
		Schema          string `json:"$schema"`
		ManifestVersion string `json:"manifestVersion"`
		Icons           struct{ Color, Outline string }
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if "v"+m.ManifestVersion != teamsSchema || !strings.Contains(m.Schema, "/"+teamsSchema+"/") {
		t.Errorf("manifestVersion %q and $schema %q must both be %s", m.ManifestVersion, m.Schema, teamsSchema)
	}
	for _, icon := range []string{m.Icons.Color, m.Icons.Outline} {
		if _, err := os.Stat(filepath.Join("..", "teams", icon)); err != nil {
			t.Errorf("icon %q is not in deploy/teams: %v", icon, err)
		}
	}
}

// TestTeamsSchemaCatchesMistakes: the compiled schema rejects what Teams
// would refuse (a v1.16 field on a newer manifest, a missing required
// field), so a pass above means something. (The schema is draft-04, whose
// validators ignore its "const" on manifestVersion: the test above checks
// the version itself.)
func TestTeamsSchemaCatchesMistakes(t *testing.T) {
	s := loadPublishedSchema(t, "teams-"+teamsSchema+".schema.json")
	raw, err := os.ReadFile("../teams/manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	for name, edit := range map[string]func(map[string]any){
		"packageName (removed after v1.16)": func(m map[string]any) { m["packageName"] = "com.example.resetbot" },
		"no developer":                      func(m map[string]any) { delete(m, "developer") },
		"an unknown bot scope":              func(m map[string]any) { m["bots"].([]any)[0].(map[string]any)["scopes"] = []any{"everyone"} },
		"a bot without an id":               func(m map[string]any) { delete(m["bots"].([]any)[0].(map[string]any), "botId") },
	} {
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		edit(m)
		b, _ := json.Marshal(m)
		inst, _ := jsonschema.UnmarshalJSON(strings.NewReader(string(b)))
		if err := s.Validate(inst); err == nil {
			t.Errorf("%s: the schema accepted it", name)
		}
	}
}

// slackManifest is the part of Slack's app manifest format that Slack
// documents and this app can use, field by field. Slack publishes no JSON
// schema for manifests in a package registry (its apps.manifest.validate
// API needs a configuration token), so the test decodes the file strictly
// into these types, which fails on a misspelt or unknown key, and checks
// the limits Slack documents.
type slackManifest struct {
	Metadata *struct {
		MajorVersion int `json:"major_version"`
		MinorVersion int `json:"minor_version"`
	} `json:"_metadata,omitempty"`
	DisplayInformation struct {
		Name            string `json:"name"`
		Description     string `json:"description"`
		LongDescription string `json:"long_description"`
		BackgroundColor string `json:"background_color"`
	} `json:"display_information"`
	Features struct {
		AppHome *struct {
			HomeTabEnabled             bool `json:"home_tab_enabled"`
			MessagesTabEnabled         bool `json:"messages_tab_enabled"`
			MessagesTabReadOnlyEnabled bool `json:"messages_tab_read_only_enabled"`
		} `json:"app_home"`
		BotUser *struct {
			DisplayName  string `json:"display_name"`
			AlwaysOnline bool   `json:"always_online"`
		} `json:"bot_user"`
		SlashCommands []struct {
			Command      string `json:"command"`
			URL          string `json:"url"`
			Description  string `json:"description"`
			UsageHint    string `json:"usage_hint"`
			ShouldEscape bool   `json:"should_escape"`
		} `json:"slash_commands"`
		UnfurlDomains []string `json:"unfurl_domains"`
	} `json:"features"`
	OAuthConfig struct {
		RedirectURLs []string `json:"redirect_urls"`
		Scopes       struct {
			Bot  []string `json:"bot"`
			User []string `json:"user"`
		} `json:"scopes"`
		TokenManagementEnabled bool `json:"token_management_enabled"`
	} `json:"oauth_config"`
	Settings struct {
		AllowedIPAddressRanges []string `json:"allowed_ip_address_ranges"`
		EventSubscriptions     *struct {
			RequestURL string   `json:"request_url"`
			BotEvents  []string `json:"bot_events"`
			UserEvents []string `json:"user_events"`
		} `json:"event_subscriptions"`
		Interactivity *struct {
			IsEnabled             bool   `json:"is_enabled"`
			RequestURL            string `json:"request_url"`
			MessageMenuOptionsURL string `json:"message_menu_options_url"`
		} `json:"interactivity"`
		OrgDeployEnabled     bool `json:"org_deploy_enabled"`
		SocketModeEnabled    bool `json:"socket_mode_enabled"`
		TokenRotationEnabled bool `json:"token_rotation_enabled"`
	} `json:"settings"`
}

// TestSlackManifestFollowsSlacksFormat: deploy/slack/manifest.yaml has only
// keys Slack's manifest reference names, within the documented limits,
// HTTPS request URLs in HTTP mode, and only bot scopes (no user token).
func TestSlackManifestFollowsSlacksFormat(t *testing.T) {
	raw, err := os.ReadFile("../slack/manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m, err := parseSlackManifest(raw)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range slackManifestProblems(m) {
		t.Error(p)
	}
}

// TestSlackManifestCheckCatchesMistakes: the check above fails on what
// Slack would refuse.
func TestSlackManifestCheckCatchesMistakes(t *testing.T) {
	raw, err := os.ReadFile("../slack/manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for name, edit := range map[string][2]string{
		"misspelt key":      {"should_escape:", "should_escpae:"},
		"long name":         {"name: resetbot", "name: resetbot resetbot resetbot resetbot resetbot"},
		"command without /": {"command: /reset", "command: reset"},
		"plain http":        {"url: https://", "url: http://"},
		"unknown scope":     {"- im:write", "- im:everything"},
	} {
		bad := strings.Replace(string(raw), edit[0], edit[1], 1)
		if bad == string(raw) {
			t.Fatalf("%s: %q is not in the manifest", name, edit[0])
		}
		m, err := parseSlackManifest([]byte(bad))
		if err == nil && len(slackManifestProblems(m)) == 0 {
			t.Errorf("%s: accepted", name)
		}
	}
}

func parseSlackManifest(raw []byte) (*slackManifest, error) {
	var m slackManifest
	if err := yaml.UnmarshalStrict(raw, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// slackBotScopes are the bot scopes Slack documents that this app could
// ask for; anything else is a typo or scope creep.
var slackBotScopes = map[string]bool{
	"commands": true, "chat:write": true, "im:write": true, "users:read": true,
	"users:read.email": true, "usergroups:read": true,
}

func slackManifestProblems(m *slackManifest) []string {
	var out []string
	bad := func(format string, a ...any) { out = append(out, fmt.Sprintf(format, a...)) }
	d := m.DisplayInformation
	if n := len([]rune(d.Name)); n == 0 || n > 35 {
		bad("display_information.name %q: 1 to 35 characters", d.Name)
	}
	if len([]rune(d.Description)) > 140 {
		bad("display_information.description: at most 140 characters")
	}
	if d.BackgroundColor != "" && !regexp.MustCompile(`^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`).MatchString(d.BackgroundColor) {
		bad("display_information.background_color %q: #rgb or #rrggbb", d.BackgroundColor)
	}
	if b := m.Features.BotUser; b == nil || b.DisplayName == "" || len([]rune(b.DisplayName)) > 80 {
		bad("features.bot_user.display_name: required, at most 80 characters")
	}
	httpMode := !m.Settings.SocketModeEnabled
	checkURL := func(field, u string) {
		if httpMode && !strings.HasPrefix(u, "https://") {
			bad("%s %q: Slack calls request URLs over HTTPS only", field, u)
		}
	}
	for i, c := range m.Features.SlashCommands {
		if !regexp.MustCompile(`^/[a-z0-9_-]{1,31}$`).MatchString(c.Command) {
			bad("features.slash_commands[%d].command %q: a / and up to 31 lower-case letters, digits, - or _", i, c.Command)
		}
		if c.Description == "" || len([]rune(c.Description)) > 2000 {
			bad("features.slash_commands[%d].description: required, at most 2000 characters", i)
		}
		if len([]rune(c.UsageHint)) > 1000 {
			bad("features.slash_commands[%d].usage_hint: at most 1000 characters", i)
		}
		checkURL(fmt.Sprintf("features.slash_commands[%d].url", i), c.URL)
	}
	if it := m.Settings.Interactivity; it != nil && it.IsEnabled {
		checkURL("settings.interactivity.request_url", it.RequestURL)
	}
	for _, s := range m.OAuthConfig.Scopes.Bot {
		if !slackBotScopes[s] {
			bad("oauth_config.scopes.bot: %q is not a scope this app uses", s)
		}
	}
	if len(m.OAuthConfig.Scopes.User) > 0 {
		bad("oauth_config.scopes.user: the app acts as its bot only, never with a user token")
	}
	return out
}
