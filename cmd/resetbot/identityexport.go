package main

import (
	"context"
	"encoding/base64"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/resetbot/resetbot/bot/slack"
	"github.com/resetbot/resetbot/cmd/resetbot/internal/config"
	"github.com/resetbot/resetbot/directory"
)

// Export formats of `identity export`.
const (
	exportLDIF       = "ldif"
	exportCSV        = "csv"
	exportPowerShell = "powershell"
)

// chatIDRow is one account whose chat-id attribute the export fills.
type chatIDRow struct {
	DN, ID, Account, Email, Attribute, Value string
}

// exportReport counts what the export left out, for the operator.
type exportReport struct {
	members, noEmail, noAccount, already int
	conflicts                            []string
}

// runIdentityExport implements `resetbot identity export`: it reads the
// platform's member list, matches each member's email against the
// directory (directory.email_attribute) and writes, for every account
// whose chat-id attribute does not hold that member's id yet, an LDIF
// modify, a CSV row or an AD PowerShell line. Nothing is written to the
// directory; an administrator reviews and applies the file. The summary
// (and every conflict: an account whose attribute holds another id) goes
// to stderr.
func runIdentityExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("identity export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	platform := fs.String("platform", "", "slack (teams and discord cannot list members with emails here; see the README)")
	format := fs.String("format", exportLDIF, "ldif, csv or powershell (Active Directory)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"identity export: want --platform slack [--format ldif|csv|powershell] CONFIG"}
	}
	switch *format {
	case exportLDIF, exportCSV, exportPowerShell:
	default:
		return usageError{fmt.Sprintf("identity export: --format %q: want ldif, csv or powershell", *format)}
	}
	switch *platform {
	case "slack":
	case "teams":
		return errors.New("identity export: Teams members come from Microsoft Graph (GET /v1.0/users?$select=id,userPrincipalName), which resetbot does not call; see deploy/teams/README.md")
	case "discord":
		return errors.New("identity export: Discord gives bots no email addresses, so members cannot be matched to accounts; see deploy/discord/README.md")
	default:
		return usageError{fmt.Sprintf("identity export: --platform %q: want slack", *platform)}
	}
	cfg, err := loadConfig(fs.Arg(0))
	if err != nil {
		return err
	}
	attr := cfg.Directory.ChatIDAttributes[*platform]
	if attr == "" {
		return fmt.Errorf("identity export: directory.chat_id_attributes.%s is not set: there is no attribute to fill", *platform)
	}
	members, err := slack.ListMembers(ctx, cfg.Slack.BotToken.Reveal(), cfg.Slack.APIURL)
	if err != nil {
		return fmt.Errorf("identity export: %w", err)
	}
	dir, err := openDirectory(ctx, cfg.Directory)
	if err != nil {
		return fmt.Errorf("identity export: %w", err)
	}
	if c, ok := dir.(io.Closer); ok {
		defer c.Close()
	}
	rows, rep, err := matchMembers(ctx, dir, *platform, attr, members)
	if err != nil {
		return fmt.Errorf("identity export: %w", err)
	}
	if err := writeChatIDs(stdout, *format, cfg.Directory.Flavour, rows); err != nil {
		return fmt.Errorf("identity export: %w", err)
	}
	fmt.Fprintf(stderr, "identity export: %d members: %d to fill, %d already set, %d without an email, %d matching no account, %d conflicts\n",
		rep.members, len(rows), rep.already, rep.noEmail, rep.noAccount, len(rep.conflicts))
	for _, c := range rep.conflicts {
		fmt.Fprintln(stderr, "conflict:", c)
	}
	return nil
}

// matchMembers finds each member's account by email. An email that
// matches no account, or several (the directory reports both as not
// found), is left out; so is an account whose attribute already holds an
// id, the member's (already set) or another one (a conflict, never
// overwritten), and an account two members' emails match.
func matchMembers(ctx context.Context, dir directory.Directory, platform, attr string, members []slack.Member) ([]chatIDRow, exportReport, error) {
	rep := exportReport{members: len(members)}
	var rows []chatIDRow
	seen := map[string]string{} // account DN -> member id
	for _, m := range members {
		if m.Email == "" {
			rep.noEmail++
			continue
		}
		u, err := dir.Find(ctx, directory.Lookup{Kind: directory.ByEmail, Value: m.Email})
		if errors.Is(err, directory.ErrNotFound) {
			rep.noAccount++
			continue
		}
		if err != nil {
			return nil, rep, fmt.Errorf("directory lookup of %s: %w", m.Email, err)
		}
		switch cur := u.ChatIDs[platform]; {
		case cur == m.ID:
			rep.already++
			continue
		case cur != "":
			rep.conflicts = append(rep.conflicts, fmt.Sprintf("%s: %s holds %s, the member with email %s is %s", u.DN, attr, cur, m.Email, m.ID))
			continue
		}
		if other, dup := seen[u.DN]; dup {
			rep.conflicts = append(rep.conflicts, fmt.Sprintf("%s: members %s and %s both match it by email", u.DN, other, m.ID))
			continue
		}
		seen[u.DN] = m.ID
		rows = append(rows, chatIDRow{DN: u.DN, ID: u.ID, Account: u.AccountName, Email: m.Email, Attribute: attr, Value: m.ID})
	}
	// A DN two members matched is ambiguous: drop the first one's row too.
	out := rows[:0]
	for _, r := range rows {
		dup := false
		for _, c := range rep.conflicts {
			if strings.HasPrefix(c, r.DN+": members ") {
				dup = true
			}
		}
		if !dup {
			out = append(out, r)
		}
	}
	return out, rep, nil
}

// writeChatIDs renders rows in the format asked for. The LDIF is written
// here rather than with go-ldap/ldif's Marshal (which the tests use to
// parse and apply it) because each change carries a comment naming the
// member's email for the administrator who reviews the file, and Marshal
// writes no comments.
func writeChatIDs(w io.Writer, format, flavour string, rows []chatIDRow) error {
	switch format {
	case exportCSV:
		cw := csv.NewWriter(w)
		cw.Write([]string{"dn", "account", "email", "attribute", "value"})
		for _, r := range rows {
			cw.Write([]string{r.DN, r.Account, r.Email, r.Attribute, r.Value})
		}
		cw.Flush()
		return cw.Error()
	case exportPowerShell:
		if flavour != config.FlavourActiveDirectory {
			return fmt.Errorf("--format powershell is for Active Directory (Set-ADUser); directory.flavour is %s: use ldif", flavour)
		}
		fmt.Fprintln(w, "# Fills the chat-id attribute of each account; review, then run with the ActiveDirectory module.")
		fmt.Fprintln(w, "Import-Module ActiveDirectory")
		for _, r := range rows {
			fmt.Fprintf(w, "Set-ADUser -Identity %s -Replace @{%s=%s}  # %s\n", psQuote(strings.Trim(r.ID, "{}")), psQuote(r.Attribute), psQuote(r.Value), psComment(r.Account))
		}
		return nil
	}
	var b strings.Builder
	b.WriteString("version: 1\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "\n# %s\n", psComment(r.Email))
		b.WriteString(ldifLine("dn", r.DN))
		b.WriteString("changetype: modify\n")
		b.WriteString("replace: " + r.Attribute + "\n")
		b.WriteString(ldifLine(r.Attribute, r.Value))
		b.WriteString("-\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// ldifLine renders "attr: value", or "attr:: base64" when the value is
// not a SAFE-STRING (RFC 2849): non-ASCII, control characters, or a
// leading space, colon or less-than, or a trailing space.
func ldifLine(attr, value string) string {
	safe := value == "" || (value[0] != ' ' && value[0] != ':' && value[0] != '<' && value[len(value)-1] != ' ')
	for i := 0; safe && i < len(value); i++ {
		if c := value[i]; c == 0 || c == '\n' || c == '\r' || c > 0x7e {
			safe = false
		}
	}
	if safe {
		return attr + ": " + value + "\n"
	}
	return attr + ":: " + base64.StdEncoding.EncodeToString([]byte(value)) + "\n"
}

// psQuote is a PowerShell single-quoted string: nothing inside expands,
// and a quote is doubled.
func psQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// psComment keeps a value on one comment line.
func psComment(s string) string {
	return strings.NewReplacer("\n", " ", "\r", " ").Replace(s)
}
