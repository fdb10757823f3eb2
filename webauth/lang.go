package webauth

import (
	"context"
	"net/http"
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
	rd := &reader{lang: i18n.For(i18n.Match(r.Header.Get("Accept-Language"), s.cfg.Language).String()), zone: s.cfg.TimeZone}
	return r.WithContext(context.WithValue(r.Context(), readerKey{}, rd))
}

// readerOf is the request's reader (English and the configured zone for a
// request that did not pass through ServeHTTP).
func (s *Server) readerOf(r *http.Request) *reader {
	if rd, ok := r.Context().Value(readerKey{}).(*reader); ok {
		return rd
	}
	return &reader{lang: i18n.For(s.cfg.Language), zone: s.cfg.TimeZone}
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
		rd.lang = i18n.For(i18n.Match(f.Locale.Lang, r.Header.Get("Accept-Language"), s.cfg.Language).String())
	}
	if f.Locale.TimeZone != "" {
		if loc, err := time.LoadLocation(f.Locale.TimeZone); err == nil {
			rd.zone = loc
		}
	}
}
