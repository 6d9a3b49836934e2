// Package markdown turns the Markdown people write in tickets and comments into
// HTML that is safe to show: CommonMark by goldmark, then bluemonday's policy for
// user content, which drops scripts, event handlers and javascript: links.
package markdown

import (
	"bytes"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

var (
	md     = goldmark.New(goldmark.WithExtensions(extension.GFM))
	policy = func() *bluemonday.Policy {
		p := bluemonday.UGCPolicy()
		p.RequireNoFollowOnLinks(true)
		p.AddTargetBlankToFullyQualifiedLinks(true)
		return p
	}()
)

// HTML renders src as sanitised HTML.
func HTML(src string) string { return rendered.get(src, render) }

func render(src string) string {
	var buf bytes.Buffer
	// goldmark escapes raw HTML by default (no html.WithUnsafe); bluemonday is the
	// second fence, for links and attributes.
	if err := md.Convert([]byte(src), &buf); err != nil {
		return policy.Sanitize(src)
	}
	return policy.Sanitize(buf.String())
}
