package markdown

import (
	"crypto/sha256"
	"sync"
)

// cache remembers rendered HTML by the SHA-256 of its source. Comments and
// descriptions are read far more often than written, and rendering plus
// sanitising is the dearest part of showing a ticket. Memory is bounded: when the
// budget is exceeded the cache starts afresh.
type cache struct {
	mu     sync.Mutex
	budget int
	used   int
	m      map[[32]byte]string
}

var rendered = &cache{budget: 32 << 20, m: map[[32]byte]string{}}

func (c *cache) get(src string, render func(string) string) string {
	// Even a one-line comment costs tens of microseconds to render and
	// sanitise, and a hundred nanoseconds to hash: every text is cached.
	key := sha256.Sum256([]byte(src))
	c.mu.Lock()
	html, ok := c.m[key]
	c.mu.Unlock()
	if ok {
		return html
	}
	html = render(src)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.used+len(html)+64 > c.budget {
		c.m, c.used = map[[32]byte]string{}, 0
	}
	if _, ok := c.m[key]; !ok {
		c.m[key] = html
		c.used += len(html) + 64
	}
	return html
}
