package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"guichet/internal/loadtest"
)

func (e *env) benchCmd() *cobra.Command {
	var (
		target, token, email, password, metricsURL string
		allowRemote, asJSON                        bool
		paths                                      []string
		pid                                        int
		timeout                                    time.Duration
		o                                          loadtest.Options
	)
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure a running Guichet server under load",
		Long: "Send requests to a running Guichet server from concurrent clients for a while, then report\n" +
			"per operation the count, the errors, the throughput and the latency percentiles.\n" +
			"Only a server on this machine is loaded unless --allow-remote is given. Requests carry an\n" +
			"API token (--token, or GUICHET_TOKEN), or the session of a user signed in with --email and\n" +
			"--password (or GUICHET_PASSWORD). The exit status is 1 when an operation failed.",
		Example: "  guichet bench --token \"$TOKEN\" --concurrency 16 --duration 20s --pid \"$(pidof guichet)\"",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			base, err := loadtest.ParseTarget(target, allowRemote)
			if err != nil {
				return fmt.Errorf("--url: %w; give --allow-remote to load another machine", err)
			}
			switch {
			case o.Concurrency < 1:
				return errors.New("--concurrency: must be at least 1")
			case o.Duration < 0 || o.Operations < 0:
				return errors.New("--duration, --requests: cannot be negative")
			case o.Duration == 0 && o.Operations == 0:
				return errors.New("--duration or --requests: give one, or the load would never end")
			case token != "" && email != "":
				return errors.New("--token, --email: give one or the other")
			case pid != 0 && metricsURL != "":
				return errors.New("--pid, --metrics-url: give one or the other")
			}
			var ops []loadtest.Operation
			for _, p := range paths {
				if !strings.HasPrefix(p, "/") {
					return fmt.Errorf("--path: %q must start with /", p)
				}
				ops = append(ops, loadtest.Get(p))
			}
			if len(ops) == 0 {
				return errors.New("--path: give at least one")
			}

			c := loadtest.NewClient(base, o.Concurrency, timeout)
			defer c.Close()
			auth := "anonymous"
			switch {
			case token != "":
				c.SetToken(token)
				auth = "API token"
			case email != "":
				if err := c.Login(e.ctx, email, password); err != nil {
					return err
				}
				auth = "session of " + email
			}
			var probe *loadtest.MemoryProbe
			switch {
			case pid != 0:
				p := loadtest.ProcRSS(pid)
				probe = &p
			case metricsURL != "":
				u, err := loadtest.ParseTarget(metricsURL, allowRemote)
				if err != nil {
					return fmt.Errorf("--metrics-url: %w", err)
				}
				p := loadtest.MetricsRSS(c, u.String())
				probe = &p
			}
			var mem *loadtest.Memory
			if probe != nil {
				before, err := probe.Read(e.ctx)
				if err != nil {
					return fmt.Errorf("server memory: %w", err)
				}
				mem = &loadtest.Memory{Source: probe.Source, Before: before}
			}

			rep, runErr := loadtest.Run(e.ctx, c, ops, o)
			if rep == nil {
				return runErr
			}
			rep.Target, rep.Auth, rep.Memory = base.String(), auth, mem
			if mem != nil && runErr == nil {
				if mem.After, err = probe.Read(e.ctx); err != nil {
					return fmt.Errorf("server memory: %w", err)
				}
			}
			if asJSON {
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				err = enc.Encode(rep)
			} else {
				err = rep.WriteTable(e.stdout)
			}
			switch {
			case err != nil:
				return err
			case runErr != nil:
				return fmt.Errorf("interrupted after %.1f s: %w", time.Duration(rep.Elapsed).Seconds(), runErr)
			case rep.Total.Errors > 0:
				return fmt.Errorf("%d of %d operations failed", rep.Total.Errors, rep.Total.Count)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&target, "url", "http://127.0.0.1:8080", "the server's base URL (GUICHET_URL)")
	f.BoolVar(&allowRemote, "allow-remote", false, "allow a server that is not on this machine")
	f.StringVar(&token, "token", "", "API token the requests carry (GUICHET_TOKEN)")
	f.StringVar(&email, "email", "", "sign in as this user through the login form and use the session")
	f.StringVar(&password, "password", "", "the password for --email (GUICHET_PASSWORD)")
	f.IntVarP(&o.Concurrency, "concurrency", "c", 16, "clients sending requests at once, each waiting for its answer")
	f.DurationVarP(&o.Duration, "duration", "d", 0, "how long to send requests, e.g. 20s")
	f.IntVarP(&o.Operations, "requests", "n", 0, "how many requests to send in all")
	f.StringArrayVar(&paths, "path", []string{"/api/v1/spaces"}, "path to GET; repeat for an even mix of several")
	f.DurationVar(&timeout, "timeout", 10*time.Second, "time limit of one request")
	f.BoolVar(&asJSON, "json", false, "write the report as JSON (latencies in ms, memory in bytes)")
	f.IntVar(&pid, "pid", 0, "report the resident memory of this server process, from /proc/PID/status")
	f.StringVar(&metricsURL, "metrics-url", "", "report the resident memory the server's /metrics page gives")
	return cmd
}
