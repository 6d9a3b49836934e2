package web

import (
	"fmt"
	"html/template"
	"slices"
	"time"

	"guichet/internal/desk"
	"guichet/internal/markdown"
)

// funcs are the helpers templates call.
func (p *Pages) funcs() template.FuncMap {
	return template.FuncMap{
		"t":     text,
		"tf":    func(l, key string, args ...any) string { return fmt.Sprintf(text(l, key), args...) },
		"dict":  dict,
		"asset": p.assets.url,
		// md renders Markdown to HTML that goldmark made and bluemonday cleaned.
		"md":   func(src string) template.HTML { return template.HTML(markdown.HTML(src)) },
		"when": when,
		"iso":  func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"ref":  desk.Ref,
		"has": func(list []desk.Action, a string) bool {
			return slices.Contains(list, desk.Action(a))
		},
		"pollMS":        func() int64 { return p.PollEvery.Milliseconds() },
		"natures":       func() []desk.Nature { return desk.Natures },
		"criticalities": func() []desk.Criticality { return desk.Criticalities },
		"statuses":      func() []desk.Status { return desk.Statuses },
		"priorities":    func() []int { return []int{1, 2, 3, 4} },
		"decisions": func() []desk.Decision {
			return []desk.Decision{desk.AcceptedPlanned, desk.AcceptedBacklog, desk.InterestingNotRetained, desk.NotRetained}
		},
		"ratings": func() []int { return []int{5, 4, 3, 2, 1} },
		"str":     func(v any) string { return fmt.Sprint(v) },
		"size":    size,
		// unread is the header badge's count of unread notifications.
		"unread": p.unread,
	}
}

// when shows an instant in UTC, to the minute.
func when(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") + " UTC" }

// size shows a number of bytes for people.
func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
