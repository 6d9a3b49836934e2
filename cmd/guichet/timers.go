package main

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"guichet/internal/app"
)

func (e *env) timersCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "timers",
		Short: "Run the time rules: objective warnings and breaches, automatic closing",
		Args:  cobra.NoArgs,
	}
	var nowFlag string
	var dry bool
	run := &cobra.Command{
		Use:   "run",
		Short: "Fire every timer due now (or at --now), once",
		Long: "Fire every timer due: warnings and breaches of response-time objectives, awaiting_client\n" +
			"tickets left without an answer, to_close tickets to close. Each timer fires once, also when\n" +
			"serve instances sweep at the same time. --now sweeps as if it were that instant; an instant\n" +
			"before the last sweep is refused, unless --dry-run, which lists what would happen and\n" +
			"changes nothing.",
		Example: "  guichet timers run\n  guichet timers run --now 2026-12-01T09:00:00+01:00 --dry-run",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			now := time.Now()
			if nowFlag != "" {
				t, err := time.Parse(time.RFC3339, nowFlag)
				if err != nil {
					return fmt.Errorf("--now: %q is not an RFC 3339 instant such as 2026-12-01T09:00:00+01:00", nowFlag)
				}
				now = t
			}
			store, svc, err := e.open()
			if err != nil {
				return err
			}
			defer store.Close()
			rep, err := svc.SweepTimers(e.ctx, now, app.SweepOptions{DryRun: dry})
			if err != nil {
				return cliError(err)
			}
			w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			for _, f := range rep.Fired {
				what := string(f.Kind)
				if f.Objective != "" {
					what += " " + string(f.Objective)
				}
				fmt.Fprintf(w, "ticket %d\t%s\tdue %s\n", f.TicketID, what, f.DueAt.Format(time.RFC3339))
			}
			if err := w.Flush(); err != nil {
				return err
			}
			verb := "fired"
			if dry {
				verb = "would fire"
			}
			fmt.Fprintf(e.stdout, "Sweep at %s: %d due tickets, %d timers %s, %d notifications.\n",
				rep.Now.Format(time.RFC3339), rep.Tickets, len(rep.Fired), verb, rep.Notifications)
			return nil
		},
	}
	run.Flags().StringVar(&nowFlag, "now", "", "sweep as if it were this RFC 3339 instant (default: now)")
	run.Flags().BoolVar(&dry, "dry-run", false, "list what would happen and change nothing")
	cmd.AddCommand(run)
	return cmd
}
