// Command guichet runs the Guichet support desk: the web interface, the JSON API
// and the background work, in one binary, on SQLite or PostgreSQL.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "guichet:", err)
		os.Exit(1)
	}
}

// run is the whole program, with its surroundings as parameters so that tests run
// it in-process.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	root := newRoot(ctx, getenv, stdin, stdout, stderr)
	root.SetArgs(args)
	return root.ExecuteContext(ctx)
}
