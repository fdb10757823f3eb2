package webauth

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/i18n"
)

//go:embed templates/*.html
var templateFS embed.FS

// errNoRoute: nothing is served at this path.
var errNoRoute = errors.New("webauth: no such page")

// views holds one parsed template per language and page, each with the
// shared layout and the language's "t" and "tn" functions.
type views struct {
	pages map[string]map[string]*template.Template
	// langs are the translators of the supported languages, made once:
	// a request looks its language up instead of making a translator.
	langs map[string]i18n.Lang
}

// lang is the translator for tag (a supported language's BCP 47 tag, as
// i18n.Match gives it).
func (v *views) lang(tag string) i18n.Lang {
	if l, ok := v.langs[tag]; ok {
		return l
	}
	return i18n.For(tag)
}

// loadViews parses every page with the layout once per language, at start;
// overrides (Config.TemplatesDir) replace built-in files by name.
func loadViews(overrides map[string]string) (*views, error) {
	v := &views{pages: map[string]map[string]*template.Template{}, langs: map[string]i18n.Lang{}}
	for _, tag := range i18n.Supported() {
		lang := i18n.For(tag.String())
		pages, err := loadPages(lang, overrides, true)
		if err != nil {
			return nil, err
		}
		v.pages[lang.String()] = pages
		v.langs[lang.String()] = lang
	}
	return v, nil
}

// templateNames are the built-in template files ("landing.html"), the
// names an override may take.
func templateNames() []string {
	names, _ := fs.Glob(templateFS, "templates/*.html") // the pattern is valid
	for i, n := range names {
		names[i] = strings.TrimPrefix(n, "templates/")
	}
	return names
}

// templateSource is a template file's text: the override of that name, or
// the built-in one.
func templateSource(file string, overrides map[string]string) (string, error) {
	if src, ok := overrides[file]; ok {
		return src, nil
	}
	b, err := templateFS.ReadFile("templates/" + file)
	return string(b), err
}

// loadPages parses the pages for one language; fold renders their
// constant parts once (foldConstants), as the app serves them.
func loadPages(lang i18n.Lang, overrides map[string]string, fold bool) (map[string]*template.Template, error) {
	funcs := template.FuncMap{"inc": func(i int) int { return i + 1 }}
	for k, f := range lang.Funcs() {
		funcs[k] = f
	}
	tr := cachedT(lang)
	funcs["t"] = tr
	parse := func(t *template.Template, file string) (*template.Template, error) {
		src, err := templateSource(file, overrides)
		if err != nil {
			return nil, err
		}
		return t.Parse(src)
	}
	layout, err := parse(template.New("layout.html").Funcs(funcs), "layout.html")
	if err != nil {
		return nil, &templateError{file: "layout.html", err: err}
	}
	if layout.Lookup("layout") == nil {
		return nil, &templateError{file: "layout.html", err: errors.New(`defines no "layout" template`)}
	}
	pages := map[string]*template.Template{}
	for _, file := range templateNames() {
		name := strings.TrimSuffix(file, ".html")
		if name == "layout" {
			continue
		}
		t, err := parse(template.Must(layout.Clone()).New(file), file)
		if err != nil {
			return nil, &templateError{file: file, err: err}
		}
		if t.Lookup("content") == nil {
			return nil, &templateError{file: file, err: errors.New(`defines no "content" template`)}
		}
		// html/template escapes a template at its first execution: one
		// with an empty page here makes a template the escaper refuses
		// (an action inside a <script> it cannot type, an unclosed
		// attribute) fail now, at start, rather than on a user's request.
		// Other execution errors (fields of an empty page) are expected.
		var esc *template.Error
		if err := t.ExecuteTemplate(io.Discard, "layout", page{}); errors.As(err, &esc) {
			return nil, &templateError{file: file, err: err}
		}
		if fold {
			foldConstants(t, tr)
		}
		pages[name] = t
	}
	return pages, nil
}

// cachedT is the templates' "t" for lang: a message without arguments is
// translated once and then read from a map, since the catalogue does not
// change while the process runs; a page calls "t" a few dozen times, and
// each translation builds its arguments' map and runs the catalogue's
// lookup and template. Messages with arguments are translated every time,
// and at most maxCachedT ids are kept (a template passing data as the id
// cannot grow the map without bound).
func cachedT(lang i18n.Lang) func(id string, args ...any) string {
	var plain sync.Map // message id -> its translation
	var kept atomic.Int32
	return func(id string, args ...any) string {
		if len(args) > 0 {
			return lang.T(id, args...)
		}
		if s, ok := plain.Load(id); ok {
			return s.(string)
		}
		s := lang.T(id)
		if kept.Add(1) <= maxCachedT {
			plain.Store(id, s)
		}
		return s
	}
}

// maxCachedT bounds cachedT's map per language; the catalogue has a few
// hundred web messages.
const maxCachedT = 4096

// templateError is a template file that does not load; its message names
// the file, in the directory it came from when it is an override.
type templateError struct {
	file string
	err  error
}

func (e *templateError) Error() string { return e.file + ": " + e.err.Error() }

func (e *templateError) Unwrap() error { return e.err }

// page is what every template gets: the layout's parts plus the page's own
// data.
type page struct {
	Title string
	// Steps are the labels of the step indicator; Step is the current one
	// (1-based; 0 hides the indicator).
	Steps []string
	Step  int
	// Stopped marks Step as where an unsuccessful flow ended.
	Stopped bool
	CSRF    string
	FlowID  string
	Scripts []string
	// Lang is the page's language (the <html lang>); render sets it.
	Lang string
	// Brand is the configured branding; render sets it.
	Brand Branding
	// Logo is the URL of Brand.LogoFile as served ("" without a logo);
	// render sets it.
	Logo string
	// Early scripts load in the head without defer, before the body is
	// parsed: they listen on the document, so a tap on a button from the
	// first paint on is never lost to a script still loading.
	Early []string
	// Problem is shown above the page content.
	Problem *shownProblem
	// ProblemHeading makes the problem's title the page's h1, on the error
	// page, whose whole content the problem is: a screen reader then reads
	// the title once, not a hidden heading and the box's title both.
	// render sets it.
	ProblemHeading bool
	Data           any
	// Change marks a page of a password change (flows.KindChange): its
	// words say "change your password", never "reset" (isChange).
	Change bool
	// Kind is the flow's kind ("" for a page of no flow), for the words
	// of the header (BrandSuffix).
	Kind flows.Kind
}

// BrandSuffix is the catalogue id of the header's words after the company
// name: what the page is for, so that an enrollment, an unlock, an
// approval or a caller check never reads "Password reset".
func (p page) BrandSuffix() string {
	switch p.Kind {
	case flows.KindChange:
		return "web.change.brand_suffix"
	case flows.KindEnroll, flows.KindRevoke:
		return "web.enroll.brand_suffix"
	case flows.KindUnlock:
		return "web.unlock.brand_suffix"
	case flows.KindApprove:
		return "web.approve.brand_suffix"
	case flows.KindVerify:
		return "web.caller.brand_suffix"
	}
	return "web.brand_suffix"
}

// kindOf is f's kind, "" without a flow.
func kindOf(f *flows.Flow) flows.Kind {
	if f == nil {
		return ""
	}
	return f.Kind
}

// shownProblem is a catalogued problem as the page shows it.
type shownProblem struct {
	Title   string `json:"title"`
	Message string `json:"message"`
	Code    string `json:"error"`
	ID      string `json:"errorId,omitempty"`
	Restart bool   `json:"restart,omitempty"`
	// Hint is what to do next when the flow cannot go on here (Restart),
	// said once: Message says only what happened.
	Hint string `json:"hint,omitempty"`
	// Rule is the checklist rule a refused password broke ("no_name",
	// "directory"), for the page to mark it and the field.
	Rule string `json:"rule,omitempty"`
}

// render writes a page with status, in the request's language.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	p.Lang, p.Brand = s.tr(r).String(), s.cfg.Branding
	p.ProblemHeading = name == "error" && p.Problem != nil
	if s.cfg.logo != nil {
		p.Logo = s.cfg.logo.path
	}
	if strings.HasPrefix(p.Title, "web.") {
		p.Title = s.tr(r).T(p.Title)
	}
	t, ok := s.views.pages[p.Lang][name]
	if !ok {
		s.log.Error("webauth: no template", slog.String("page", name))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	buf := renderBuffers.Get().(*bytes.Buffer)
	defer putRenderBuffer(buf)
	if err := t.ExecuteTemplate(buf, "layout", p); err != nil {
		s.log.Error("webauth: render", slog.String("page", name), slog.Any("cause", err))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// renderBuffers are the buffers pages render into (a page is rendered
// whole before its status is written, so a template error is still a
// clean 500): reused, they spare every page the buffer's growth from
// nothing to its 10-20 KB.
var renderBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// putRenderBuffer returns buf to the pool, unless an unusually large page
// grew it: the pool keeps only buffers of a normal page's size.
func putRenderBuffer(buf *bytes.Buffer) {
	if buf.Cap() > 64<<10 {
		return
	}
	buf.Reset()
	renderBuffers.Put(buf)
}

// writeJSON answers a script.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// report logs err under a fresh error id and returns the problem to show.
// The log line carries the precise cause; it must never contain a secret,
// so callers pass errors built from sentinels and ids, never from input.
func (s *Server) report(r *http.Request, flowID string, err error) shownProblem {
	p := Classify(err)
	p.Title, p.Message = s.problemWords(r, p)
	id := newErrorID()
	level := slog.LevelInfo
	if p.Status >= 500 {
		level = slog.LevelError
	}
	s.log.LogAttrs(r.Context(), level, "webauth: request refused",
		slog.String("error_id", id), slog.String("code", p.Code), slog.Int("status", p.Status),
		slog.String("route", r.Pattern), slog.String("flow", flowID), slog.String("cause", errString(err)))
	sp := shownProblem{Title: p.Title, Message: p.Message, Code: p.Code, ID: id, Restart: p.Restart}
	if key := restartHint(p); key != "" {
		sp.Hint = s.tr(r).T(key)
	}
	return sp
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// fail renders the error page for err.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, fc *flowCtx, err error) {
	flowID := ""
	if fc != nil {
		flowID = fc.flow.ID
	}
	var f *flows.Flow
	if fc != nil {
		f = fc.flow
	}
	sp := s.report(r, flowID, err)
	s.render(w, r, Classify(err).Status, "error", page{Title: sp.Title, Problem: &sp, Change: isChange(f), Kind: kindOf(f)})
}

// failJSON answers a script with the catalogued problem.
func (s *Server) failJSON(w http.ResponseWriter, r *http.Request, fc *flowCtx, err error) {
	flowID := ""
	if fc != nil {
		flowID = fc.flow.ID
	}
	sp := s.report(r, flowID, err)
	writeJSON(w, Classify(err).Status, sp)
}

// problemWords are a catalogued problem's title and message in the
// request's language (web.problem.<code>.title and .message).
func (s *Server) problemWords(r *http.Request, p Problem) (title, message string) {
	l, key := s.tr(r), "web.problem."+strings.ReplaceAll(p.Code, "-", "_")
	return l.T(key + ".title"), l.T(key+".message", "Contact", s.helpdeskContact())
}
