package i18n

import (
	"strconv"
	"time"
)

// Go's time.Format knows only English month names, and golang.org/x/text
// formats no dates: a German page that says "hinzugefügt am 2 Jan 2026"
// reads as a foreign page. The catalogue's languages are few, so their
// CLDR data for the two patterns the pages use is kept here, small and
// tested, rather than pulling in a whole CLDR library.

// dateForm is one language's CLDR abbreviated month names (format
// context) and its yMMMd and MMMd patterns, as functions of day, month
// name and year.
type dateForm struct {
	months   [12]string
	date     func(day, month, year string) string
	dayMonth func(day, month string) string
}

// dateForms holds CLDR 46's data for each catalogue language. English has
// CLDR en's month names in the day-first order the pages always used
// ("2 Jan 2026", as Go's "2 Jan 2006" gave).
var dateForms = map[string]dateForm{
	"en": {
		months:   [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
		date:     func(d, m, y string) string { return d + " " + m + " " + y },
		dayMonth: func(d, m string) string { return d + " " + m },
	},
	"de": {
		months:   [12]string{"Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.", "Dez."},
		date:     func(d, m, y string) string { return d + ". " + m + " " + y },
		dayMonth: func(d, m string) string { return d + ". " + m },
	},
	"fr": {
		months:   [12]string{"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."},
		date:     func(d, m, y string) string { return d + " " + m + " " + y },
		dayMonth: func(d, m string) string { return d + " " + m },
	},
	"es": {
		months:   [12]string{"ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"},
		date:     func(d, m, y string) string { return d + " " + m + " " + y },
		dayMonth: func(d, m string) string { return d + " " + m },
	},
}

// form is l's date data; a language without its own (impossible for a
// Lang from For, which only gives catalogue languages) gets English.
func (l Lang) form() dateForm {
	if f, ok := dateForms[l.String()]; ok {
		return f
	}
	return dateForms["en"]
}

// Month is the abbreviated name of m in l's language ("Jan.", "janv.").
func (l Lang) Month(m time.Month) string {
	return l.form().months[m-1]
}

// Date is t's calendar day in l's language and t's own zone, with an
// abbreviated month: "2 Jan 2026", "2. Jan. 2026", "2 janv. 2026",
// "2 ene 2026". Callers put t in the reader's zone first.
func (l Lang) Date(t time.Time) string {
	f := l.form()
	return f.date(strconv.Itoa(t.Day()), f.months[t.Month()-1], strconv.Itoa(t.Year()))
}

// DayMonth is Date without the year, for times that are days old at most
// ("2 Jan", "2. Jan.").
func (l Lang) DayMonth(t time.Time) string {
	f := l.form()
	return f.dayMonth(strconv.Itoa(t.Day()), f.months[t.Month()-1])
}
