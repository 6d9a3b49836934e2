package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
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

// Send sends a request with a JSON body (none when body is nil) and decodes the
// JSON answer into out (unless out is nil). Any status but want is an error that
// names the request and the answer.
func (c *Client) Send(ctx context.Context, method, path string, body any, want int, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.URL(path), rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	defer drain(res)
	if res.StatusCode != want {
		var problem struct {
			Detail string `json:"detail"`
		}
		_ = json.NewDecoder(io.LimitReader(res.Body, 4096)).Decode(&problem)
		return fmt.Errorf("%s %s: %s %s", method, trimQuery(path), res.Status, problem.Detail)
	}
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		return fmt.Errorf("%s %s: %w", method, trimQuery(path), err)
	}
	return nil
}

// trimQuery leaves the query string and the numbers out of a path, so that error
// messages of one kind read alike: /api/v1/tickets/{id}.
func trimQuery(path string) string {
	path, _, _ = strings.Cut(path, "?")
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if p != "" && strings.Trim(p, "0123456789") == "" {
			parts[i] = "{id}"
		}
	}
	return strings.Join(parts, "/")
}

// as returns a client that shares c's connections but carries token and no cookie.
func (c *Client) as(token string) *Client {
	hc := *c.http
	hc.Jar = nil
	return &Client{base: c.base, http: &hc, token: token}
}

// withJar returns a client that shares c's connections but keeps cookies of its
// own, to sign in as one user.
func (c *Client) withJar() *Client {
	jar, _ := cookiejar.New(nil) // never fails without options
	hc := *c.http
	hc.Jar = jar
	return &Client{base: c.base, http: &hc}
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
