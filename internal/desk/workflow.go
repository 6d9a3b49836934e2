package desk

import "strings"

// Decision is the product manager's answer to an evolution request.
type Decision string

// The decisions of SPEC §7.
const (
	NotRetained            Decision = "not_retained"
	InterestingNotRetained Decision = "interesting_not_retained"
	AcceptedBacklog        Decision = "accepted_backlog"
	AcceptedPlanned        Decision = "accepted_planned"
)

// DefaultResolutions are the resolution types offered when a contract sets none.
var DefaultResolutions = []string{"answered", "workaround", "patch_delivered", "fixed_in_release",
	"configuration", "duplicate", "not_reproducible", "out_of_scope", "no_reply"}

// Action is a step of the workflow an actor may take on a ticket.
type Action string

// The workflow's actions.
const (
	AwaitClient     Action = "await_client"    // open → awaiting_client
	SubmitToRD      Action = "submit_to_rd"    // open → awaiting_rd_decision (evolutions)
	Decide          Action = "decide"          // awaiting_rd_decision → awaiting_delivery or closed
	AwaitDelivery   Action = "await_delivery"  // open → awaiting_delivery, an R&D issue linked
	ProposeClosing  Action = "propose_closing" // open → to_close, with a resolution
	Reopen          Action = "reopen"          // to_close → open, the author only
	Close           Action = "close"           // to_close → closed, the author only
	Reassign        Action = "reassign"        // another client member becomes the author
	ResumeOnComment Action = "resume"          // awaiting_client → open, automatic
	Deliver         Action = "deliver"         // awaiting_delivery → to_close, automatic
	TimeOut         Action = "time_out"        // timers: awaiting_client → to_close, to_close → closed
)

// Who says which kind of actor may take a transition.
type Who string

// The kinds of actor in the transition table.
const (
	WhoStaff          Who = "provider staff"
	WhoProductManager Who = "the product manager"
	WhoAuthor         Who = "the author"
	WhoClientMember   Who = "the author, an animator of the space or provider staff"
	WhoAutomatic      Who = "automatic"
)

// Transition is one row of SPEC §3's table.
type Transition struct {
	Action Action
	From   []Status // empty: any status but closed
	To     Status   // empty: the status does not change, or depends on the input
	Who    Who
}

// Workflow is the transition table. It is the one place that says which actor may
// move a ticket from where to where; the use cases and the pages both read it.
var Workflow = []Transition{
	{AwaitClient, []Status{Open}, AwaitingClient, WhoStaff},
	{ResumeOnComment, []Status{AwaitingClient}, Open, WhoAutomatic},
	{SubmitToRD, []Status{Open}, AwaitingRDDecision, WhoStaff},
	{Decide, []Status{AwaitingRDDecision}, "", WhoProductManager},
	{AwaitDelivery, []Status{Open}, AwaitingDelivery, WhoStaff},
	{Deliver, []Status{AwaitingDelivery}, ToClose, WhoAutomatic},
	{ProposeClosing, []Status{Open}, ToClose, WhoStaff},
	{Reopen, []Status{ToClose}, Open, WhoAuthor},
	{Close, []Status{ToClose}, Closed, WhoAuthor},
	{TimeOut, []Status{AwaitingClient, ToClose}, "", WhoAutomatic},
	{Reassign, nil, "", WhoClientMember},
}

// TransitionInput carries what an action needs besides the actor and the ticket.
type TransitionInput struct {
	Action        Action
	Resolution    string   // propose_closing
	RDIssue       string   // await_delivery
	Decision      Decision // decide
	DecisionNote  string   // decide: the explanation (required for interesting_not_retained)
	TargetVersion string   // decide: accepted_planned
	Rating        int      // close: 1–5, optional
	RatingComment string   // close: optional
	NewAuthorID   int64    // reassign
	Reason        string   // optional, recorded in the event
}

func rowOf(act Action) (Transition, bool) {
	for _, t := range Workflow {
		if t.Action == act {
			return t, true
		}
	}
	return Transition{}, false
}

func (w Who) allows(a *Actor, t *Ticket) bool {
	switch w {
	case WhoStaff:
		return a.Staff()
	case WhoProductManager:
		return a.Staff() && a.Roles[ProductManager]
	case WhoAuthor:
		return !a.Anonymous() && a.UserID == t.AuthorID
	case WhoClientMember:
		return a.Staff() || (a.IsClientMember(t.SpaceID) && a.UserID == t.AuthorID) ||
			(a.IsClientMember(t.SpaceID) && a.Roles[Animator])
	}
	return false // automatic transitions are never taken by a person
}

// Check says whether actor a may take action act on ticket t now, and why not.
// It does not look at the input; Apply does.
func Check(a *Actor, t *Ticket, act Action) error {
	row, ok := rowOf(act)
	if !ok {
		return FieldError("action", "unknown action %q", act)
	}
	if row.Who == WhoAutomatic {
		return Errorf(Conflict, "%q happens automatically; nobody takes it by hand", act)
	}
	if t.Status == Closed {
		return Errorf(Conflict, "the ticket is closed: nothing changes a closed ticket")
	}
	if len(row.From) > 0 && !hasStatus(row.From, t.Status) {
		return Errorf(Conflict, "%q is not possible from status %s", act, t.Status)
	}
	if !row.Who.allows(a, t) {
		return Errorf(Conflict, "only %s may %s this ticket", row.Who, strings.ReplaceAll(string(act), "_", " "))
	}
	if act == SubmitToRD && t.Nature != Evolution {
		return Errorf(Conflict, "only evolution requests go to an R&D decision; this ticket is a %s", t.Nature)
	}
	return nil
}

func hasStatus(list []Status, s Status) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Allowed lists the actions actor a may take on t now, for pages to show.
func Allowed(a *Actor, t *Ticket) []Action {
	var out []Action
	for _, row := range Workflow {
		if Check(a, t, row.Action) == nil {
			out = append(out, row.Action)
		}
	}
	return out
}

// Apply takes a manual action on t, changing it in place, after checking the actor
// and the input. resolutions is the list of resolution types in force.
func Apply(a *Actor, t *Ticket, in TransitionInput, resolutions []string) error {
	if err := Check(a, t, in.Action); err != nil {
		return err
	}
	row, _ := rowOf(in.Action)
	switch in.Action {
	case ProposeClosing:
		if in.Resolution == "" {
			return FieldError("resolution", "is required to propose closing")
		}
		if !contains(resolutions, in.Resolution) {
			return FieldError("resolution", "must be one of %s", strings.Join(resolutions, ", "))
		}
		t.Resolution = in.Resolution
	case AwaitDelivery:
		if err := CheckText("rd_issue", in.RDIssue, MaxShortFieldLen, true); err != nil {
			return err
		}
		t.RDIssue = strings.TrimSpace(in.RDIssue)
	case Decide:
		if err := decide(t, in); err != nil {
			return err
		}
		t.Status = AwaitingDelivery
		if in.Decision == NotRetained || in.Decision == InterestingNotRetained {
			t.Status = Closed
		}
		return nil
	case Close:
		if in.Rating != 0 && (in.Rating < 1 || in.Rating > 5) {
			return FieldError("rating", "must be 1 to 5")
		}
		if err := CheckText("rating_comment", in.RatingComment, MaxShortFieldLen*20, false); err != nil {
			return err
		}
		t.Rating, t.RatingComment = in.Rating, strings.TrimSpace(in.RatingComment)
	case Reopen:
		t.Resolution = ""
	case Reassign:
		if in.NewAuthorID == 0 {
			return FieldError("new_author_id", "is required")
		}
		if in.NewAuthorID == t.AuthorID {
			return FieldError("new_author_id", "is already the author")
		}
		t.AuthorID = in.NewAuthorID
		return nil
	}
	t.Status = row.To
	return nil
}

func decide(t *Ticket, in TransitionInput) error {
	switch in.Decision {
	case AcceptedPlanned:
		if err := CheckText("target_version", in.TargetVersion, MaxShortFieldLen, true); err != nil {
			return FieldError("target_version", "is required when the evolution is accepted and planned")
		}
		t.TargetVersion = strings.TrimSpace(in.TargetVersion)
	case InterestingNotRetained:
		if strings.TrimSpace(in.DecisionNote) == "" {
			return FieldError("decision_note", "an explanation is required when the evolution is interesting but not retained")
		}
	case AcceptedBacklog, NotRetained:
	default:
		return FieldError("decision", "must be one of not_retained, interesting_not_retained, accepted_backlog, accepted_planned")
	}
	if err := CheckText("decision_note", in.DecisionNote, MaxTextLen, false); err != nil {
		return err
	}
	t.Decision, t.DecisionNote = in.Decision, strings.TrimSpace(in.DecisionNote)
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ResumesOnComment tells whether a public comment by actor a moves t from
// awaiting_client back to open: it does when a client member of the space writes.
func ResumesOnComment(a *Actor, t *Ticket, private bool) bool {
	return t.Status == AwaitingClient && !private && a.IsClientMember(t.SpaceID)
}
