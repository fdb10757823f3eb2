package webauth

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/i18n"
)

// reader is the request's reader: the language pages and problems are
// written in and the time zone times are shown in. Every request starts
// with the browser's Accept-Language (then the configured default); once a
// flow is known, the language and zone its person's chat platform gave
// come first.
type reader struct {
	lang i18n.Lang
	zone *time.Location
}

type readerKey struct{}

// withReader puts the request's reader, from its headers, in its context.
func (s *Server) withReader(r *http.Request) *http.Request {
	rd := &reader{lang: s.views.lang(i18n.Match(r.Header.Get("Accept-Language"), s.cfg.Language).String()), zone: s.cfg.TimeZone}
	return r.WithContext(context.WithValue(r.Context(), readerKey{}, rd))
}

// readerOf is the request's reader (English and the configured zone for a
// request that did not pass through ServeHTTP).
func (s *Server) readerOf(r *http.Request) *reader {
	if rd, ok := r.Context().Value(readerKey{}).(*reader); ok {
		return rd
	}
	return &reader{lang: s.views.lang(i18n.Match(s.cfg.Language).String()), zone: s.cfg.TimeZone}
}

// tr is the request's translator.
func (s *Server) tr(r *http.Request) i18n.Lang { return s.readerOf(r).lang }

// forFlow makes the flow's locale (its person's chat language and zone)
// the request's reader, ahead of the browser's.
func (s *Server) forFlow(r *http.Request, f *flows.Flow) {
	if f == nil {
		return
	}
	rd := s.readerOf(r)
	if f.Locale.Lang != "" {
		rd.lang = s.views.lang(i18n.Match(f.Locale.Lang, r.Header.Get("Accept-Language"), s.cfg.Language).String())
	}
	if f.Locale.TimeZone != "" {
		if loc, err := loadZone(f.Locale.TimeZone); err == nil {
			rd.zone = loc
		}
	}
}

// zones keeps the time zones loaded, by name: time.LoadLocation opens,
// reads and parses the zone's file on every call, and a flow's every page
// asks for its person's zone. Only names that load are kept, so the map
// holds at most the zone database's names.
var zones sync.Map // string -> *time.Location

// loadZone is time.LoadLocation, each zone read once per process.
func loadZone(name string) (*time.Location, error) {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Store(name, loc)
	return loc, nil
}
