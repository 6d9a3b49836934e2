package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"guichet/internal/transfer"
)

func (e *env) importCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "import FILE.jsonl",
		Short: "Import organisations, users, spaces, tickets, comments and events from a JSON Lines file",
		Long: "Import a file in Guichet's import format (docs/IMPORT.md): one JSON object per line,\n" +
			"records referring to each other by name, email, space key and ticket reference, with their\n" +
			"original timestamps. Every line is checked first; if any is wrong, nothing is imported and\n" +
			"the errors are listed with their line numbers. Otherwise everything is written in one\n" +
			"transaction, and the number of records of each type is printed.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			store, _, err := e.open()
			if err != nil {
				return err
			}
			defer store.Close()
			counts, err := transfer.Import(e.ctx, store, f)
			if err != nil {
				return fmt.Errorf("import %s: %w", args[0], err)
			}
			fmt.Fprintf(e.stdout, "imported %s:\n%s", args[0], counts)
			return nil
		},
	}
}

func (e *env) exportCmd() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "export [FILE]",
		Short: "Export the whole base in the import format (standard output when no file is given)",
		Long: "Write every organisation, user, space, project, membership, ticket, comment and event in\n" +
			"the import format (docs/IMPORT.md), from one consistent snapshot of the database, to FILE\n" +
			"(or --output FILE) or to standard output. `guichet import` of the file into an empty base\n" +
			"reproduces the data. The file holds the users' password hashes and every private comment:\n" +
			"keep it as safe as a database backup. A file is written with mode 0600.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				if output != "" && output != args[0] {
					return errors.New("give the file either as an argument or with --output, not both")
				}
				output = args[0]
			}
			store, _, err := e.open()
			if err != nil {
				return err
			}
			defer store.Close()
			if output == "" || output == "-" {
				counts, err := transfer.Export(e.ctx, store, e.stdout)
				if err != nil {
					return fmt.Errorf("export: %w", err)
				}
				fmt.Fprintf(e.stderr, "exported:\n%s", counts)
				return nil
			}
			// Write beside the target and rename at the end, so that a failed
			// export never leaves a partial file under the name asked for.
			tmp, err := os.CreateTemp(filepath.Dir(output), ".guichet-export-*")
			if err != nil {
				return fmt.Errorf("--output: %w", err)
			}
			defer os.Remove(tmp.Name()) // after a successful rename, there is nothing left to remove
			counts, err := transfer.Export(e.ctx, store, tmp)
			if cerr := tmp.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return fmt.Errorf("export: %w", err)
			}
			if err := os.Rename(tmp.Name(), output); err != nil {
				return fmt.Errorf("--output: %w", err)
			}
			fmt.Fprintf(e.stdout, "exported to %s:\n%s", output, counts)
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "file to write (default: standard output)")
	return cmd
}
