package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"guichet/internal/app"
	"guichet/internal/demo"
	"guichet/internal/desk"
	"guichet/internal/jobs"
	"guichet/internal/server"
	"guichet/internal/sqlstore"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// config holds the settings shared by the commands; each has a flag and a
// GUICHET_* environment variable, the flag winning.
type config struct {
	db      string
	addr    string
	dataDir string
	// attachments says where new attachment content goes: "database" or
	// "files" (under dataDir/attachments).
	attachments string
	baseURL     string
	logLevel    string
	logFormat   string
}

type env struct {
	ctx    context.Context
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	cfg    config
}

func newRoot(ctx context.Context, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	e := &env{ctx: ctx, getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:           "guichet",
		Short:         "Guichet, the support desk that knows your contracts",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return e.applyEnv(cmd.Flags())
		},
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	pf := root.PersistentFlags()
	pf.StringVar(&e.cfg.db, "db", "guichet.db", "database: an SQLite file path, or a postgres:// URL (GUICHET_DB)")
	pf.StringVar(&e.cfg.dataDir, "data-dir", "data", "directory for files kept outside the database (GUICHET_DATA_DIR)")
	pf.StringVar(&e.cfg.attachments, "attachments", "database",
		"where new attachment content is kept: database (shared by every instance) or files, under --data-dir (GUICHET_ATTACHMENTS)")
	pf.StringVar(&e.cfg.logLevel, "log-level", "info", "log level: debug, info, warn, error (GUICHET_LOG_LEVEL)")
	pf.StringVar(&e.cfg.logFormat, "log-format", "text", "log format: text or json (GUICHET_LOG_FORMAT)")
	root.AddCommand(e.serveCmd(), e.migrateCmd(), e.demoCmd(), e.orgCmd(), e.userCmd(), e.tokenCmd(), e.verifyCmd(), e.importCmd(), e.exportCmd(), e.benchCmd(), e.timersCmd(), e.jobsCmd(), e.versionCmd())
	return root
}

// applyEnv fills every flag not given on the command line from its GUICHET_*
// variable: --base-url from GUICHET_BASE_URL, and so on.
func (e *env) applyEnv(flags *pflag.FlagSet) error {
	var err error
	flags.VisitAll(func(f *pflag.Flag) {
		if f.Changed || err != nil || f.Name == "help" {
			return
		}
		name := "GUICHET_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v := e.getenv(name); v != "" {
			if serr := f.Value.Set(v); serr != nil {
				err = fmt.Errorf("%s: %w", name, serr)
			}
		}
	})
	return err
}

func (e *env) logger() (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(e.cfg.logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level: %q is not one of debug, info, warn, error", e.cfg.logLevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch e.cfg.logFormat {
	case "text":
		return slog.New(slog.NewTextHandler(e.stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(e.stderr, opts)), nil
	}
	return nil, fmt.Errorf("--log-format: %q is not one of text, json", e.cfg.logFormat)
}

// open opens the database and brings its schema up to date.
func (e *env) open() (*sqlstore.Store, *app.Service, error) {
	log, err := e.logger()
	if err != nil {
		return nil, nil, err
	}
	if e.cfg.attachments != "database" && e.cfg.attachments != "files" {
		return nil, nil, fmt.Errorf("--attachments: %q is not one of database, files", e.cfg.attachments)
	}
	store, err := sqlstore.Open(e.ctx, e.cfg.db)
	if err != nil {
		return nil, nil, err
	}
	store.SetLogger(log)
	if _, err := store.Migrate(e.ctx); err != nil {
		store.Close()
		return nil, nil, err
	}
	if _, err := jobs.Migrate(e.ctx, store); err != nil { // River's tables, after ours
		store.Close()
		return nil, nil, err
	}
	// Content kept in files earlier stays readable whichever mode is chosen now.
	dir := filepath.Join(e.cfg.dataDir, "attachments")
	if err := store.SetAttachmentDir(dir, e.cfg.attachments == "files"); err != nil {
		store.Close()
		return nil, nil, err
	}
	return store, app.New(store, app.Options{Logger: log}), nil
}

func (e *env) serveCmd() *cobra.Command {
	var withDemo bool
	var gen demoTickets
	var maxUploadMB, maxActive int
	var sweepInterval time.Duration
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the web interface and the API",
		Long: "Run the web interface and the JSON API. The database schema is brought up to date first;\n" +
			"a database newer than this binary is refused. SIGTERM or Ctrl-C stops the server after\n" +
			"in-flight requests finish.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, err := e.logger()
			if err != nil {
				return err
			}
			if err := os.MkdirAll(e.cfg.dataDir, 0o750); err != nil {
				return fmt.Errorf("--data-dir: %w", err)
			}
			store, svc, err := e.open()
			if err != nil {
				return err
			}
			defer store.Close()
			if withDemo {
				seeded, err := demo.Seeded(e.ctx, store)
				if err != nil {
					return err
				}
				if !seeded {
					logins, err := demo.Seed(e.ctx, svc)
					if err != nil {
						return err
					}
					e.printLogins(logins)
					if err := e.generateTickets(store, svc, gen); err != nil {
						return err
					}
				} else if gen.tickets > 0 {
					fmt.Fprintln(e.stderr, "the database already holds an installation: no tickets generated")
				}
			}
			ln, err := net.Listen("tcp", e.cfg.addr)
			if err != nil {
				return fmt.Errorf("--addr: %w", err)
			}
			base := e.cfg.baseURL
			if base == "" {
				base = "http://" + ln.Addr().String()
			}
			if maxUploadMB < 1 || maxUploadMB > 4096 {
				return fmt.Errorf("--max-upload-mb: must be 1 to 4096")
			}
			if maxActive < 0 {
				return fmt.Errorf("--max-active: must be 0 (no limit) or more")
			}
			srv := server.New(server.Config{BaseURL: base, Version: version, MaxUpload: maxUploadMB << 20, TempDir: os.TempDir(), MaxActive: maxActive},
				server.Deps{Service: svc, Sessions: store.Sessions(), DB: store.DB(), Logger: log})
			fmt.Fprintf(e.stdout, "Guichet %s listening on %s (database: %s)\n", version, base, store.Dialect())
			if withDemo {
				e.printDemoHint(base)
			}
			// Deliveries: River's workers; each notification is delivered once.
			// The queue hooks into the store before anything sweeps.
			stopQueue, err := startQueue(e.ctx, store, svc, log)
			if err != nil {
				return err
			}
			defer stopQueue()
			// Timers: every instance sweeps; each due timer still fires once.
			go (&jobs.Sweeper{Service: svc, Interval: sweepInterval, Logger: log}).Run(e.ctx)
			return srv.Serve(e.ctx, ln)
		},
	}
	cmd.Flags().StringVar(&e.cfg.addr, "addr", "127.0.0.1:8080", "address to listen on (GUICHET_ADDR)")
	cmd.Flags().StringVar(&e.cfg.baseURL, "base-url", "", "URL users reach Guichet at; https makes cookies Secure (GUICHET_BASE_URL)")
	cmd.Flags().IntVar(&maxUploadMB, "max-upload-mb", 25, "largest attachment accepted, in MiB (GUICHET_MAX_UPLOAD_MB)")
	cmd.Flags().IntVar(&maxActive, "max-active", 4*runtime.NumCPU(), "requests handled at once, the others waiting their turn in arrival order; 0: no limit (GUICHET_MAX_ACTIVE)")
	cmd.Flags().BoolVar(&withDemo, "demo", false, "fill an empty database with demo data and print the demo logins")
	cmd.Flags().DurationVar(&sweepInterval, "sweep-interval", jobs.DefaultSweepInterval, "how often to fire due timers; 0 turns the sweep off (GUICHET_SWEEP_INTERVAL)")
	gen.flags(cmd, "with --demo: ")
	return cmd
}

func (e *env) printDemoHint(base string) {
	fmt.Fprintf(e.stdout, "Open %s/login — every demo account's password is %q.\n", base, demo.Password)
}

func (e *env) printLogins(logins []demo.Login) {
	w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "Demo logins (password "+strconv.Quote(demo.Password)+"):")
	for _, l := range logins {
		fmt.Fprintf(w, "  %s\t%s\n", l.Email, l.Who)
	}
	w.Flush()
}

func (e *env) migrateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Bring the database schema up to date",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			store, err := sqlstore.Open(e.ctx, e.cfg.db)
			if err != nil {
				return err
			}
			defer store.Close()
			n, err := store.Migrate(e.ctx)
			if err != nil {
				return err
			}
			if _, err := jobs.Migrate(e.ctx, store); err != nil {
				return err
			}
			cur, _, err := store.SchemaStatus(e.ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "applied %d migration(s); schema version %d\n", n, cur)
			return nil
		},
	}
}

func (e *env) demoCmd() *cobra.Command {
	var gen demoTickets
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Fill an empty database with demo data",
		Long: "Fill an empty database with the demo installation: a provider, clients, a partner and one\n" +
			"user of every role. With --tickets, also generate that many tickets with their comments,\n" +
			"attachments and history, the same ones for the same --seed.",
		Example: "  guichet demo --db demo.db --tickets 100000 --seed 7",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			store, svc, err := e.open()
			if err != nil {
				return err
			}
			defer store.Close()
			logins, err := demo.Seed(e.ctx, svc)
			if err != nil {
				return err
			}
			e.printLogins(logins)
			return e.generateTickets(store, svc, gen)
		},
	}
	gen.flags(cmd, "")
	return cmd
}

// demoTickets are the flags of generated demo tickets.
type demoTickets struct {
	tickets int
	seed    uint64
}

func (d *demoTickets) flags(cmd *cobra.Command, prefix string) {
	cmd.Flags().IntVar(&d.tickets, "tickets", 0, prefix+"generate this many tickets (with about 5 comments each)")
	cmd.Flags().Uint64Var(&d.seed, "seed", 1, prefix+"seed of the generated tickets: the same seed gives the same data")
}

// generateTickets writes d.tickets generated tickets in bulk, with a progress
// report on standard error.
func (e *env) generateTickets(store *sqlstore.Store, svc *app.Service, d demoTickets) error {
	if d.tickets < 0 {
		return fmt.Errorf("--tickets: cannot be negative")
	}
	if d.tickets == 0 {
		return nil
	}
	bulk, err := store.Bulk(e.ctx)
	if err != nil {
		return err
	}
	defer bulk.Close()
	sum, err := demo.Tickets(e.ctx, svc, bulk, demo.Options{Tickets: d.tickets, Seed: d.seed,
		Progress: e.stderr, Terminal: isTerminal(e.stderr)})
	if err != nil {
		return cliError(err)
	}
	if _, err := store.ScheduleUntimed(e.ctx); err != nil { // the sweep computes their timers
		return err
	}
	fmt.Fprintf(e.stdout, "Generated %d tickets, %d comments, %d attachments and %d events in %s (seed %d).\n",
		sum.Tickets, sum.Comments, sum.Attachments, sum.Events, sum.Elapsed.Round(100*time.Millisecond), d.seed)
	return nil
}

// isTerminal tells whether w is a terminal, where a progress bar may redraw its line.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func (e *env) orgCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "org", Short: "Manage organisations"}
	var kind, name, trainedOn string
	add := &cobra.Command{
		Use:   "add",
		Short: "Add the provider, a client or a partner",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			store, svc, err := e.open()
			if err != nil {
				return err
			}
			defer store.Close()
			in := app.NewOrganisation{Kind: desk.OrgKind(kind), Name: name}
			if trainedOn != "" {
				t, err := time.Parse(time.DateOnly, trainedOn)
				if err != nil {
					return fmt.Errorf("--trained-on: must be a date written YYYY-MM-DD")
				}
				in.Trained, in.TrainedOn = true, &t
			}
			o, err := svc.CreateOrganisation(e.ctx, desk.System(), in)
			if err != nil {
				return cliError(err)
			}
			fmt.Fprintf(e.stdout, "organisation %d: %s (%s)\n", o.ID, o.Name, o.Kind)
			return nil
		},
	}
	add.Flags().StringVar(&kind, "kind", "client", "provider, client or partner")
	add.Flags().StringVar(&name, "name", "", "the organisation's name")
	add.Flags().StringVar(&trainedOn, "trained-on", "", "for a partner: the date its training ended (YYYY-MM-DD)")
	cmd.AddCommand(add)
	return cmd
}

func (e *env) userCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Manage users"}
	var in app.NewUser
	var org string
	var roles []string
	add := &cobra.Command{
		Use:   "add",
		Short: "Add a user to an organisation",
		Long: "Add a user. The password is read from GUICHET_PASSWORD, or else from the first line\n" +
			"of standard input, so that it never shows in the process list.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			store, svc, err := e.open()
			if err != nil {
				return err
			}
			defer store.Close()
			if in.OrgID, err = e.findOrg(store, org); err != nil {
				return err
			}
			for _, r := range roles {
				in.Roles = append(in.Roles, desk.Role(r))
			}
			if in.Password = e.getenv("GUICHET_PASSWORD"); in.Password == "" {
				line, err := bufio.NewReader(e.stdin).ReadString('\n')
				if err != nil && !errors.Is(err, io.EOF) {
					return err
				}
				in.Password = strings.TrimRight(line, "\r\n")
			}
			u, err := svc.CreateUser(e.ctx, desk.System(), in)
			if err != nil {
				return cliError(err)
			}
			fmt.Fprintf(e.stdout, "user %d: %s <%s>\n", u.ID, u.Name, u.Email)
			return nil
		},
	}
	f := add.Flags()
	f.StringVar(&in.Email, "email", "", "email address (the login)")
	f.StringVar(&in.Name, "name", "", "full name")
	f.StringVar(&in.Locale, "locale", "fr", "interface language: fr or en")
	f.StringVar(&org, "org", "", "organisation, by id or exact name")
	f.StringSliceVar(&roles, "role", nil, "role, repeatable: admin, agent, engineer, product_manager, account_manager, contact, animator, contract_manager, security_officer, dpo")
	cmd.AddCommand(add)
	return cmd
}

// findOrg resolves an organisation given by id or exact name.
func (e *env) findOrg(store *sqlstore.Store, ref string) (int64, error) {
	if ref == "" {
		return 0, fmt.Errorf("--org: is required")
	}
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return id, nil
	}
	p := desk.Page{Limit: desk.MaxPageSize}
	for {
		orgs, err := store.ListOrganisations(e.ctx, desk.OrgScope{All: true}, p)
		if err != nil {
			return 0, err
		}
		for _, o := range orgs {
			if strings.EqualFold(o.Name, ref) {
				return o.ID, nil
			}
		}
		if len(orgs) < p.Limit {
			return 0, fmt.Errorf("--org: no organisation named %q", ref)
		}
		p.After = orgs[len(orgs)-1].ID
	}
}

func (e *env) tokenCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "Manage API tokens"}
	var email, name string
	var days int
	create := &cobra.Command{
		Use:   "create",
		Short: "Create an API token for a user and print its secret (shown once)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			store, svc, err := e.open()
			if err != nil {
				return err
			}
			defer store.Close()
			u, _, err := store.UserByEmail(e.ctx, desk.NormaliseEmail(email))
			if err != nil {
				return fmt.Errorf("--user: no user with address %q", email)
			}
			secret, t, err := svc.NewToken(e.ctx, desk.System(), u.ID, name, time.Duration(days)*24*time.Hour)
			if err != nil {
				return cliError(err)
			}
			fmt.Fprintf(e.stderr, "token %d for %s, expires %s; keep the secret, it is not shown again:\n",
				t.ID, u.Email, t.ExpiresAt.Format(time.DateOnly))
			fmt.Fprintln(e.stdout, secret)
			return nil
		},
	}
	create.Flags().StringVar(&email, "user", "", "the user's email address")
	create.Flags().StringVar(&name, "name", "cli", "a name to recognise the token by")
	create.Flags().IntVar(&days, "expires-in-days", 90, "lifetime in days (1 to 366)")
	cmd.AddCommand(create)
	return cmd
}

func (e *env) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(e.stdout, "guichet", version)
			return nil
		},
	}
}

// flagOf names the command-line setting behind an input field.
var flagOf = map[string]string{
	"user_id":  "--user",
	"roles":    "--role",
	"password": "GUICHET_PASSWORD (or standard input)",
	"trained":  "--trained-on",
	"org_id":   "--org",
}

// cliError turns a domain error into a message naming the flag.
func cliError(err error) error {
	if e, ok := desk.AsError(err); ok && e.Field != "" {
		name, ok := flagOf[e.Field]
		if !ok {
			name = "--" + strings.ReplaceAll(e.Field, "_", "-")
		}
		return fmt.Errorf("%s: %s", name, e.Message)
	}
	return err
}
