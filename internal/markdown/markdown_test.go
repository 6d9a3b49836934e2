package markdown

import (
	"strings"
	"testing"
)

func TestHTMLRendersMarkdownAndDisarmsScripts(t *testing.T) {
	cases := []struct {
		name, src     string
		want, mustNot []string
	}{
		{"emphasis and code", "**gras** et `code`", []string{"<strong>gras</strong>", "<code>code</code>"}, nil},
		{"raw script", "hello <script>alert(1)</script>", nil, []string{"<script", "alert(1)</script>"}},
		{"javascript link", "[clic](javascript:alert(1))", nil, []string{"javascript:"}},
		{"event handler", `<img src="x" onerror="alert(1)">`, nil, []string{"onerror"}},
		{"safe link", "[doc](https://example.com/doc)", []string{`href="https://example.com/doc"`, `rel="nofollow`}, nil},
		{"table", "| a | b |\n|---|---|\n| 1 | 2 |", []string{"<table>", "<td>1</td>"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := HTML(c.src)
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("HTML(%q) = %q, want it to contain %q", c.src, got, w)
				}
			}
			for _, m := range c.mustNot {
				if strings.Contains(got, m) {
					t.Errorf("HTML(%q) = %q, must not contain %q", c.src, got, m)
				}
			}
		})
	}
}

func FuzzHTMLNeverEmitsScript(f *testing.F) {
	for _, s := range []string{"<script>x</script>", "[a](javascript:x)", "<a href='JaVaScRiPt:x'>y</a>", "`code`"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		got := strings.ToLower(HTML(src))
		if strings.Contains(got, "<script") || strings.Contains(got, `href="javascript:`) || strings.Contains(got, " onerror=") {
			t.Fatalf("HTML(%q) = %q", src, got)
		}
	})
}

func TestCacheGivesTheSameHTMLAndStaysWithinBudget(t *testing.T) {
	c := &cache{budget: 4096, m: map[[32]byte]string{}}
	calls := 0
	render := func(s string) string { calls++; return "<p>" + s + "</p>" }
	long := strings.Repeat("x", 100)
	first := c.get(long, render)
	if second := c.get(long, render); second != first || calls != 1 {
		t.Fatalf("second read rendered again (%d renders)", calls)
	}
	c.get("Merci !", render)
	if c.get("Merci !", render); calls != 2 {
		t.Fatalf("a short comment was rendered %d times, want once", calls-1)
	}
	for i := 0; i < 100; i++ {
		c.get(strings.Repeat(string(rune('a'+i%26)), 100+i), render)
		if c.used > c.budget {
			t.Fatalf("cache uses %d bytes, budget %d", c.used, c.budget)
		}
	}
	if got := HTML(strings.Repeat("**gras** ", 20)); !strings.Contains(got, "<strong>gras</strong>") {
		t.Fatalf("HTML through the cache = %q", got)
	}
}

func BenchmarkHTMLComment(b *testing.B) {
	src := "Bonjour,\n\nL'export **PDF** échoue depuis la mise à jour 5.2 :\n\n```\njava.lang.NullPointerException\n```\n\nVoir [la doc](https://example.com/doc)."
	for b.Loop() {
		render(src)
	}
}

func BenchmarkHTMLCommentCached(b *testing.B) {
	src := "Bonjour,\n\nL'export **PDF** échoue depuis la mise à jour 5.2 :\n\n```\njava.lang.NullPointerException\n```\n\nVoir [la doc](https://example.com/doc)."
	for b.Loop() {
		HTML(src)
	}
}
