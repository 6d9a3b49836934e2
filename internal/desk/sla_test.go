package desk_test

import (
	"testing"
	"time"

	"guichet/internal/bizcal"
	"guichet/internal/desk"
)

var paris = mustLoc("Europe/Paris")

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// p is a wall-clock instant in Paris: p("2026-11-23 10:00").
func p(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, paris)
	if err != nil {
		panic(err)
	}
	return t
}

const (
	agent  = 10 // provider staff
	client = 20 // the author
)

func isStaff(id int64) bool { return id == agent || id == 11 }

// log builds a ticket's events from short steps.
type logBuilder struct{ events []desk.Event }

func (l *logBuilder) add(at string, actor int64, kind desk.EventKind, data any, private bool) *logBuilder {
	l.events = append(l.events, desk.Event{Seq: int64(len(l.events) + 1), ActorID: actor, At: p(at), Kind: kind,
		Data: desk.EventData(data), Private: private})
	return l
}
func (l *logBuilder) created(at string) *logBuilder {
	return l.add(at, client, desk.EvCreated, map[string]any{"status": "open"}, false)
}
func (l *logBuilder) to(at string, actor int64, status desk.Status) *logBuilder {
	return l.add(at, actor, desk.EvTransition, map[string]any{"to": status}, false)
}
func (l *logBuilder) comment(at string, actor int64, private bool) *logBuilder {
	return l.add(at, actor, desk.EvCommented, map[string]any{"private": private}, private)
}

func contract(tier desk.Tier) *desk.Contract {
	c := &desk.Contract{ClientID: 1, Reference: "C-1", Tier: tier}
	if err := c.Check(); err != nil {
		panic(err)
	}
	return c
}

func TestComputeSLO(t *testing.T) {
	cal := bizcal.Default()
	type want struct {
		clock    desk.ClockState
		elapsed  time.Duration
		due      string // Paris wall clock, "" for none
		met      bool
		breached bool
	}
	cases := []struct {
		name    string
		crit    desk.Criticality
		channel desk.Channel
		log     *logBuilder
		now     string
		kind    desk.ObjectiveKind
		want    want
	}{
		{"blocking, running within the hour", desk.Blocking, desk.Web,
			new(logBuilder).created("2026-11-23 10:00"), "2026-11-23 10:30", desk.FirstResponse,
			want{desk.ClockRunning, 30 * time.Minute, "2026-11-23 11:00", false, false}},
		{"serious from Friday 17:30 is due Monday 10:30", desk.Serious, desk.Web,
			new(logBuilder).created("2026-11-27 17:30"), "2026-11-28 12:00", desk.FirstResponse,
			want{desk.ClockRunning, 30 * time.Minute, "2026-11-30 10:30", false, false}},
		{"Christmas and the weekend are closed", desk.Serious, desk.Web,
			new(logBuilder).created("2026-12-24 17:00"), "2026-12-26 12:00", desk.FirstResponse,
			want{desk.ClockRunning, time.Hour, "2026-12-28 10:00", false, false}},
		{"1 May is closed", desk.Serious, desk.Email,
			new(logBuilder).created("2026-04-30 17:00"), "2026-05-01 12:00", desk.FirstResponse,
			want{desk.ClockRunning, time.Hour, "2026-05-04 10:00", false, false}},
		{"across the change to summer time", desk.Serious, desk.Web,
			new(logBuilder).created("2026-03-27 17:00"), "2026-03-28 12:00", desk.FirstResponse,
			want{desk.ClockRunning, time.Hour, "2026-03-30 10:00", false, false}},
		{"a public agent answer stops the clock, met", desk.Blocking, desk.Web,
			new(logBuilder).created("2026-11-23 10:00").comment("2026-11-23 10:40", agent, false),
			"2026-11-23 15:00", desk.FirstResponse,
			want{desk.ClockStopped, 40 * time.Minute, "", true, false}},
		{"a private agent comment, a client comment and an automatic one do not", desk.Blocking, desk.Web,
			new(logBuilder).created("2026-11-23 10:00").comment("2026-11-23 10:10", agent, true).
				comment("2026-11-23 10:20", client, false).comment("2026-11-23 10:25", 0, false),
			"2026-11-23 10:50", desk.FirstResponse,
			want{desk.ClockRunning, 50 * time.Minute, "2026-11-23 11:00", false, false}},
		{"late answer: stopped, breached", desk.Blocking, desk.Web,
			new(logBuilder).created("2026-11-23 10:00").comment("2026-11-23 11:30", agent, false),
			"2026-11-23 15:00", desk.FirstResponse,
			want{desk.ClockStopped, 90 * time.Minute, "2026-11-23 11:00", false, true}},
		{"no answer past the target: running, breached", desk.Blocking, desk.Web,
			new(logBuilder).created("2026-11-23 10:00"), "2026-11-23 11:30", desk.FirstResponse,
			want{desk.ClockRunning, 90 * time.Minute, "2026-11-23 11:00", false, true}},
		{"paused while awaiting the client", desk.Blocking, desk.Web,
			new(logBuilder).created("2026-11-23 10:00").to("2026-11-23 10:20", agent, desk.AwaitingClient),
			"2026-11-24 10:00", desk.FirstResponse,
			want{desk.ClockPaused, 20 * time.Minute, "", false, false}},
		{"resumed when the client answers", desk.Blocking, desk.Web,
			new(logBuilder).created("2026-11-23 10:00").to("2026-11-23 10:20", agent, desk.AwaitingClient).
				to("2026-11-24 10:00", 0, desk.Open),
			"2026-11-24 10:10", desk.FirstResponse,
			want{desk.ClockRunning, 30 * time.Minute, "2026-11-24 10:40", false, false}},
		{"update objective: four hours after the answer", desk.Blocking, desk.Web,
			new(logBuilder).created("2026-11-23 10:00").comment("2026-11-23 10:30", agent, false),
			"2026-11-23 11:00", desk.Update,
			want{desk.ClockRunning, 30 * time.Minute, "2026-11-23 14:30", false, false}},
		{"resolution: two business days, stopped at to_close", desk.Blocking, desk.Web,
			new(logBuilder).created("2026-11-23 10:00").comment("2026-11-23 10:30", agent, false).
				to("2026-11-24 12:00", agent, desk.ToClose),
			"2026-11-30 10:00", desk.Resolution,
			want{desk.ClockStopped, 11 * time.Hour, "", true, false}},
		{"resolution resumes on reopening", desk.Blocking, desk.Web,
			new(logBuilder).created("2026-11-23 10:00").to("2026-11-24 12:00", agent, desk.ToClose).
				to("2026-11-30 09:00", client, desk.Open),
			"2026-11-30 10:00", desk.Resolution,
			want{desk.ClockRunning, 12 * time.Hour, "2026-11-30 16:00", false, false}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tk := &desk.Ticket{Criticality: c.crit, Channel: c.channel, Status: desk.Open, CreatedAt: c.log.events[0].At}
			slo := desk.ComputeSLO(desk.SLOInput{Ticket: tk, Events: c.log.events, Staff: isStaff,
				Contract: contract(desk.TotalCare), Calendar: cal, Now: p(c.now)})
			if !slo.Counted {
				t.Fatal("not counted")
			}
			var o *desk.Objective
			for i := range slo.Objectives {
				if slo.Objectives[i].Kind == c.kind {
					o = &slo.Objectives[i]
				}
			}
			if o == nil {
				t.Fatalf("no %s objective in %+v", c.kind, slo.Objectives)
			}
			got := want{o.Clock, o.Elapsed, "", o.Met, o.Breached}
			if o.DueAt != nil {
				got.due = o.DueAt.In(paris).Format("2006-01-02 15:04")
			}
			if got != c.want {
				t.Errorf("got  %+v\nwant %+v", got, c.want)
			}
		})
	}
}

func TestComputeSLOChannelNotCounted(t *testing.T) {
	tk := &desk.Ticket{Criticality: desk.Blocking, Channel: desk.Phone, Status: desk.Open}
	slo := desk.ComputeSLO(desk.SLOInput{Ticket: tk, Events: new(logBuilder).created("2026-11-23 10:00").events,
		Staff: isStaff, Contract: contract(desk.TotalCare), Calendar: bizcal.Default(), Now: p("2026-11-24 10:00")})
	if slo.Counted || len(slo.Objectives) != 0 {
		t.Fatalf("a phone ticket starts no clock: %+v", slo)
	}
}

func TestPlanTimers(t *testing.T) {
	cal := bizcal.Default()
	ct := contract(desk.TotalCare)
	plan := func(tk *desk.Ticket, l *logBuilder, now string) desk.TimerPlan {
		tk.CreatedAt = l.events[0].At
		return desk.PlanTimers(desk.SLOInput{Ticket: tk, Events: l.events, Staff: isStaff, Contract: ct, Calendar: cal, Now: p(now)})
	}
	kinds := func(p desk.TimerPlan) (out []string) {
		for _, d := range p.Due {
			out = append(out, string(d.Kind)+":"+string(d.Objective))
		}
		return out
	}
	t.Run("warning at 80 %, then next is the breach", func(t *testing.T) {
		tk := &desk.Ticket{Criticality: desk.Blocking, Channel: desk.Web, Status: desk.Open}
		l := new(logBuilder).created("2026-11-23 10:00")
		pl := plan(tk, l, "2026-11-23 10:50")
		if got := kinds(pl); len(got) != 1 || got[0] != "slo_warning:first_response" {
			t.Fatalf("due %v", got)
		}
		// once recorded, the warning is not due again; the next instant is the breach
		l.add("2026-11-23 10:50", 0, desk.EvSLOWarning, desk.SLOEvent(pl.Due[0]), true)
		pl = plan(tk, l, "2026-11-23 10:50")
		if len(pl.Due) != 0 || pl.Next == nil || !pl.Next.Equal(p("2026-11-23 11:00")) {
			t.Fatalf("due %v next %v", kinds(pl), pl.Next)
		}
	})
	t.Run("down for a day: warning and breach at once, each once", func(t *testing.T) {
		tk := &desk.Ticket{Criticality: desk.Blocking, Channel: desk.Web, Status: desk.Open}
		l := new(logBuilder).created("2026-11-23 10:00")
		pl := plan(tk, l, "2026-11-24 10:00")
		got := kinds(pl)
		want := []string{"slo_warning:first_response", "slo_breach:first_response"} // resolution: 9 h of 18
		if len(got) != len(want) {
			t.Fatalf("due %v, want %v", got, want)
		}
		for _, d := range pl.Due {
			l.add("2026-11-24 10:00", 0, desk.EventKind(d.Kind), desk.SLOEvent(d), d.Kind == desk.TimerWarning)
		}
		if pl = plan(tk, l, "2026-11-24 10:00"); len(pl.Due) != 0 {
			t.Fatalf("due again: %v", kinds(pl))
		}
	})
	t.Run("awaiting the client 30 days: no reply", func(t *testing.T) {
		tk := &desk.Ticket{Criticality: desk.Minor, Channel: desk.Phone, Status: desk.AwaitingClient}
		l := new(logBuilder).created("2026-09-01 10:00").to("2026-10-01 10:00", agent, desk.AwaitingClient)
		if pl := plan(tk, l, "2026-10-31 09:59"); len(pl.Due) != 0 || !pl.Next.Equal(p("2026-10-31 10:00")) {
			t.Fatalf("due %v next %v", kinds(pl), pl.Next)
		}
		pl := plan(tk, l, "2026-10-31 10:00")
		if got := kinds(pl); len(got) != 1 || got[0] != "no_reply:" {
			t.Fatalf("due %v", got)
		}
		d := desk.FireTimer(tk, pl.Due[0], p("2026-10-31 10:00"))
		if tk.Status != desk.ToClose || tk.Resolution != desk.NoReply || d["to"] != desk.ToClose {
			t.Fatalf("ticket %s %s", tk.Status, tk.Resolution)
		}
	})
	t.Run("to_close 180 days, 720 with an R&D issue", func(t *testing.T) {
		for _, c := range []struct {
			rd  string
			due string
		}{{"", "2027-05-30 10:00"}, {"RD-7", "2028-11-20 10:00"}} {
			tk := &desk.Ticket{Criticality: desk.Minor, Channel: desk.Phone, Status: desk.ToClose, RDIssue: c.rd}
			l := new(logBuilder).created("2026-11-01 10:00").to("2026-12-01 10:00", agent, desk.ToClose)
			pl := plan(tk, l, "2026-12-02 10:00")
			if pl.Next == nil || !pl.Next.Equal(p(c.due)) {
				t.Errorf("rd %q: next %v, want %s", c.rd, pl.Next, c.due)
			}
		}
	})
	t.Run("a closed ticket has no timer", func(t *testing.T) {
		tk := &desk.Ticket{Criticality: desk.Blocking, Channel: desk.Web, Status: desk.Closed}
		if pl := plan(tk, new(logBuilder).created("2026-11-23 10:00"), "2027-01-01 10:00"); len(pl.Due) != 0 || pl.Next != nil {
			t.Fatalf("plan %+v", pl)
		}
	})
}

func TestStaleInfo(t *testing.T) {
	roles := func(id int64) []desk.Role {
		switch id {
		case agent:
			return []desk.Role{desk.Agent}
		case 11:
			return []desk.Role{desk.Engineer}
		}
		return nil
	}
	l := new(logBuilder).created("2026-11-01 10:00").comment("2026-11-02 10:00", agent, false).
		comment("2026-11-03 10:00", agent, true).comment("2026-11-04 10:00", 11, true).comment("2026-11-05 10:00", 11, true).
		comment("2026-11-06 10:00", client, false)
	tk := &desk.Ticket{Status: desk.Open, Priority: 1, CreatedAt: p("2026-11-01 10:00")}
	s := desk.DefaultTimers()
	if got := desk.StaleInfo(tk, l.events, roles, s, p("2026-11-08 09:00")); got != nil {
		t.Fatalf("P1 under 7 days is not stale: %+v", got)
	}
	got := desk.StaleInfo(tk, l.events, roles, s, p("2026-11-09 10:00"))
	if got == nil || got.Days != 7 || len(got.Roles) != 2 || got.Roles[0] != (desk.StaleRole{Role: desk.Agent, PrivateExchanges: 1}) ||
		got.Roles[1] != (desk.StaleRole{Role: desk.Engineer, PrivateExchanges: 2}) {
		t.Fatalf("stale %+v", got)
	}
	tk.Priority = 4
	if got := desk.StaleInfo(tk, l.events, roles, s, p("2026-11-09 10:00")); got != nil {
		t.Fatalf("P4 waits 45 days: %+v", got)
	}
}

func TestContractCheck(t *testing.T) {
	for _, c := range []struct {
		name  string
		edit  func(*desk.Contract)
		field string
	}{
		{"unknown tier", func(c *desk.Contract) { c.Tier = "gold" }, "tier"},
		{"negative target", func(c *desk.Contract) {
			c.Objectives = map[desk.Criticality]desk.Targets{desk.Blocking: {FirstResponse: -time.Hour}}
		}, "objectives.blocking.first_response"},
		{"warning at 100 %", func(c *desk.Contract) { c.Timers = desk.DefaultTimers(); c.Timers.WarningPercent = 100 }, "timers.warning_percent"},
		{"unknown channel", func(c *desk.Contract) { c.Channels = []desk.Channel{"fax"} }, "channels"},
		{"no reference", func(c *desk.Contract) { c.Reference = " " }, "reference"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ct := &desk.Contract{ClientID: 1, Reference: "C-1", Tier: desk.Premium}
			c.edit(ct)
			err := ct.Check()
			if e, ok := desk.AsError(err); !ok || e.Field != c.field {
				t.Fatalf("err %v, want field %s", err, c.field)
			}
		})
	}
}

func TestCalendarDefBuild(t *testing.T) {
	def := desk.DefaultCalendarDef()
	if _, err := def.Build(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		edit func(*desk.CalendarDef)
	}{
		{"no opening hours", func(d *desk.CalendarDef) { d.Hours = bizcal.Week{} }},
		{"unknown zone", func(d *desk.CalendarDef) { d.TimeZone = "Europe/Lutece" }},
		{"inverted range", func(d *desk.CalendarDef) {
			d.Hours[time.Monday] = []bizcal.Range{{Start: bizcal.HM(18, 0), End: bizcal.HM(9, 0)}}
		}},
		{"overlapping ranges", func(d *desk.CalendarDef) {
			d.Hours[time.Monday] = []bizcal.Range{{Start: bizcal.HM(9, 0), End: bizcal.HM(13, 0)}, {Start: bizcal.HM(12, 0), End: bizcal.HM(18, 0)}}
		}},
		{"unknown holidays", func(d *desk.CalendarDef) { d.Holidays = "atlantis" }},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := desk.DefaultCalendarDef()
			c.edit(&d)
			if _, err := d.Build(); desk.ErrorCode(err) != desk.Invalid {
				t.Fatalf("err %v, want invalid", err)
			}
		})
	}
}

// benchLog is a ticket's history of a dozen events across two weeks.
func benchLog() *logBuilder {
	return new(logBuilder).created("2026-11-23 10:00").comment("2026-11-23 10:40", agent, false).
		comment("2026-11-23 11:00", agent, true).to("2026-11-23 14:00", agent, desk.AwaitingClient).
		to("2026-11-25 09:30", 0, desk.Open).comment("2026-11-25 09:30", client, false).
		comment("2026-11-26 16:00", 11, true).comment("2026-11-27 10:00", agent, false).
		comment("2026-12-01 10:00", client, false).comment("2026-12-02 11:00", agent, false)
}

// BenchmarkComputeSLO is the cost of a ticket's three objectives from its log.
func BenchmarkComputeSLO(b *testing.B) {
	l, cal, ct := benchLog(), bizcal.Default(), contract(desk.TotalCare)
	tk := &desk.Ticket{Criticality: desk.Serious, Channel: desk.Web, Status: desk.Open, CreatedAt: l.events[0].At}
	in := desk.SLOInput{Ticket: tk, Events: l.events, Staff: isStaff, Contract: ct, Calendar: cal, Now: p("2026-12-08 10:00")}
	for b.Loop() {
		desk.ComputeSLO(in)
	}
}

// BenchmarkPlanTimers adds the status timers and the next due instant.
func BenchmarkPlanTimers(b *testing.B) {
	l, cal, ct := benchLog(), bizcal.Default(), contract(desk.TotalCare)
	tk := &desk.Ticket{Criticality: desk.Serious, Channel: desk.Web, Status: desk.Open, CreatedAt: l.events[0].At}
	in := desk.SLOInput{Ticket: tk, Events: l.events, Staff: isStaff, Contract: ct, Calendar: cal, Now: p("2026-12-08 10:00")}
	for b.Loop() {
		desk.PlanTimers(in)
	}
}
