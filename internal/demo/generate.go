package demo

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"guichet/internal/desk"
)

// The generator makes each ticket from a random stream of its own, seeded with
// (seed, ticket index): a ticket does not depend on how the run is cut in
// batches. Ids are handed out in order, from 1: the tickets, comments,
// attachments and events refer to each other without asking the database.
//
// A ticket is made in three steps: a plan (the list of things that happen to it,
// consistent with the workflow and ending in the status drawn for it), the dates
// of those things (spread over its lifetime, never after BaseDate), and the rows
// (the ticket as it ends, its comments and attachments, its events sealed in a
// chain as the use cases seal them).

type generator struct {
	seed   uint64
	pcg    *rand.PCG
	rng    *rand.Rand
	cast   *cast
	diag   []file
	others []file
	start  time.Time     // of the history
	step   time.Duration // between two tickets' creation

	ticketID, commentID, attachmentID, eventID int64
	numbers                                    []int64 // last number given, by cast space

	// One ticket's state while it is made.
	acts   []act
	times  []time.Time
	gaps   []float64
	sb     strings.Builder
	fillFn func(string) string
	cur    struct {
		sp            *castSpace
		sub           subject
		lang          string
		vIdx          int
		author        person
		assignee      person
		me            string // who writes the text being made
		rd            string
		lastCommentID int64
		seq           int64
		prev          []byte
	}
}

func newGenerator(seed uint64, c *cast, diag, others []file, n int) *generator {
	pcg := rand.NewPCG(seed, 0)
	g := &generator{seed: seed, pcg: pcg, rng: rand.New(pcg), cast: c, diag: diag, others: others,
		start: BaseDate.AddDate(-HistoryYears, 0, 0), numbers: make([]int64, len(c.spaces))}
	g.step = BaseDate.Sub(g.start) / time.Duration(max(n, 1))
	if g.step <= 0 {
		g.step = time.Microsecond
	}
	g.fillFn = g.slot
	return g
}

// fill appends tickets first to first+n-1 (0-based) to b.
func (g *generator) fill(b *batch, first, n int) {
	for i := first; i < first+n; i++ {
		g.ticket(b, i)
	}
}

// actKind is what happens to a ticket.
type actKind uint8

const (
	actCreate     actKind = iota
	actAssign             // support assigns an agent (value)
	actEngineer           // support brings in a level-3 engineer (value)
	actPriority           // support sets another priority (value): the criticality is disputed
	actSettle             // the dispute is settled
	actComment            // a comment (say: which kind of text)
	actTransition         // a workflow action
)

// timing places an act after the one before it.
type timing uint8

const (
	later timing = iota // hours or days later
	soon                // minutes later
	same                // in the same transaction: same instant
)

type act struct {
	kind    actKind
	timing  timing
	actor   int64
	value   int64
	say     string // comment: ask, reply, staff, solve, private, client
	private bool
	attach  bool
	action  desk.Action
	// resolution (propose_closing), decision (decide), rating (close).
	resolution string
	decision   desk.Decision
	rating     int
}

func (g *generator) add(a act) { g.acts = append(g.acts, a) }

// weighted returns i with probability w[i] / sum(w).
func weighted(r *rand.Rand, w ...int) int {
	total := 0
	for _, x := range w {
		total += x
	}
	n := r.IntN(total)
	for i, x := range w {
		if n < x {
			return i
		}
		n -= x
	}
	return len(w) - 1
}

func firstName(name string) string {
	if i := strings.IndexByte(name, ' '); i > 0 {
		return name[:i]
	}
	return name
}

// ticket makes ticket i and appends its rows to b.
func (g *generator) ticket(b *batch, i int) {
	g.pcg.Seed(g.seed, uint64(i))
	r := g.rng
	c := &g.cur
	g.ticketID++
	created := g.start.Add(time.Duration(i)*g.step + time.Duration(r.Int64N(int64(g.step)))).Truncate(time.Microsecond)
	age := BaseDate.Sub(created)

	si, _ := slices.BinarySearch(g.cast.weights, r.IntN(g.cast.weights[len(g.cast.weights)-1])+1)
	c.sp = &g.cast.spaces[si]
	g.numbers[si]++
	c.author = pick(r, c.sp.contacts)
	c.assignee = person{}
	c.sub = pick(r, subjects)
	c.lang = "fr"
	if r.Float64() < c.sp.english {
		c.lang = "en"
	}
	frac := float64(i) / float64(max(1, int(BaseDate.Sub(g.start)/g.step)))
	c.vIdx = min(len(versions)-1, max(0, int(frac*float64(len(versions)-1)+r.Float64()*1.5-0.75)))
	c.rd = "PLAT-" + itoa(10_000+r.IntN(9_000))
	c.seq, c.prev, c.lastCommentID = 0, nil, 0

	t := desk.Ticket{ID: g.ticketID, SpaceID: c.sp.space.ID, Number: g.numbers[si], Status: desk.Open,
		CreatedAt: created, AuthorID: c.author.id}
	t.Nature = desk.Natures[weighted(r, 46, 18, 33, 3)] // anomaly, evolution, question, security
	switch t.Nature {
	case desk.Anomaly:
		t.Criticality = desk.Criticalities[weighted(r, 8, 27, 45, 20)]
	case desk.Question:
		t.Criticality = desk.Criticalities[weighted(r, 1, 9, 40, 50)]
	case desk.Evolution:
		t.Criticality = desk.Criticalities[weighted(r, 0, 5, 35, 60)]
	default:
		t.Criticality = desk.Blocking // a security ticket always is
	}
	t.Priority = desk.DefaultPriority(t.Criticality)
	t.Channel = []desk.Channel{desk.Web, desk.Email, desk.API, desk.Phone}[weighted(r, 70, 18, 5, 7)]
	if len(c.sp.projects) > 0 && r.Float64() < 0.55 {
		t.ProjectID = pick(r, c.sp.projects)
	}
	t.Category = pick(r, categories[string(t.Nature)])
	if r.Float64() < 0.6 {
		t.Keywords = c.sub.keywords[:1+r.IntN(len(c.sub.keywords))]
	}
	t.ProductVersion = versions[c.vIdx]
	if r.Float64() < 0.3 {
		t.ModuleVersions = "facturation " + versions[c.vIdx] + "; paie 3." + itoa(r.IntN(6)) + "." + itoa(r.IntN(4))
	}
	g.sb.Reset()
	c.me = c.author.name
	expand(&g.sb, pick(r, titles[string(t.Nature)+"/"+c.lang]), g.fillFn)
	t.Title = capitalise(g.sb.String())
	t.Description = g.description(t.Nature)
	if t.Nature == desk.Anomaly && r.Float64() < 0.25 {
		t.LogExcerpt = pick(r, stackTraces)
	}

	final := g.finalStatus(t.Nature, age)
	g.plan(&t, final)
	life := g.lifetime(final, age)
	g.schedule(created, life)
	g.emit(b, &t)
	if t.Status != final {
		panic("demo: ticket " + itoa(i) + " ended " + string(t.Status) + " instead of " + string(final))
	}
	b.tickets = append(b.tickets, t)
}

// finalStatus draws where a ticket opened age ago stands now: nearly all old
// tickets are closed; recent ones are still being worked on.
func (g *generator) finalStatus(n desk.Nature, age time.Duration) desk.Status {
	r := g.rng
	days := age.Hours() / 24
	closed := 0.97
	if days < 90 {
		closed = 0.1 + 0.87*days/90
	}
	if r.Float64() < closed {
		return desk.Closed
	}
	// open, awaiting_client, awaiting_rd_decision, awaiting_delivery, to_close
	var w []int
	switch n {
	case desk.Evolution:
		w = []int{15, 10, 30, 35, 10}
	case desk.Anomaly:
		w = []int{35, 20, 0, 25, 20}
	case desk.Security:
		w = []int{40, 10, 0, 30, 20}
	default:
		w = []int{45, 25, 0, 0, 30}
	}
	return desk.Statuses[weighted(r, w...)]
}

// lifetime draws how long after its creation a ticket's last event comes: a few
// days for most closed tickets, with a long tail; any time until now for the
// others.
func (g *generator) lifetime(final desk.Status, age time.Duration) time.Duration {
	r := g.rng
	var life time.Duration
	if final == desk.Closed {
		days := math.Exp(math.Log(4) + 1.3*r.NormFloat64())
		life = time.Duration(min(max(days, 0.02), 200) * float64(24*time.Hour))
		life = min(life, age*98/100)
	} else {
		life = time.Duration(float64(age) * (0.2 + 0.8*r.Float64()))
	}
	return max(life, 0)
}

func (g *generator) staff() int64 {
	if g.cur.assignee.id != 0 && g.rng.Float64() < 0.85 {
		return g.cur.assignee.id
	}
	return pick(g.rng, g.cast.agents).id
}

func (g *generator) client() int64 {
	if g.rng.Float64() < 0.8 {
		return g.cur.author.id
	}
	return pick(g.rng, g.cur.sp.contacts).id
}

// plan lists what happens to t, ending in status final.
func (g *generator) plan(t *desk.Ticket, final desk.Status) {
	r := g.rng
	c := &g.cur
	g.acts = g.acts[:0]
	creator := c.author.id
	if t.Channel == desk.Email || t.Channel == desk.Phone {
		creator = pick(r, g.cast.agents).id // support opens it on the client's behalf
	}
	g.add(act{kind: actCreate, actor: creator})
	if final != desk.Open || r.Float64() >= 0.45 {
		c.assignee = pick(r, g.cast.agents)
		by := c.assignee.id
		if r.Float64() < 0.3 {
			by = g.cast.agents[0].id
		}
		g.add(act{kind: actAssign, actor: by, value: c.assignee.id})
	}
	disputed := -1
	if t.Nature != desk.Security && r.Float64() < 0.10 {
		p := t.Priority + 1
		if p > 4 || (t.Priority > 1 && r.Float64() < 0.5) {
			p = t.Priority - 1
		}
		g.add(act{kind: actPriority, actor: g.staff(), value: int64(p), timing: soon})
		disputed = len(g.acts) - 1
	}
	for range weighted(r, 55, 30, 12, 3) {
		g.askRound(true)
	}
	switch final {
	case desk.AwaitingClient:
		g.askRound(false)
	case desk.AwaitingRDDecision:
		g.submit()
	case desk.AwaitingDelivery:
		if t.Nature == desk.Evolution {
			g.submit()
			g.decide(true)
		} else {
			g.toDelivery()
		}
	case desk.ToClose:
		g.toClose(t.Nature)
	case desk.Closed:
		g.toClosed(t.Nature)
	}

	// Conversation besides the workflow: mostly a few comments, sometimes a long
	// thread. Nothing comes after a ticket is closed.
	end := len(g.acts)
	if final == desk.Closed {
		end--
	}
	extra := int(r.ExpFloat64() * 3)
	if r.Float64() < 0.004 {
		extra += 30 + r.IntN(40)
	}
	for range extra {
		a := act{kind: actComment}
		switch weighted(r, 40, 20, 40) {
		case 0:
			a.say, a.actor = "staff", g.staff()
		case 1:
			a.say, a.actor, a.private = "private", g.staff(), true
			if r.Float64() < 0.3 {
				a.actor = pick(r, g.cast.engineers).id
			}
		default:
			a.say, a.actor, a.attach = "client", g.client(), r.Float64() < 0.05
		}
		g.insert(a, 1, end)
		end++
	}
	if disputed >= 0 && r.Float64() < 0.4 {
		by := g.staff()
		if r.Float64() < 0.3 {
			by = c.author.id
		}
		g.insert(act{kind: actSettle, actor: by}, disputed+1, end)
	}
}

// insert puts a at a random place in [from, to] of the plan, never between two
// acts of one transaction.
func (g *generator) insert(a act, from, to int) {
	for range 8 {
		at := from + g.rng.IntN(to-from+1)
		if at == len(g.acts) || g.acts[at].timing != same {
			g.acts = slices.Insert(g.acts, at, a)
			return
		}
	}
	g.acts = slices.Insert(g.acts, to, a) // to is the end, or an act that is not "same"
}

// askRound: support asks for details and waits; the client answers (when reply),
// which brings the ticket back to open.
func (g *generator) askRound(reply bool) {
	by := g.staff()
	g.add(act{kind: actComment, say: "ask", actor: by})
	g.add(act{kind: actTransition, action: desk.AwaitClient, actor: by, timing: soon})
	if reply {
		g.add(act{kind: actComment, say: "reply", actor: g.client(), attach: g.rng.Float64() < 0.15})
		g.add(act{kind: actTransition, action: desk.ResumeOnComment, timing: same})
	}
}

func (g *generator) submit() {
	by := g.staff()
	if g.rng.Float64() < 0.5 {
		g.add(act{kind: actComment, say: "staff", actor: by})
	}
	g.add(act{kind: actTransition, action: desk.SubmitToRD, actor: by, timing: soon})
}

func (g *generator) decide(accept bool) {
	a := act{kind: actTransition, action: desk.Decide, actor: pick(g.rng, g.cast.pms).id}
	switch {
	case accept && g.rng.Float64() < 0.5:
		a.decision = desk.AcceptedPlanned
	case accept:
		a.decision = desk.AcceptedBacklog
	case g.rng.Float64() < 0.5:
		a.decision = desk.InterestingNotRetained
	default:
		a.decision = desk.NotRetained
	}
	g.add(a)
}

func (g *generator) toDelivery() {
	by := g.staff()
	g.add(act{kind: actEngineer, actor: by, value: pick(g.rng, g.cast.engineers).id})
	if g.rng.Float64() < 0.6 {
		g.add(act{kind: actComment, say: "private", private: true, actor: by, timing: soon})
	}
	g.add(act{kind: actTransition, action: desk.AwaitDelivery, actor: by, timing: soon})
}

func (g *generator) propose(n desk.Nature) {
	by := g.staff()
	var res string
	switch n {
	case desk.Question, desk.Evolution:
		res = []string{"answered", "configuration", "out_of_scope"}[weighted(g.rng, 70, 20, 10)]
	default:
		res = []string{"workaround", "patch_delivered", "configuration", "not_reproducible", "duplicate", "answered"}[weighted(g.rng, 30, 25, 20, 10, 5, 10)]
	}
	g.add(act{kind: actComment, say: "solve", actor: by})
	g.add(act{kind: actTransition, action: desk.ProposeClosing, actor: by, resolution: res, timing: soon})
}

// toClose brings an open ticket to to_close: solved by support, or delivered in
// a release; sometimes the author reopens it once.
func (g *generator) toClose(n desk.Nature) {
	r := g.rng
	switch {
	case n == desk.Evolution && r.Float64() < 0.6:
		g.submit()
		g.decide(true)
		g.add(act{kind: actTransition, action: desk.Deliver})
	case (n == desk.Anomaly || n == desk.Security) && r.Float64() < 0.4:
		g.toDelivery()
		g.add(act{kind: actTransition, action: desk.Deliver})
	default:
		g.propose(n)
	}
	if r.Float64() < 0.06 {
		g.add(act{kind: actComment, say: "client", actor: g.cur.author.id})
		g.add(act{kind: actTransition, action: desk.Reopen, actor: g.cur.author.id, timing: soon})
		g.propose(n)
	}
}

// toClosed brings an open ticket to its end: an evolution declined, a client who
// never answered, or a solution the author accepts (or lets time out).
func (g *generator) toClosed(n desk.Nature) {
	r := g.rng
	switch {
	case n == desk.Evolution && r.Float64() < 0.45:
		g.submit()
		g.decide(false)
		return
	case n != desk.Evolution && r.Float64() < 0.05:
		g.askRound(false)
		g.add(act{kind: actTransition, action: desk.TimeOut})
		g.add(act{kind: actTransition, action: desk.TimeOut})
		return
	}
	g.toClose(n)
	if r.Float64() < 0.75 {
		if r.Float64() < 0.3 {
			g.add(act{kind: actComment, say: "client", actor: g.cur.author.id})
		}
		a := act{kind: actTransition, action: desk.Close, actor: g.cur.author.id, timing: soon}
		if r.Float64() < 0.7 {
			a.rating = 5 - weighted(r, 45, 30, 12, 7, 6)
		}
		g.add(a)
	} else {
		g.add(act{kind: actTransition, action: desk.TimeOut})
	}
}

// schedule dates the plan: the creation at created, the last act life later.
// Acts "soon" after the one before come minutes later, "later" ones share the
// rest of the lifetime at random.
func (g *generator) schedule(created time.Time, life time.Duration) {
	r := g.rng
	g.gaps = g.gaps[:0]
	var soonSum, laterSum float64
	for j := range g.acts {
		gap := 0.0
		switch {
		case j == 0 || g.acts[j].timing == same:
		case g.acts[j].timing == soon:
			gap = r.ExpFloat64() * 180 // seconds
			soonSum += gap
		default:
			gap = r.ExpFloat64()
			laterSum += gap
		}
		g.gaps = append(g.gaps, gap)
	}
	total := life.Seconds()
	soonScale, laterScale := 1.0, 0.0
	if soonSum > total/2 {
		soonScale = total / 2 / soonSum
		soonSum = total / 2
	}
	if laterSum > 0 {
		laterScale = (total - soonSum) / laterSum
	}
	g.times = g.times[:0]
	at := 0.0
	for j, gap := range g.gaps {
		switch {
		case j == 0 || g.acts[j].timing == same:
		case g.acts[j].timing == soon:
			at += gap * soonScale
		default:
			at += gap * laterScale
		}
		at = min(at, total)
		g.times = append(g.times, created.Add(time.Duration(at*float64(time.Second))).Truncate(time.Microsecond))
	}
}

// emit plays the plan on t and writes the rows.
func (g *generator) emit(b *batch, t *desk.Ticket) {
	c := &g.cur
	for j := range g.acts {
		a := &g.acts[j]
		at := g.times[j]
		t.UpdatedAt = at
		switch a.kind {
		case actCreate:
			data := &jsonObject{b: make([]byte, 0, 256)}
			data.num("author_id", t.AuthorID).str("channel", string(t.Channel)).str("criticality", string(t.Criticality)).
				str("nature", string(t.Nature)).
				str("ref", desk.Ref(c.sp.space.Key, t.Number)).str("status", string(t.Status)).str("title", t.Title)
			g.event(b, t, a.actor, at, desk.EvCreated, data.bytes(), false)
			if t.Nature == desk.Anomaly && (c.sp.space.RequireDiagnostic || g.rng.Float64() < 0.5) {
				g.attach(b, t, a.actor, at, g.diag[min(len(g.diag)-1, c.vIdx*len(g.diag)/len(versions))], 0, false)
			}
			if g.rng.Float64() < 0.1 {
				g.attach(b, t, a.actor, at, pick(g.rng, g.others), 0, false)
			}
		case actAssign:
			g.change(b, t, a.actor, at, desk.EvAssigned, "assignee_id", t.AssigneeID, a.value, false)
			t.AssigneeID = a.value
		case actEngineer:
			g.change(b, t, a.actor, at, desk.EvAssigned, "engineer_id", t.EngineerID, a.value, false)
			t.EngineerID = a.value
		case actPriority:
			before := *t
			t.SetPriority(desk.Priority(a.value))
			g.change(b, t, a.actor, at, desk.EvFieldChange, "priority", int64(before.Priority), int64(t.Priority), true)
			if t.PriorityDisputed != before.PriorityDisputed {
				g.flag(b, t, a.actor, at, before.PriorityDisputed, t.PriorityDisputed)
			}
		case actSettle:
			if t.PriorityDisputed {
				t.PriorityDisputed = false
				g.flag(b, t, a.actor, at, true, false)
			}
		case actComment:
			g.comment(b, t, a, at)
		case actTransition:
			g.transition(b, t, a, at)
		}
	}
}

func (g *generator) event(b *batch, t *desk.Ticket, actor int64, at time.Time, kind desk.EventKind, data []byte, private bool) {
	g.eventID++
	g.cur.seq++
	e := desk.Event{ID: g.eventID, TicketID: t.ID, Seq: g.cur.seq, ActorID: actor, At: at, Kind: kind,
		Data: data, Private: private}
	e.Seal(g.cur.prev)
	g.cur.prev = e.Hash
	b.events = append(b.events, e)
}

// change records a field's change as desk.Change does: field, before, after.
func (g *generator) change(b *batch, t *desk.Ticket, actor int64, at time.Time, kind desk.EventKind, field string,
	before, after int64, private bool) {
	data := &jsonObject{b: make([]byte, 0, 64)}
	data.str("field", field).num("before", before).num("after", after)
	g.event(b, t, actor, at, kind, data.bytes(), private)
}

func (g *generator) flag(b *batch, t *desk.Ticket, actor int64, at time.Time, before, after bool) {
	data := &jsonObject{b: make([]byte, 0, 64)}
	data.str("field", "priority_disputed").boolean("before", before).boolean("after", after)
	g.event(b, t, actor, at, desk.EvFieldChange, data.bytes(), true)
}

func (g *generator) attach(b *batch, t *desk.Ticket, actor int64, at time.Time, f file, commentID int64, private bool) {
	g.attachmentID++
	b.attachments = append(b.attachments, desk.Attachment{ID: g.attachmentID, TicketID: t.ID, CommentID: commentID,
		Name: f.name, ContentType: f.contentType, Size: int64(len(f.data)), SHA256: f.sha256, UploaderID: actor,
		CreatedAt: at})
	data := &jsonObject{b: make([]byte, 0, 160)}
	data.num("attachment_id", g.attachmentID)
	if commentID != 0 {
		data.num("comment_id", commentID)
	}
	data.str("name", f.name).str("sha256", f.sha256).num("size", int64(len(f.data)))
	g.event(b, t, actor, at, desk.EvAttached, data.bytes(), private)
}

func (g *generator) comment(b *batch, t *desk.Ticket, a *act, at time.Time) {
	c := &g.cur
	say, actor := a.say, a.actor
	if say == "client" && t.Status == desk.AwaitingClient {
		// A client's comment would bring the ticket back to open, which the plan
		// does only with a reply: support writes this one.
		say, actor = "staff", g.staff()
	}
	g.commentID++
	c.lastCommentID = g.commentID
	c.me = c.author.name
	if actor != c.author.id {
		c.me = pick(g.rng, c.sp.contacts).name
	}
	g.sb.Reset()
	expand(&g.sb, pick(g.rng, comments[say+"/"+c.lang]), g.fillFn)
	b.comments = append(b.comments, desk.Comment{ID: g.commentID, TicketID: t.ID, AuthorID: actor, Body: g.sb.String(),
		Private: a.private, CreatedAt: at})
	data := &jsonObject{b: make([]byte, 0, 48)}
	data.num("comment_id", g.commentID).boolean("private", a.private)
	g.event(b, t, actor, at, desk.EvCommented, data.bytes(), a.private)
	if a.attach {
		f := pick(g.rng, g.others)
		if g.rng.Float64() < 0.5 {
			f = g.diag[min(len(g.diag)-1, c.vIdx*len(g.diag)/len(versions))]
		}
		g.attach(b, t, actor, at, f, g.commentID, a.private)
	}
}

// transition applies a workflow action to t and records it as the use cases do
// (see app.transitionData): the action, from, to, and what the action set.
func (g *generator) transition(b *batch, t *desk.Ticket, a *act, at time.Time) {
	r := g.rng
	from := t.Status
	data := &jsonObject{b: make([]byte, 0, 160)}
	data.str("action", string(a.action))
	switch a.action {
	case desk.AwaitClient:
		t.Status = desk.AwaitingClient
	case desk.ResumeOnComment:
		t.Status = desk.Open
		data.num("comment_id", g.cur.lastCommentID)
	case desk.SubmitToRD:
		t.Status = desk.AwaitingRDDecision
	case desk.Decide:
		t.Decision = a.decision
		t.Status = desk.AwaitingDelivery
		switch a.decision {
		case desk.NotRetained, desk.InterestingNotRetained:
			t.Status = desk.Closed
			if a.decision == desk.InterestingNotRetained || r.Float64() < 0.4 {
				t.DecisionNote = g.text("decline")
			}
		case desk.AcceptedPlanned:
			t.TargetVersion = versions[min(len(versions)-1, g.cur.vIdx+1+r.IntN(2))]
		}
		data.str("decision", string(t.Decision)).optStr("decision_note", t.DecisionNote)
	case desk.AwaitDelivery:
		t.Status = desk.AwaitingDelivery
		t.RDIssue = g.cur.rd
	case desk.Deliver:
		t.Status = desk.ToClose
		t.Resolution = "fixed_in_release"
	case desk.ProposeClosing:
		t.Status = desk.ToClose
		t.Resolution = a.resolution
	case desk.Reopen:
		t.Status = desk.Open
		t.Resolution = ""
	case desk.Close:
		t.Status = desk.Closed
		t.Rating = a.rating
		if a.rating > 0 && r.Float64() < 0.3 {
			t.RatingComment = g.text("rating")
		}
	case desk.TimeOut:
		if from == desk.AwaitingClient {
			t.Status = desk.ToClose
			t.Resolution = "no_reply"
		} else {
			t.Status = desk.Closed
		}
	}
	data.str("from", string(from))
	if a.action == desk.Close {
		if t.Rating != 0 {
			data.num("rating", int64(t.Rating))
		}
		data.optStr("rating_comment", t.RatingComment)
	}
	if a.action == desk.AwaitDelivery {
		data.str("rd_issue", t.RDIssue)
	}
	if a.action != desk.ResumeOnComment {
		data.optStr("resolution", t.Resolution)
	}
	if a.action == desk.Decide {
		data.optStr("target_version", t.TargetVersion)
	}
	data.str("to", string(t.Status))
	if t.Status == desk.Closed {
		closed := at
		t.ClosedAt = &closed
	}
	g.event(b, t, a.actor, at, desk.EvTransition, data.bytes(), false)
}

// text fills a comment template of kind say in the ticket's language.
func (g *generator) text(say string) string {
	g.sb.Reset()
	expand(&g.sb, pick(g.rng, comments[say+"/"+g.cur.lang]), g.fillFn)
	return g.sb.String()
}

// description writes a ticket's Markdown description.
func (g *generator) description(n desk.Nature) string {
	r := g.rng
	lang := g.cur.lang
	var sb strings.Builder
	part := func(list []string) {
		if sb.Len() > 0 {
			sb.WriteString("\n\n")
		}
		expand(&sb, pick(r, list), g.fillFn)
	}
	if r.Float64() < 0.6 {
		part(greetings[lang])
	}
	part(contexts[lang])
	sb.WriteByte(' ')
	expand(&sb, pick(r, details[string(n)+"/"+lang]), g.fillFn)
	if r.Float64() < 0.4 {
		sb.WriteByte(' ')
		expand(&sb, pick(r, details[string(n)+"/"+lang]), g.fillFn)
	}
	if n == desk.Anomaly && r.Float64() < 0.5 {
		part(steps[lang])
	}
	if (n == desk.Anomaly || n == desk.Security) && r.Float64() < 0.7 {
		part(impacts[lang])
	}
	part(signatures[lang])
	return sb.String()
}

// slot gives a template slot's value for the ticket being made.
func (g *generator) slot(s string) string {
	c := &g.cur
	r := g.rng
	switch s {
	case "def":
		return c.sub.def()
	case "Def":
		return capitalise(c.sub.def())
	case "de":
		return c.sub.de()
	case "a":
		return c.sub.a()
	case "n":
		if c.lang == "en" {
			return c.sub.en
		}
		return c.sub.fr
	case "the":
		return "the " + c.sub.en
	case "The":
		return "The " + c.sub.en
	case "v":
		return versions[c.vIdx]
	case "v2":
		return versions[min(len(versions)-1, c.vIdx+1)]
	case "err":
		return pick(r, errorMessages)
	case "nb":
		return itoa(2 + r.IntN(48))
	case "day":
		return pick(r, weekdays[c.lang])
	case "agent":
		if c.assignee.id != 0 {
			return firstName(c.assignee.name)
		}
		return firstName(pick(r, g.cast.agents).name)
	case "client":
		return firstName(c.author.name)
	case "company":
		return c.sp.client
	case "me":
		return c.me
	case "rd":
		return c.rd
	}
	return "{" + s + "}"
}
