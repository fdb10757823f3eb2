package bot

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/i18n"
)

// FiguresJSONVersion is the version of the JSON document `resetbot report
// --format json` writes. Keys are only ever added within a version; a key
// renamed or removed, or a meaning changed, is a new version.
const FiguresJSONVersion = 1

// FiguresDocument is the stable JSON shape of the figures, for a dashboard.
// Every kind and outcome is present, zero included, so a consumer never
// has to tell "none" from "not reported".
type FiguresDocument struct {
	Version     int       `json:"version"`
	GeneratedAt time.Time `json:"generated_at"`
	Days        int       `json:"days"`
	// Requested is flows started, by kind (reset, change, unlock, enroll).
	Requested map[string]int64 `json:"requested"`
	// Outcomes is flows finished, by kind and outcome (completed, expired,
	// denied, failed, cancelled, superseded).
	Outcomes map[string]map[string]int64 `json:"outcomes"`
	// VerifiedWith is verifications by method (passkey, totp); Enrolled is
	// factors added by method.
	VerifiedWith map[string]int64 `json:"verified_with"`
	Enrolled     map[string]int64 `json:"enrolled"`
	// MedianToCompleteSeconds is the upper bound of the bucket holding the
	// median completed reset or unlock; 0 when none completed.
	MedianToCompleteSeconds int64 `json:"median_to_complete_seconds"`
	TicketsAvoided          int64 `json:"tickets_avoided"`
	RemindersSent           int64 `json:"reminders_sent"`
	ChangedBeforeExpiry     int64 `json:"changed_before_expiry"`
	Compliance              struct {
		Groups      []EnrollmentDocument `json:"groups"`
		Departments []EnrollmentDocument `json:"departments"`
	} `json:"compliance"`
	// Campaigns is each campaign's progress over the last year: people
	// found without a passkey, of those messaged, of those enrolled since.
	Campaigns []CampaignDocument `json:"campaigns"`
}

// CampaignDocument is one campaign's progress.
type CampaignDocument struct {
	Name          string `json:"name"`
	Targeted      int64  `json:"targeted"`
	Messaged      int64  `json:"messaged"`
	EnrolledSince int64  `json:"enrolled_since"`
}

// EnrollmentDocument is one group's or department's passkey enrollment.
type EnrollmentDocument struct {
	Name     string `json:"name"`
	Enrolled int    `json:"enrolled"`
	Total    int    `json:"total"`
}

// Document is f in the stable JSON shape.
func (f Figures) Document() FiguresDocument {
	st := f.Stats
	d := FiguresDocument{
		Version: FiguresJSONVersion, GeneratedAt: f.At, Days: st.Days,
		Requested: map[string]int64{}, Outcomes: map[string]map[string]int64{},
		VerifiedWith: map[string]int64{}, Enrolled: map[string]int64{},
		MedianToCompleteSeconds: int64(st.MedianToComplete / time.Second),
		TicketsAvoided:          st.TicketsAvoided,
		RemindersSent:           st.RemindersSent,
		ChangedBeforeExpiry:     st.ChangedBeforeExpiry,
	}
	for _, k := range reportKinds {
		d.Requested[string(k)] = st.Requested[k]
		d.Outcomes[string(k)] = map[string]int64{}
		for _, o := range outcomeNames {
			d.Outcomes[string(k)][o] = st.Outcomes[k][o]
		}
	}
	for _, m := range []string{flows.MethodPasskey, flows.MethodTOTP} {
		d.VerifiedWith[m] = st.Methods[m]
		d.Enrolled[m] = st.Enrolled[m]
	}
	conv := func(es []Enrollment) []EnrollmentDocument {
		out := make([]EnrollmentDocument, len(es))
		for i, e := range es {
			out[i] = EnrollmentDocument(e)
		}
		return out
	}
	d.Compliance.Groups = conv(f.Compliance.Groups)
	d.Compliance.Departments = conv(f.Compliance.Departments)
	d.Campaigns = []CampaignDocument{}
	for _, p := range f.Campaigns {
		d.Campaigns = append(d.Campaigns, CampaignDocument(p))
	}
	return d
}

// WriteJSON writes the figures as one indented FiguresDocument.
func (f Figures) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(f.Document())
}

// csvHeader names the CSV columns: a figure's section and key, its value,
// and for enrollment rows the total the value is out of.
var csvHeader = []string{"section", "key", "value", "total"}

// WriteCSV writes the figures as RFC 4180 CSV: the header, then one row
// per (section, key), in the document's order.
func (f Figures) WriteCSV(w io.Writer) error {
	d := f.Document()
	cw := csv.NewWriter(w)
	rows := [][]string{csvHeader}
	n := func(v int64) string { return strconv.FormatInt(v, 10) }
	for _, k := range reportKinds {
		rows = append(rows, []string{"requested", string(k), n(d.Requested[string(k)]), ""})
	}
	for _, k := range reportKinds {
		for _, o := range outcomeNames {
			rows = append(rows, []string{"outcome." + string(k), o, n(d.Outcomes[string(k)][o]), ""})
		}
	}
	for _, m := range []string{flows.MethodPasskey, flows.MethodTOTP} {
		rows = append(rows, []string{"verified_with", m, n(d.VerifiedWith[m]), ""})
	}
	for _, m := range []string{flows.MethodPasskey, flows.MethodTOTP} {
		rows = append(rows, []string{"enrolled", m, n(d.Enrolled[m]), ""})
	}
	rows = append(rows,
		[]string{"time", "median_to_complete_seconds", n(d.MedianToCompleteSeconds), ""},
		[]string{"helpdesk", "tickets_avoided", n(d.TicketsAvoided), ""},
		[]string{"reminders", "sent", n(d.RemindersSent), ""},
		[]string{"reminders", "changed_before_expiry", n(d.ChangedBeforeExpiry), ""},
	)
	for _, e := range d.Compliance.Groups {
		rows = append(rows, []string{"compliance.group", cell(e.Name), strconv.Itoa(e.Enrolled), strconv.Itoa(e.Total)})
	}
	for _, e := range d.Compliance.Departments {
		rows = append(rows, []string{"compliance.department", cell(e.Name), strconv.Itoa(e.Enrolled), strconv.Itoa(e.Total)})
	}
	for _, p := range d.Campaigns {
		rows = append(rows,
			[]string{"campaign.targeted", p.Name, n(p.Targeted), ""},
			[]string{"campaign.messaged", p.Name, n(p.Messaged), ""},
			[]string{"campaign.enrolled_since", p.Name, n(p.EnrolledSince), ""})
	}
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("report: csv: %w", err)
	}
	return nil
}

// cell keeps a name from the directory (a department anyone with write
// access to their entry may set) from being run as a formula by the
// spreadsheet the CSV is opened in: one starting with = + - @ or a control
// character gets a leading apostrophe, as OWASP advises for CSV exports.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// WriteText writes the chat report as plain text in l: the title, then one
// "label: value" line per field, the same words the helpdesk reads in chat.
func (b *Bot) WriteText(w io.Writer, l i18n.Lang, f Figures) error {
	m := b.ReportMessage(l, f)
	var sb strings.Builder
	sb.WriteString(m.Title + "\n")
	for _, fl := range m.Fields {
		sb.WriteString(fl.Label + ": " + fl.Value + "\n")
	}
	_, err := io.WriteString(w, sb.String())
	return err
}
