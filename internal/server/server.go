// Package server assembles Guichet's HTTP surface: the routes, the middleware
// (observation, sessions, CSRF, authentication, limits) and the http.Server with
// its graceful shutdown.
package server

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"

	"guichet/internal/api"
	"guichet/internal/app"
	"guichet/internal/desk"
	"guichet/internal/web"
)

// Config is what the server needs to know about its surroundings.
type Config struct {
	// BaseURL is where users reach Guichet; an https URL makes cookies Secure.
	BaseURL string
	Version string
	// ShutdownTimeout bounds how long in-flight requests may take to finish.
	ShutdownTimeout time.Duration
	// MaxUpload is the largest attachment accepted, in bytes (default 25 MiB).
	MaxUpload int
	// TempDir receives uploads while they are checked (default: the system's).
	TempDir string
	// MaxActive is how many requests are handled at once; the others wait their
	// turn in arrival order (see admission). 0 admits every request at once.
	MaxActive int
}

// Deps are the parts the server is built from.
type Deps struct {
	Service  *app.Service
	Sessions scs.Store
	DB       *sql.DB // for pool metrics; may be nil
	Logger   *slog.Logger
}

// Server is Guichet's HTTP server.
type Server struct {
	cfg      Config
	svc      *app.Service
	log      *slog.Logger
	sessions *scs.SessionManager
	metrics  *metrics
	api      *api.Handler
	web      *web.Pages
	mux      *http.ServeMux
	handler  http.Handler
}

// New builds the server and its routes.
func New(cfg Config, d Deps) *Server {
	if cfg.ShutdownTimeout == 0 {
		cfg.ShutdownTimeout = 15 * time.Second
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	sm := scs.New()
	sm.Store = d.Sessions
	sm.Lifetime = 7 * 24 * time.Hour
	sm.IdleTimeout = 24 * time.Hour
	sm.Cookie.Name = "guichet_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = strings.HasPrefix(cfg.BaseURL, "https://")
	sm.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) { api.WriteError(w, r, err) }

	gate := newAdmission(cfg.MaxActive)
	s := &Server{cfg: cfg, svc: d.Service, log: d.Logger, sessions: sm, metrics: newMetrics(d.DB, gate),
		api: api.New(d.Service, api.Options{MaxUpload: cfg.MaxUpload, TempDir: cfg.TempDir}), mux: http.NewServeMux()}
	s.web = web.New(d.Service, sm, sessionUserKey)
	s.web.MaxUpload = cfg.MaxUpload
	for _, rt := range s.Routes() {
		pattern := rt.Path
		if rt.Method != "" {
			pattern = rt.Method + " " + rt.Path
		}
		s.mux.Handle(pattern, rt.Handler)
	}
	csrf := http.NewCrossOriginProtection()
	if cfg.BaseURL != "" {
		_ = csrf.AddTrustedOrigin(strings.TrimRight(cfg.BaseURL, "/"))
	}
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		api.WriteError(w, r, desk.Errorf(desk.Forbidden, "cross-origin request refused"))
	}))
	s.handler = s.observe(secureHeaders(gate.wrap(csrf.Handler(sm.LoadAndSave(s.authenticate(recordRoute(s.mux)))))))
	return s
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Serve answers on ln until ctx is done, then lets in-flight requests finish.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down: finishing in-flight requests", "timeout", s.cfg.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
