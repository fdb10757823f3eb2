package i18n

import (
	"strings"
	"testing"
	"time"
)

// TestDates: every catalogue language formats dates with its own month
// names and order (CLDR yMMMd and MMMd), for every month.
func TestDates(t *testing.T) {
	tests := []struct {
		lang     string
		months   string // all twelve, "|"-separated
		date     string // 2 January 2026
		dayMonth string // 31 December
	}{
		{"en", "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec", "2 Jan 2026", "31 Dec"},
		{"de", "Jan.|Feb.|März|Apr.|Mai|Juni|Juli|Aug.|Sept.|Okt.|Nov.|Dez.", "2. Jan. 2026", "31. Dez."},
		{"fr", "janv.|févr.|mars|avr.|mai|juin|juil.|août|sept.|oct.|nov.|déc.", "2 janv. 2026", "31 déc."},
		{"es", "ene|feb|mar|abr|may|jun|jul|ago|sept|oct|nov|dic", "2 ene 2026", "31 dic"},
	}
	if len(tests) != len(Supported()) {
		t.Fatalf("%d languages tested, the catalogue has %d", len(tests), len(Supported()))
	}
	for _, tc := range tests {
		t.Run(tc.lang, func(t *testing.T) {
			l := For(tc.lang)
			if l.String() != tc.lang {
				t.Fatalf("For(%q) is %s", tc.lang, l)
			}
			want := strings.Split(tc.months, "|")
			for m := time.January; m <= time.December; m++ {
				if got := l.Month(m); got != want[m-1] {
					t.Errorf("Month(%s) = %q, want %q", m, got, want[m-1])
				}
				// Each month's date carries that month's name.
				d := time.Date(2026, m, 15, 12, 0, 0, 0, time.UTC)
				if got := l.Date(d); !strings.Contains(got, want[m-1]) || !strings.Contains(got, "15") || !strings.HasSuffix(got, "2026") {
					t.Errorf("Date(15 %s 2026) = %q", m, got)
				}
			}
			if got := l.Date(time.Date(2026, time.January, 2, 23, 0, 0, 0, time.UTC)); got != tc.date {
				t.Errorf("Date = %q, want %q", got, tc.date)
			}
			if got := l.DayMonth(time.Date(2025, time.December, 31, 0, 0, 0, 0, time.UTC)); got != tc.dayMonth {
				t.Errorf("DayMonth = %q, want %q", got, tc.dayMonth)
			}
		})
	}
}

// TestDateUsesTheTimesZone: the day is the one in t's zone (callers put t
// in the reader's zone), not UTC's.
func TestDateUsesTheTimesZone(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*60*60)
	utc := time.Date(2026, time.March, 31, 20, 0, 0, 0, time.UTC)
	if got := For("de").Date(utc.In(tokyo)); got != "1. Apr. 2026" {
		t.Errorf("Date in Tokyo = %q, want 1. Apr. 2026", got)
	}
}
