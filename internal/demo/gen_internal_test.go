package demo

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"guichet/internal/desk"
)

// testCast is a small installation without a database: one space of two
// contacts, eight agents, two engineers, a product manager.
func testCast() *cast {
	c := &cast{}
	for i := range 8 {
		c.agents = append(c.agents, person{int64(10 + i), "Agent Smith"})
	}
	c.engineers = []person{{30, "Eng One"}, {31, "Eng Two"}}
	c.pms = []person{{40, "Pm"}}
	c.spaces = []castSpace{
		{contacts: []person{{50, "Fabien Contact"}, {51, "Wendy Morel"}}, projects: []int64{1, 2}, english: 0.15, client: "Acme"},
		{contacts: []person{{60, "Léa Bolt"}}, english: 0.5, client: "Bolt"},
	}
	c.spaces[0].space = desk.Space{ID: 1, Key: "ACME", RequireDiagnostic: true}
	c.spaces[1].space = desk.Space{ID: 2, Key: "BOLT"}
	c.weights = []int{2, 3}
	return c
}

func generated(t *testing.T, n int) *batch {
	t.Helper()
	diag, others := demoFiles()
	g := newGenerator(7, testCast(), diag, others, n)
	b := &batch{}
	g.fill(b, 0, n)
	return b
}

// TestGeneratedHistoriesFollowTheWorkflow plays every generated event back: the
// chain holds, times never go back nor past BaseDate, every transition is one of
// the workflow table's, nothing happens after closing, and the ticket row is
// where its history leads.
func TestGeneratedHistoriesFollowTheWorkflow(t *testing.T) {
	b := generated(t, 3000)
	events := map[int64][]desk.Event{}
	for _, e := range b.events {
		events[e.TicketID] = append(events[e.TicketID], e)
	}
	commentsOf := map[int64]int{}
	for _, c := range b.comments {
		commentsOf[c.TicketID]++
	}
	numbers := map[int64]int64{}
	var prevCreated time.Time
	for _, tk := range b.tickets {
		ev := events[tk.ID]
		if broken := desk.VerifyChain(ev); broken != nil {
			t.Fatalf("ticket %d: %+v", tk.ID, broken)
		}
		if tk.CreatedAt.Before(prevCreated) {
			t.Errorf("ticket %d created before the one before it", tk.ID)
		}
		prevCreated = tk.CreatedAt
		numbers[tk.SpaceID]++
		if tk.Number != numbers[tk.SpaceID] {
			t.Errorf("ticket %d numbered %d; want %d", tk.ID, tk.Number, numbers[tk.SpaceID])
		}
		if ev[0].Kind != desk.EvCreated || !ev[0].At.Equal(tk.CreatedAt) {
			t.Errorf("ticket %d: history starts with %s at %v", tk.ID, ev[0].Kind, ev[0].At)
		}
		status := desk.Open
		commented := 0
		for i, e := range ev {
			if i > 0 && e.At.Before(ev[i-1].At) {
				t.Errorf("ticket %d: event %d goes back in time", tk.ID, e.Seq)
			}
			if e.At.After(BaseDate) {
				t.Errorf("ticket %d: event %d after BaseDate", tk.ID, e.Seq)
			}
			if status == desk.Closed {
				t.Errorf("ticket %d: %s after closing", tk.ID, e.Kind)
			}
			switch e.Kind {
			case desk.EvCommented:
				commented++
			case desk.EvTransition:
				var d struct {
					Action desk.Action
					From   desk.Status
					To     desk.Status
				}
				if err := json.Unmarshal(e.Data, &d); err != nil {
					t.Fatal(err)
				}
				row := desk.Workflow[slices.IndexFunc(desk.Workflow, func(r desk.Transition) bool { return r.Action == d.Action })]
				if d.From != status || (len(row.From) > 0 && !slices.Contains(row.From, d.From)) ||
					(row.To != "" && row.To != d.To) {
					t.Errorf("ticket %d: %s from %s to %s, the ticket being %s", tk.ID, d.Action, d.From, d.To, status)
				}
				if (row.Who == desk.WhoAutomatic) != (e.ActorID == 0) {
					t.Errorf("ticket %d: %s by actor %d", tk.ID, d.Action, e.ActorID)
				}
				status = d.To
			}
		}
		if status != tk.Status {
			t.Errorf("ticket %d is %s; its history ends %s", tk.ID, tk.Status, status)
		}
		if (tk.Status == desk.Closed) != (tk.ClosedAt != nil) {
			t.Errorf("ticket %d: status %s, closed at %v", tk.ID, tk.Status, tk.ClosedAt)
		}
		if !tk.UpdatedAt.Equal(ev[len(ev)-1].At) {
			t.Errorf("ticket %d updated at %v; its last event is at %v", tk.ID, tk.UpdatedAt, ev[len(ev)-1].At)
		}
		if commented != commentsOf[tk.ID] {
			t.Errorf("ticket %d: %d comment events for %d comments", tk.ID, commented, commentsOf[tk.ID])
		}
		if tk.Nature == desk.Security && tk.Criticality != desk.Blocking {
			t.Errorf("security ticket %d is %s", tk.ID, tk.Criticality)
		}
		if tk.PriorityDisputed != (tk.Priority != desk.DefaultPriority(tk.Criticality)) && tk.PriorityDisputed {
			t.Errorf("ticket %d: disputed with priority %d and criticality %s", tk.ID, tk.Priority, tk.Criticality)
		}
		if err := desk.CheckText("title", tk.Title, desk.MaxTitleLen, true); err != nil {
			t.Errorf("ticket %d: %v", tk.ID, err)
		}
	}
	if per := float64(len(b.comments)) / float64(len(b.tickets)); per < 4.5 || per > 5.5 {
		t.Errorf("%.2f comments per ticket; want about 5", per)
	}
}

// TestEventDataIsWhatTheUseCasesWrite checks that the hand-made JSON is the one
// encoding/json gives for the same values: maps with sorted keys, desk.Change in
// field order.
func TestEventDataIsWhatTheUseCasesWrite(t *testing.T) {
	for _, e := range generated(t, 500).events {
		var again []byte
		var err error
		switch e.Kind {
		case desk.EvAssigned, desk.EvFieldChange:
			var c desk.Change
			if err = json.Unmarshal(e.Data, &c); err == nil {
				again, err = json.Marshal(c)
			}
		default:
			var m map[string]any
			if err = json.Unmarshal(e.Data, &m); err == nil {
				again, err = json.Marshal(m)
			}
		}
		if err != nil {
			t.Fatalf("%s: %v: %s", e.Kind, err, e.Data)
		}
		if !bytes.Equal(again, e.Data) {
			t.Fatalf("%s data\n%s\nis not what encoding/json writes:\n%s", e.Kind, e.Data, again)
		}
	}
	for _, s := range []string{"plain", `quote " and \ backslash`, "<b>&amp;</b>", "line\nbreak\ttab\r\x01",
		"accents éàü « »", "sep\u2028\u2029", "bad \xff byte", ""} {
		want, _ := json.Marshal(s)
		if got := appendJSONString(nil, s); !bytes.Equal(got, want) {
			t.Errorf("appendJSONString(%q) = %s; want %s", s, got, want)
		}
	}
}

// TestTicketsDependOnlyOnTheSeed checks that the batches a run is cut in change
// nothing.
func TestTicketsDependOnlyOnTheSeed(t *testing.T) {
	diag, others := demoFiles()
	one := newGenerator(9, testCast(), diag, others, 400)
	whole := &batch{}
	one.fill(whole, 0, 400)
	two := newGenerator(9, testCast(), diag, others, 400)
	var parts batch
	for first := 0; first < 400; first += 37 {
		b := &batch{}
		two.fill(b, first, min(37, 400-first))
		parts.tickets = append(parts.tickets, b.tickets...)
		parts.events = append(parts.events, b.events...)
	}
	if len(whole.events) != len(parts.events) {
		t.Fatalf("%d events in one batch, %d in several", len(whole.events), len(parts.events))
	}
	for i := range whole.events {
		if !bytes.Equal(whole.events[i].Hash, parts.events[i].Hash) {
			t.Fatalf("event %d differs", i)
		}
	}
}

func TestProgress(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	var plain strings.Builder
	p := newProgress(&plain, false, 1000, clock)
	for done := 0; done <= 1000; done += 50 {
		now = now.Add(time.Second)
		p.update(done, done*5)
	}
	lines := strings.Split(strings.TrimSpace(plain.String()), "\n")
	if len(lines) != 11 || !strings.Contains(lines[10], "100%  1,000/1,000 tickets, 5,000 comments") {
		t.Errorf("plain progress: %d lines:\n%s", len(lines), plain.String())
	}
	var term strings.Builder
	p = newProgress(&term, true, 1000, clock)
	p.update(500, 2500)
	now = now.Add(10 * time.Second)
	p.update(1000, 5000)
	out := term.String()
	if !strings.HasPrefix(out, "\r[") || !strings.Contains(out, "[########################]") || !strings.HasSuffix(out, "\n") {
		t.Errorf("terminal progress: %q", out)
	}
}

func BenchmarkGenerate(b *testing.B) {
	diag, others := demoFiles()
	g := newGenerator(1, testCast(), diag, others, b.N*1000)
	bt := &batch{}
	b.ResetTimer()
	for i := range b.N {
		bt.reset()
		g.fill(bt, i*1000, 1000)
	}
}
