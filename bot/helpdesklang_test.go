package bot_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/bottest"
)

// catalogueTexts reads every translation of lang in the catalogue's
// files, plural forms included.
func catalogueTexts(t *testing.T, lang string) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join("..", "internal", "i18n", "locales", "*."+lang+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	names = append(names, filepath.Join("..", "internal", "i18n", "locales", lang+".yaml"))
	var out []string
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var entries map[string]any
		if err := yaml.Unmarshal(data, &entries); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for id, v := range entries {
			if !strings.HasPrefix(id, "chat.") {
				continue
			}
			switch v := v.(type) {
			case string:
				out = append(out, v)
			case map[string]any:
				for _, form := range v {
					if s, ok := form.(string); ok {
						out = append(out, s)
					}
				}
			}
		}
	}
	return out
}

var (
	placeholderRE = regexp.MustCompile(`{{\s*\.[A-Za-z0-9]+\s*}}`)
	wordsRE       = regexp.MustCompile(`\pL{3,}(?:[\s'-]+\pL+)*`)
)

// englishOnly are the phrases of the English chat catalogue that no German
// translation uses: seen in a German message, they are English left over.
func englishOnly(t *testing.T) []*regexp.Regexp {
	t.Helper()
	german := strings.Join(catalogueTexts(t, "de"), "\n")
	seen := map[string]bool{}
	var out []*regexp.Regexp
	for _, s := range catalogueTexts(t, "en") {
		for _, piece := range placeholderRE.Split(s, -1) {
			for _, phrase := range wordsRE.FindAllString(piece, -1) {
				re := regexp.MustCompile(`\b` + regexp.QuoteMeta(phrase) + `\b`)
				if seen[phrase] || re.MatchString(german) {
					continue
				}
				seen[phrase] = true
				out = append(out, re)
			}
		}
	}
	return out
}

// TestHelpdeskLanguageGerman: with helpdesk.language de, a reset's thread
// (parent, status, every event line), a privileged reset's approval
// (buttons, the decision), the refused-request aggregate and the answer
// to "/reset report" are German, with no phrase of the English catalogue
// left. Before the thread and the report came from the catalogue, every
// one of them was English whatever the configured language.
func TestHelpdeskLanguageGerman(t *testing.T) {
	rig := bottest.NewRig(t, bottest.Options{Language: "de"})
	ms := bottest.NewMessenger()
	rig.Bot.AddPlatform("slack", ms)
	ctx := context.Background()

	command(rig, "U0PWUSER", "")
	rig.Settle(t)
	f, binding := rig.Verify(t, bottest.TokenFrom(t, ms.DMs("U0PWUSER")[0]))
	rig.Complete(t, f, binding, "Correct-Horse-Battery-9")
	rig.Settle(t)

	command(rig, "U0ALICE", "")
	rig.Settle(t)
	pf, pbinding := rig.Verify(t, bottest.TokenFrom(t, ms.DMs("U0ALICE")[0]))
	rig.Settle(t)
	rig.Bot.HandleAction(ctx, bot.Action{From: user("U0JDOE"), ActionID: bot.ActionApprove, Value: pf.ID, Respond: &bottest.Responder{}})
	rig.Settle(t)
	rig.Complete(t, pf, pbinding, "Correct-Horse-Battery-9")
	rig.Settle(t)

	for i := 0; i < 2; i++ {
		command(rig, "U0NOBODY", "")
	}
	rig.Settle(t)
	_, resp := command(rig, "U0JDOE", "report")
	rig.Bot.Wait()

	var msgs []bot.Message
	for _, p := range ms.Posts() {
		if p.Kind == "parent" || p.Kind == "update" || p.Kind == "reply" {
			msgs = append(msgs, p.Message)
		}
	}
	report := resp.Messages()
	if len(report) != 1 {
		t.Fatalf("report answers: %+v", report)
	}
	msgs = append(msgs, report...)

	all := ""
	for _, m := range msgs {
		all += bot.ShowMentions(strings.Join(bottest.MessageTexts(m), "\n")) + "\n"
	}
	for _, want := range []string{
		"Passwort-Zurücksetzung", "Angefragt von", "Link an die Person gesendet per Direktnachricht",
		"Überprüft mit", "Neues Passwort ins Verzeichnis geschrieben", "Abgeschlossen",
		"Freigeben", "Ablehnen", "Freigegeben von <@slack:U0JDOE>",
		"2 abgelehnte Anfragen von <@slack:U0NOBODY> in der letzten Minute", "kein Verzeichniskonto passt zur Chat-ID (2)",
		"privilegiertes Konto: Passkey und Freigabe durch den Helpdesk erforderlich",
		"Selbstbedienungsbericht · letzte 7 Tage", "2 Zurücksetzungen angefragt", "2 Tickets vermieden",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("no German %q in the helpdesk's messages:\n%s", want, all)
		}
	}
	for _, re := range englishOnly(t) {
		if loc := re.FindStringIndex(all); loc != nil {
			from, to := max(loc[0]-40, 0), min(loc[1]+40, len(all))
			t.Errorf("English %q left in a German helpdesk message: …%s…", all[loc[0]:loc[1]], all[from:to])
		}
	}
	if t.Failed() {
		t.Logf("the messages:\n%s", all)
	}
}
