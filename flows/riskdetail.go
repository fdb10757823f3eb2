package flows

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// RiskFact names what a risk finding's facts are: the shape of its
// detail. The helpdesk thread words each fact from the catalogue in its
// own language (the audit record keeps the English detail).
type RiskFact string

// The risk facts, one per way a signal fires.
const (
	// FactPasskeyAge: the passkey used was added Age ago, less than
	// Limit (RiskPolicy.NewPasskeyAge).
	FactPasskeyAge RiskFact = "passkey_age"
	// FactNewBrowser: a browser never used for the account before.
	FactNewBrowser RiskFact = "new_browser"
	// FactCountryDenied: the web client is in Country, a denied country.
	FactCountryDenied RiskFact = "country_denied"
	// FactCountryNotAllowed: Country is not on the allow list.
	FactCountryNotAllowed RiskFact = "country_not_allowed"
	// FactCountryNew: Country is one the account has not used before.
	FactCountryNew RiskFact = "country_new"
	// FactAccountRequests: Count requests for the account within Limit
	// (RiskPolicy.Window), more than Threshold.
	FactAccountRequests RiskFact = "account_requests"
	// FactAccountFailures: Count failed verifications of the account
	// within Limit, at least Threshold.
	FactAccountFailures RiskFact = "account_failures"
	// FactDepartmentRequests: Count requests from Department within
	// Limit, more than Threshold.
	FactDepartmentRequests RiskFact = "department_requests"
	// FactCallerDeclined: the account's owner declined Count caller
	// verifications within Limit.
	FactCallerDeclined RiskFact = "caller_declined"
)

// RiskFacts are the facts that made a signal fire (safe for the audit
// trail: counts, a country code, a department, durations). Detail writes
// them as the audit record's English detail and ParseRiskDetail reads
// them back, so the words people read can be in their language.
type RiskFacts struct {
	Fact       RiskFact
	Count      int
	Threshold  int
	Age        time.Duration
	Limit      time.Duration
	Country    string
	Department string
}

// riskFactText is one fact's English detail: how it is written and the
// pattern that reads it back.
type riskFactText struct {
	write func(RiskFacts) string
	read  *regexp.Regexp
	// fill sets the facts from the pattern's submatches.
	fill func(m []string) (RiskFacts, error)
}

// riskFactTexts are the English details, by fact. Changing a text here
// changes its pattern beside it; TestRiskDetailRoundTrip checks both.
var riskFactTexts = map[RiskFact]riskFactText{
	FactPasskeyAge: {
		write: func(f RiskFacts) string {
			return fmt.Sprintf("the passkey used was added %s ago (less than %s)", f.Age, f.Limit)
		},
		read: regexp.MustCompile(`^the passkey used was added (\S+) ago \(less than (\S+)\)$`),
		fill: func(m []string) (RiskFacts, error) { return durations(RiskFacts{Fact: FactPasskeyAge}, m[1], m[2]) },
	},
	FactNewBrowser: {
		write: func(RiskFacts) string { return "a browser never used for this account before" },
		read:  regexp.MustCompile(`^a browser never used for this account before$`),
		fill:  func([]string) (RiskFacts, error) { return RiskFacts{Fact: FactNewBrowser}, nil },
	},
	FactCountryDenied: {
		write: func(f RiskFacts) string { return "web client in " + f.Country + ", a denied country" },
		read:  regexp.MustCompile(`^web client in (\S+), a denied country$`),
		fill:  func(m []string) (RiskFacts, error) { return RiskFacts{Fact: FactCountryDenied, Country: m[1]}, nil },
	},
	FactCountryNotAllowed: {
		write: func(f RiskFacts) string { return "web client in " + f.Country + ", not an allowed country" },
		read:  regexp.MustCompile(`^web client in (\S+), not an allowed country$`),
		fill:  func(m []string) (RiskFacts, error) { return RiskFacts{Fact: FactCountryNotAllowed, Country: m[1]}, nil },
	},
	FactCountryNew: {
		write: func(f RiskFacts) string {
			return "web client in " + f.Country + ", a country this account has not used before"
		},
		read: regexp.MustCompile(`^web client in (\S+), a country this account has not used before$`),
		fill: func(m []string) (RiskFacts, error) { return RiskFacts{Fact: FactCountryNew, Country: m[1]}, nil },
	},
	FactAccountRequests: {
		write: func(f RiskFacts) string {
			return fmt.Sprintf("%d requests for this account within %s (more than %d)", f.Count, f.Limit, f.Threshold)
		},
		read: regexp.MustCompile(`^(\d+) requests for this account within (\S+) \(more than (\d+)\)$`),
		fill: func(m []string) (RiskFacts, error) {
			return counted(RiskFacts{Fact: FactAccountRequests}, m[1], m[2], m[3])
		},
	},
	FactAccountFailures: {
		write: func(f RiskFacts) string {
			return fmt.Sprintf("%d failed verifications of this account within %s (at least %d)", f.Count, f.Limit, f.Threshold)
		},
		read: regexp.MustCompile(`^(\d+) failed verifications of this account within (\S+) \(at least (\d+)\)$`),
		fill: func(m []string) (RiskFacts, error) {
			return counted(RiskFacts{Fact: FactAccountFailures}, m[1], m[2], m[3])
		},
	},
	FactDepartmentRequests: {
		write: func(f RiskFacts) string {
			return fmt.Sprintf("%d requests from department %s within %s (more than %d)", f.Count, f.Department, f.Limit, f.Threshold)
		},
		read: regexp.MustCompile(`^(\d+) requests from department (.+) within (\S+) \(more than (\d+)\)$`),
		fill: func(m []string) (RiskFacts, error) {
			return counted(RiskFacts{Fact: FactDepartmentRequests, Department: m[2]}, m[1], m[3], m[4])
		},
	},
	FactCallerDeclined: {
		write: func(f RiskFacts) string {
			return fmt.Sprintf("the account's owner declined %d caller verification(s) within %s", f.Count, f.Limit)
		},
		read: regexp.MustCompile(`^the account's owner declined (\d+) caller verification\(s\) within (\S+)$`),
		fill: func(m []string) (RiskFacts, error) {
			return counted(RiskFacts{Fact: FactCallerDeclined}, m[1], m[2], "0")
		},
	},
}

// Detail is the facts as the audit record's English detail.
func (f RiskFacts) Detail() string {
	t, ok := riskFactTexts[f.Fact]
	if !ok {
		return string(f.Fact)
	}
	return t.write(f)
}

// ParseRiskDetail reads the facts back from an audit record's detail (see
// ParseRiskReason); false for a detail no fact writes (an older or a
// foreign record), which is then shown as it is.
func ParseRiskDetail(detail string) (RiskFacts, bool) {
	for _, t := range riskFactTexts {
		if m := t.read.FindStringSubmatch(detail); m != nil {
			f, err := t.fill(m)
			return f, err == nil
		}
	}
	return RiskFacts{}, false
}

// durations sets Age and Limit from their Go spellings ("2m0s", "24h0m0s").
func durations(f RiskFacts, age, limit string) (RiskFacts, error) {
	var err error
	if f.Age, err = time.ParseDuration(age); err != nil {
		return f, err
	}
	f.Limit, err = time.ParseDuration(limit)
	return f, err
}

// counted sets Count, Limit and Threshold.
func counted(f RiskFacts, count, limit, threshold string) (RiskFacts, error) {
	var err error
	if f.Count, err = strconv.Atoi(count); err != nil {
		return f, err
	}
	if f.Threshold, err = strconv.Atoi(threshold); err != nil {
		return f, err
	}
	f.Limit, err = time.ParseDuration(limit)
	return f, err
}
