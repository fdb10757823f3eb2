package auditlog

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/resetbot/resetbot/flows"
)

// Format is how a record is laid out on its line. The chain is the same
// for every format (it covers each line's exact bytes), and Verify reads
// both, so changing audit.format continues the chain in the same file.
type Format string

// The record formats.
const (
	// FormatResetbot is {"seq":N,"prev":"<hex>","event":{...flows.Event}}.
	FormatResetbot Format = "resetbot"
	// FormatECS is an Elastic Common Schema document (@timestamp,
	// event.action, event.outcome, user.name, source.ip, ...), which
	// Elastic, OpenSearch and most SIEMs ingest without a pipeline. The
	// chain fields are event.sequence (seq) and resetbot.prev (prev).
	FormatECS Format = "ecs"
)

// ParseFormat turns a configured format name into a Format; empty is
// FormatResetbot.
func ParseFormat(s string) (Format, error) {
	switch Format(s) {
	case "", FormatResetbot:
		return FormatResetbot, nil
	case FormatECS:
		return FormatECS, nil
	}
	return "", fmt.Errorf("auditlog: unknown format %q (want resetbot or ecs)", s)
}

// ECSVersion is the ECS release whose field names the ECS format uses.
const ECSVersion = "8.11.0"

// ECS outcomes (event.outcome's allowed values).
const (
	ECSSuccess = "success"
	ECSFailure = "failure"
	ECSUnknown = "unknown"
)

// ECSClass is how one event type is categorised in ECS: event.category,
// event.type (both arrays of ECS allowed values) and event.outcome.
type ECSClass struct {
	Category []string
	Type     []string
	// Outcome is ECSSuccess, ECSFailure or ECSUnknown.
	Outcome string
}

// ecsClasses categorises every event type. A type missing here is written
// as category iam, type info, outcome unknown; the package's tests fail
// for a type that flows declares and this table lacks.
var ecsClasses = map[flows.EventType]ECSClass{
	flows.EventRequested:    {iam, []string{"user", "info"}, ECSSuccess},
	flows.EventSuperseded:   {iam, []string{"user", "end"}, ECSSuccess},
	flows.EventRefused:      {iam, []string{"user", "denied"}, ECSFailure},
	flows.EventLinkSent:     {iam, []string{"user", "info"}, ECSSuccess},
	flows.EventLinkReissued: {iam, []string{"user", "change"}, ECSSuccess},
	flows.EventLinkClaimed:  {iam, []string{"user", "allowed"}, ECSSuccess},
	flows.EventClaimRefused: {iam, []string{"user", "denied"}, ECSFailure},
	flows.EventLinkOpened:   {[]string{"web"}, []string{"access"}, ECSSuccess},
	// A preview or scanner fetched the page: web access, not the user's.
	flows.EventLinkPreviewed: {[]string{"web"}, []string{"access", "info"}, ECSSuccess},
	flows.EventLinkRedeemed:  {[]string{"authentication"}, []string{"start"}, ECSSuccess},
	flows.EventVerified:      {[]string{"authentication"}, []string{"info", "allowed"}, ECSSuccess},
	flows.EventVerifyFailed:  {[]string{"authentication"}, []string{"info", "denied"}, ECSFailure},
	// A helpdesk caller verification: the employee proved it was them
	// (verified) or said they did not call (declined, a risk signal).
	flows.EventCallerVerified: {[]string{"authentication"}, []string{"info", "allowed"}, ECSSuccess},
	flows.EventCallerDeclined: {[]string{"authentication"}, []string{"info", "denied"}, ECSFailure},
	// A risk signal fired and the policy noted it, stepped the flow up to
	// an approval or denied it (event.outcome says the decision was made;
	// the action is event.reason's and resetbot's outcome).
	flows.EventRiskDecided:        {[]string{"intrusion_detection"}, []string{"info"}, ECSSuccess},
	flows.EventApprovalRequired:   {iam, []string{"user", "info"}, ECSSuccess},
	flows.EventApproved:           {iam, []string{"user", "allowed"}, ECSSuccess},
	flows.EventDenied:             {iam, []string{"user", "denied"}, ECSFailure},
	flows.EventClickRefused:       {iam, []string{"user", "denied"}, ECSFailure},
	flows.EventApplying:           {iam, []string{"user", "change"}, ECSUnknown},
	flows.EventApplyFailed:        {iam, []string{"user", "change", "error"}, ECSFailure},
	flows.EventPasswordSet:        {iam, []string{"user", "change"}, ECSSuccess},
	flows.EventPasswordRefused:    {iam, []string{"user", "change", "denied"}, ECSFailure},
	flows.EventUnlocked:           {iam, []string{"user", "change"}, ECSSuccess},
	flows.EventEnrolled:           {iam, []string{"user", "change"}, ECSSuccess},
	flows.EventCompleted:          {iam, []string{"user", "end"}, ECSSuccess},
	flows.EventCancelled:          {iam, []string{"user", "end"}, ECSSuccess},
	flows.EventExpired:            {iam, []string{"user", "end"}, ECSFailure},
	flows.EventFailed:             {iam, []string{"user", "end", "error"}, ECSFailure},
	flows.EventRecoveredCompleted: {iam, []string{"user", "change"}, ECSSuccess},
	flows.EventRecoveredFailed:    {iam, []string{"user", "change", "error"}, ECSFailure},
	flows.EventFactorAdded:        {iam, []string{"user", "creation"}, ECSSuccess},
	flows.EventFactorRemoved:      {iam, []string{"user", "deletion"}, ECSSuccess},
	flows.EventFactorsViewed:      {iam, []string{"user", "info"}, ECSSuccess},
	flows.EventFactorsRevoked:     {iam, []string{"user", "deletion"}, ECSSuccess},
}

var iam = []string{"iam"}

// ECSClassOf returns how t is categorised in ECS, and whether the table
// knows t (an unknown type gets the fallback class).
func ECSClassOf(t flows.EventType) (ECSClass, bool) {
	c, ok := ecsClasses[t]
	if !ok {
		return ECSClass{Category: iam, Type: []string{"info"}, Outcome: ECSUnknown}, false
	}
	return c, true
}

// ecsRecord is one line in FormatECS. Structs, not maps, so a line
// marshals the same way every time (a rewritten uncommitted record must
// match byte for byte).
type ecsRecord struct {
	Timestamp time.Time    `json:"@timestamp"`
	ECS       ecsVersion   `json:"ecs"`
	Event     ecsEvent     `json:"event"`
	User      *ecsUser     `json:"user,omitempty"`
	Source    *ecsSource   `json:"source,omitempty"`
	UserAgent *ecsAgent    `json:"user_agent,omitempty"`
	Related   *ecsRelated  `json:"related,omitempty"`
	Service   ecsService   `json:"service"`
	Resetbot  ecsExtension `json:"resetbot"`
}

type ecsVersion struct {
	Version string `json:"version"`
}

type ecsEvent struct {
	ID       string   `json:"id,omitempty"`
	Sequence uint64   `json:"sequence"`
	Kind     string   `json:"kind"`
	Category []string `json:"category"`
	Type     []string `json:"type"`
	Action   string   `json:"action"`
	Outcome  string   `json:"outcome"`
	Reason   string   `json:"reason,omitempty"`
	Module   string   `json:"module"`
	Dataset  string   `json:"dataset"`
}

type ecsUser struct {
	Name string `json:"name,omitempty"`
	ID   string `json:"id,omitempty"`
}

type ecsSource struct {
	Address string `json:"address"`
	IP      string `json:"ip,omitempty"`
}

// ecsAgent holds the browser and platform family the web app recorded;
// the full User-Agent string (user_agent.original) is never kept, as it
// is long and fingerprints the user.
type ecsAgent struct {
	Name string   `json:"name,omitempty"`
	OS   *ecsOSNm `json:"os,omitempty"`
}

type ecsOSNm struct {
	Name string `json:"name"`
}

type ecsRelated struct {
	User []string `json:"user,omitempty"`
	IP   []string `json:"ip,omitempty"`
}

type ecsService struct {
	Name string `json:"name"`
}

// ecsExtension holds the chain's prev and what ECS has no field for,
// under the product's own namespace as ECS asks for custom fields.
type ecsExtension struct {
	Prev       string `json:"prev"`
	FlowID     string `json:"flow_id,omitempty"`
	Kind       string `json:"kind,omitempty"`
	Actor      string `json:"actor,omitempty"`
	From       string `json:"from,omitempty"`
	To         string `json:"to,omitempty"`
	Outcome    string `json:"outcome,omitempty"`
	Method     string `json:"method,omitempty"`
	Department string `json:"department,omitempty"`
	Device     string `json:"device,omitempty"`
	Thread     string `json:"thread,omitempty"`
}

// encodeECS renders one record in FormatECS. user.* is the directory
// account the flow is about; who acted (a chat identity, or "system") is
// resetbot.actor, and both are in related.user.
func encodeECS(seq uint64, prev string, ev flows.Event) ([]byte, error) {
	c, _ := ECSClassOf(ev.Type)
	r := ecsRecord{
		Timestamp: ev.Time.UTC(),
		ECS:       ecsVersion{ECSVersion},
		Event: ecsEvent{
			ID: ev.ID, Sequence: seq, Kind: "event",
			Category: c.Category, Type: c.Type,
			Action: string(ev.Type), Outcome: c.Outcome, Reason: ev.Reason,
			Module: "resetbot", Dataset: "resetbot.audit",
		},
		Service: ecsService{"resetbot"},
		Resetbot: ecsExtension{
			Prev: prev, FlowID: ev.FlowID, Kind: string(ev.Kind), Actor: ev.Actor,
			From: string(ev.From), To: string(ev.To), Outcome: ev.Outcome,
			Method: ev.Method, Department: ev.Department, Device: ev.Device, Thread: ev.Thread,
		},
	}
	var related ecsRelated
	if ev.Account != "" || ev.AccountID != "" {
		r.User = &ecsUser{Name: ev.Account, ID: ev.AccountID}
		if ev.Account != "" {
			related.User = append(related.User, ev.Account)
		}
	}
	if ev.Actor != "" && ev.Actor != "system" && ev.Actor != ev.Account {
		related.User = append(related.User, ev.Actor)
	}
	if ev.SourceIP != "" {
		r.Source = &ecsSource{Address: ev.SourceIP}
		if ip, err := netip.ParseAddr(ev.SourceIP); err == nil {
			r.Source.IP = ip.String()
			related.IP = []string{ip.String()}
		}
	}
	if browser, platform, ok := strings.Cut(ev.Device, " on "); ok {
		r.UserAgent = &ecsAgent{Name: browser, OS: &ecsOSNm{platform}}
	}
	if related.User != nil || related.IP != nil {
		r.Related = &related
	}
	return json.Marshal(r)
}

// encode renders one record in the sink's format.
func encode(f Format, rec Record) ([]byte, error) {
	if f == FormatECS {
		return encodeECS(rec.Seq, rec.Prev, rec.Event)
	}
	return json.Marshal(rec)
}

// chainShape is what Verify reads from a line of either format: pointers
// tell a missing field from a zero one, the event is checked for shape.
// A line with "@timestamp" and no top-level seq is FormatECS.
type chainShape struct {
	Seq       *uint64          `json:"seq"`
	Prev      *string          `json:"prev"`
	Event     *json.RawMessage `json:"event"`
	Timestamp *json.RawMessage `json:"@timestamp"`
	Resetbot  *struct {
		Prev *string `json:"prev"`
	} `json:"resetbot"`
}

// readChain parses a line's chain fields. An error means the line is not
// a record of either format (seq, prev or event missing).
func readChain(line []byte) (seq uint64, prev string, event json.RawMessage, err error) {
	var s chainShape
	if err := json.Unmarshal(line, &s); err != nil {
		return 0, "", nil, err
	}
	if s.Seq == nil && s.Timestamp != nil && s.Event != nil && len(*s.Event) > 0 && (*s.Event)[0] == '{' {
		var e struct {
			Sequence *uint64 `json:"sequence"`
		}
		if json.Unmarshal(*s.Event, &e) == nil && e.Sequence != nil {
			s.Seq = e.Sequence
		}
		if s.Resetbot != nil {
			s.Prev = s.Resetbot.Prev
		}
	}
	if s.Seq == nil || s.Prev == nil || s.Event == nil {
		return 0, "", nil, errNotRecord
	}
	return *s.Seq, *s.Prev, *s.Event, nil
}

var errNotRecord = fmt.Errorf("auditlog: not a record")
