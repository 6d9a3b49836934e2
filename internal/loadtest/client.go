package loadtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// Client sends requests to one Guichet server on behalf of every worker. It keeps
// connections alive, one or more per worker, so that the run measures the server
// and not connection set-up. It never follows redirects, and never goes through a
// proxy.
type Client struct {
	base  *url.URL
	http  *http.Client
	token string
}

// NewClient returns a client for the server at base, sized for concurrency
// workers; every request times out after timeout.
func NewClient(base *url.URL, concurrency int, timeout time.Duration) *Client {
	jar, _ := cookiejar.New(nil) // never fails without options
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        2 * concurrency,
		MaxIdleConnsPerHost: 2 * concurrency,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 5 * time.Second,
	}
	return &Client{base: base, http: &http.Client{
		Transport:     tr,
		Jar:           jar,
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Close closes the connections the client keeps open. (A server shutting down
// waits up to 5 s for a connection that has sent no request yet.)
func (c *Client) Close() { c.http.CloseIdleConnections() }

// SetToken makes every request carry an API bearer token.
func (c *Client) SetToken(secret string) { c.token = secret }

// Login signs in through the web form, as a browser does; the session cookie then
// goes with every request.
func (c *Client) Login(ctx context.Context, email, password string) error {
	form := url.Values{"email": {email}, "password": {password}}
	req, err := http.NewRequestWithContext(ctx, "POST", c.URL("/login"), strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("sign in: %w", err)
	}
	drain(res)
	if res.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("sign in as %s: the server answered %s", email, res.Status)
	}
	if len(c.http.Jar.Cookies(c.base)) == 0 {
		return fmt.Errorf("sign in as %s: the server set no session cookie", email)
	}
	return nil
}

// URL returns the absolute URL of path on the server.
func (c *Client) URL(path string) string {
	return strings.TrimRight(c.base.String(), "/") + path
}

// Do sends req with the client's credentials and returns the answer, whose body
// the caller must close.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	return c.http.Do(req)
}

// Get reads path, discards the body, and fails unless the answer is 2xx.
func (c *Client) Get(ctx context.Context, path string) error {
	req, err := http.NewRequestWithContext(ctx, "GET", c.URL(path), nil)
	if err != nil {
		return err
	}
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	drain(res)
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("GET %s: %s", path, res.Status)
	}
	return nil
}

// drain reads the rest of the body and closes it, so the connection is reused.
func drain(res *http.Response) {
	_, _ = io.Copy(io.Discard, res.Body)
	_ = res.Body.Close()
}

// ParseTarget parses a server URL and, unless remote is allowed, refuses one whose
// host is not this machine: "localhost" or a loopback address. Names other than
// localhost are refused without being resolved, so that no DNS answer can send a
// load to someone else's server.
func ParseTarget(raw string, allowRemote bool) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%q is not an http:// or https:// URL", raw)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("%q names no host", raw)
	}
	if allowRemote || IsLoopback(u.Hostname()) {
		return u, nil
	}
	return nil, fmt.Errorf("%s is not this machine (localhost or a loopback address): a load test is for your own server", u.Hostname())
}

// IsLoopback tells whether host is "localhost" or a loopback IP address.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

var errNoRSS = errors.New("no resident memory figure found")
