package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func (e *env) verifyCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "verify",
		Short: "Check that no ticket's history was rewritten",
		Long: "Walk every ticket's event chain — numbering, links and hashes — and report the first\n" +
			"broken link. Exits with an error when one is found.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			store, svc, err := e.open()
			if err != nil {
				return err
			}
			defer store.Close()
			broken, checked, err := svc.Verify(e.ctx)
			if err != nil {
				return err
			}
			if broken != nil {
				return fmt.Errorf("ticket %d, event %d: %s (%d events checked before it)",
					broken.TicketID, broken.Seq, broken.Reason, checked)
			}
			fmt.Fprintf(e.stdout, "%d events checked: every ticket's history holds\n", checked)
			return nil
		},
	}
}
