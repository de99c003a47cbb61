package main

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/kiz-ulm/kizdesk/calendar"
	"github.com/kiz-ulm/kizdesk/codec"
	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
	"github.com/kiz-ulm/kizdesk/workflows"
)

// The lifecycle on the real embedded Temporal server: timers that fire on
// time, escalation, reminders, follow-ups, merges and continue-as-new,
// with the database as the agent sees it. With KIZDESK_RECORD_HISTORIES=1
// each path's workflow history is written to workflows/testdata/ for the
// replay test:
//
//	KIZDESK_RECORD_HISTORIES=1 go test -run 'TestEndToEnd/sqlite|TestPendingAutoCloseOnTime|TestLifecycleOnTheServer|TestContinueAsNewOnTheServer' .

// TestPendingAutoCloseOnTime: a ticket set to close itself in three
// seconds is closed then, by the system, without anybody touching it.
func TestPendingAutoCloseOnTime(t *testing.T) {
	s := sharedStack(t, "sqlite", nil)
	ctx := t.Context()
	f := s.fixture
	v := newDeskTicket(t, s, "Auto close")
	due := time.Now().Add(3 * time.Second)
	if _, err := s.desk.SetPending(ctx, desk.AgentPrincipal(f.Agent), v.Number, desk.PendingRequest{
		State: string(ticket.StatePendingAutoClose), Until: due, Note: "Customer confirmed; closing if we hear nothing."}); err != nil {
		t.Fatal(err)
	}
	seen := waitFor(t, 15*time.Second, func() bool {
		return ticketRow(t, s, v.Number).State == string(ticket.StateClosedSuccessful)
	})
	late := seen.Sub(due)
	// How late is measured, not asserted: BenchmarkTimerLateness.
	t.Logf("closed %s after its due time (seen in the database)", late.Round(time.Millisecond))
	if late < 0 {
		t.Errorf("auto close seen %s before its due time", -late)
	}
	h := history(t, s, v.Number)
	last := h[len(h)-1]
	if last.Event != ticket.EventStateUpdate || last.ActorKind != string(ticket.ActorSystem) || last.CreatedAt.Before(due.Truncate(time.Microsecond)) {
		t.Errorf("last history entry %+v, want the system's state update at or after %s", last, due)
	}
	recordHistory(t, s, v.Number, "auto-close")

	// kizdesk history exports what the replay test reads.
	var out, errw bytes.Buffer
	err := run(ctx, []string{"history", v.Number, "--temporal-address", s.temporal.FrontendAddress(),
		"--temporal-namespace", "kizdesk", "--log-level", "error", "--payload-key-file", s.payloadKeyFile}, nil, &out, &errw)
	if err != nil {
		t.Fatalf("kizdesk history: %v\n%s", err, errw.String())
	}
	hist, err := client.HistoryFromJSON(&out, client.HistoryJSONOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The export is under the replay test key, as the replay test reads it.
	r, err := sdkworker.NewWorkflowReplayerWithOptions(sdkworker.WorkflowReplayerOptions{DataConverter: codec.ReplayTest().DataConverter()})
	if err != nil {
		t.Fatal(err)
	}
	r.RegisterWorkflow(workflows.Ticket)
	if err := r.ReplayWorkflowHistory(nil, hist); err != nil {
		t.Errorf("replay the exported history: %v", err)
	}
	if err := run(ctx, []string{"history"}, nil, &out, &errw); err == nil {
		t.Error("kizdesk history without a number was accepted")
	}
}

func TestLifecycleOnTheServer(t *testing.T) {
	s := sharedStack(t, "sqlite", nil)
	ctx := t.Context()
	f := s.fixture
	second := models.Queue{TenantID: f.Tenant.ID, Name: "Netz & WLAN", Level: models.LevelSecond}
	if err := s.db.Create(&second).Error; err != nil {
		t.Fatal(err)
	}

	t.Run("escalation and SLA", func(t *testing.T) {
		terms := ticket.Terms{
			SLA: "seconds", Calendar: calendar.AllDay("24x7"),
			FirstResponse: 2 * time.Second, Solution: 6 * time.Second, WarnPercent: 50,
			EscalateAfter: 3 * time.Second,
			SecondLevel:   ticket.QueueRef{ID: second.ID, Name: second.Name, Level: ticket.LevelSecond},
			FirstLevel:    ticket.QueueRef{ID: f.Queue.ID, Name: f.Queue.Name, Level: ticket.LevelFirst},
		}
		number := startTicket(t, s, "Escalates by itself", terms)
		waitFor(t, 20*time.Second, func() bool { return ticketRow(t, s, number).SolutionBreached })
		row := ticketRow(t, s, number)
		if row.Level != models.LevelSecond || row.QueueID != second.ID || row.EscalatedAt == nil || !row.FirstResponseBreached {
			t.Errorf("after the deadlines: level %q queue %d escalated %v first response breached %v",
				row.Level, row.QueueID, row.EscalatedAt, row.FirstResponseBreached)
		}
		got := eventNames(history(t, s, number))
		for _, want := range []string{"EscalationNotifyBefore FirstResponseTime", "EscalationStart FirstResponseTime",
			"Move Queue", "LevelEscalation Level", "EscalationStart SolutionTime"} {
			if !slices.Contains(got, want) {
				t.Errorf("history lacks %q: %v", want, got)
			}
		}
		var n []models.Notification
		s.db.Where("ticket_id = ? AND kind = ? AND queue_id = ?", row.ID, ticket.NotifyEscalation, second.ID).Find(&n)
		if len(n) != 1 {
			t.Errorf("%d escalation notifications for %s, want 1", len(n), second.Name)
		}
		if _, err := s.desk.Close(ctx, desk.AgentPrincipal(f.Agent), number, desk.CloseRequest{State: string(ticket.StateClosedSuccessful)}); err != nil {
			t.Fatal(err)
		}
		recordHistory(t, s, number, "escalation-sla")
	})

	t.Run("reminder and follow-up", func(t *testing.T) {
		v := newDeskTicket(t, s, "Reminder")
		if _, err := s.desk.SetPending(ctx, desk.AgentPrincipal(f.Agent), v.Number, desk.PendingRequest{
			State: string(ticket.StatePendingReminder), Until: time.Now().Add(2 * time.Second)}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 15*time.Second, func() bool {
			return slices.Contains(eventNames(history(t, s, v.Number)), ticket.EventReminderReached+" PendingUntil")
		})
		list, err := s.desk.RemindersReached(ctx, desk.AgentPrincipal(f.Agent))
		if err != nil || !slices.ContainsFunc(list, func(r models.TicketRow) bool { return r.Number == v.Number }) {
			t.Errorf("reminders reached %v, %v; want ticket %s", list, err, v.Number)
		}
		if n, err := s.desk.CountRemindersReached(ctx, desk.AgentPrincipal(f.Agent)); err != nil || n != len(list) {
			t.Errorf("%d reminders counted, %v; %d listed", n, err, len(list))
		}
		msg := desk.FollowUpRequest{CustomerLogin: f.Customer.Login, Subject: "Re: Reminder", Body: "Here is the log.", Key: "<r1@uni-ulm.example>"}
		for range 2 {
			res, err := s.desk.FollowUp(ctx, s.gateway, v.Number, msg)
			if err != nil || res.Number != v.Number || res.NewTicket {
				t.Fatalf("follow-up: %+v, %v", res, err)
			}
		}
		waitFor(t, 10*time.Second, func() bool { return ticketRow(t, s, v.Number).State == string(ticket.StateOpen) })
		if n := strings.Count(strings.Join(eventNames(history(t, s, v.Number)), ","), ticket.EventFollowUp); n != 1 {
			t.Errorf("%d follow-up entries for one message sent twice", n)
		}
		if _, err := s.desk.Close(ctx, desk.AgentPrincipal(f.Agent), v.Number, desk.CloseRequest{State: string(ticket.StateClosedSuccessful)}); err != nil {
			t.Fatal(err)
		}
		recordHistory(t, s, v.Number, "reminder-follow-up")
	})

	t.Run("reopen", func(t *testing.T) {
		v := newDeskTicket(t, s, "Reopen")
		steps := []func() (ticket.View, error){
			func() (ticket.View, error) {
				return s.desk.Reply(ctx, desk.AgentPrincipal(f.Agent), v.Number, desk.ReplyRequest{Body: "Please restart."})
			},
			func() (ticket.View, error) {
				return s.desk.Close(ctx, desk.AgentPrincipal(f.Agent), v.Number, desk.CloseRequest{State: string(ticket.StateClosedSuccessful)})
			},
			func() (ticket.View, error) {
				return s.desk.Reopen(ctx, desk.AgentPrincipal(f.Agent), v.Number, desk.ReopenRequest{Note: "Not fixed after all."})
			},
			func() (ticket.View, error) {
				return s.desk.Close(ctx, desk.AgentPrincipal(f.Agent), v.Number, desk.CloseRequest{State: string(ticket.StateClosedUnsuccessful)})
			},
		}
		for i, step := range steps {
			if _, err := step(); err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
		}
		row := ticketRow(t, s, v.Number)
		if row.State != string(ticket.StateClosedUnsuccessful) || row.FirstResponseAt == nil || row.SolutionSeconds == nil {
			t.Errorf("after reopen and close: %+v", row.Ticket)
		}
		recordHistory(t, s, v.Number, "reopen")
	})

	t.Run("merge", func(t *testing.T) {
		from := newDeskTicket(t, s, "Duplicate")
		into := newDeskTicket(t, s, "Original")
		if _, err := s.desk.Merge(ctx, desk.AgentPrincipal(f.Agent), from.Number, desk.MergeRequest{Into: from.Number}); err == nil {
			t.Error("merging a ticket into itself was accepted")
		}
		v, err := s.desk.Merge(ctx, desk.AgentPrincipal(f.Agent), from.Number, desk.MergeRequest{Into: into.Number})
		if err != nil || v.State != ticket.StateMerged {
			t.Fatalf("merge: %q, %v", v.State, err)
		}
		waitFor(t, 10*time.Second, func() bool { return workflowDone(t, s, from.Number) })
		waitFor(t, 10*time.Second, func() bool {
			return slices.Contains(eventNames(history(t, s, into.Number)), ticket.EventMergedIn+" MergedFrom")
		})
		d, err := s.desk.Ticket(ctx, desk.AgentPrincipal(f.Agent), into.Number)
		if err != nil || len(d.Merged) != 1 || d.Merged[0].Ticket.Number != from.Number || len(d.Merged[0].Articles) == 0 {
			t.Errorf("target's merged tickets %+v, %v", d.Merged, err)
		}
		res, err := s.desk.FollowUp(ctx, s.gateway, from.Number, desk.FollowUpRequest{CustomerLogin: f.Customer.Login, Body: "Any news?"})
		if err != nil || res.Number != into.Number {
			t.Errorf("a follow-up to the merged ticket went to %+v, %v; want %s", res, err, into.Number)
		}
		if _, err := s.desk.Link(ctx, desk.AgentPrincipal(f.Agent), into.Number, desk.LinkRequest{Other: from.Number}); err == nil {
			t.Error("linking with a merged ticket was accepted")
		}
		recordHistory(t, s, from.Number, "merge-source")
		recordHistory(t, s, into.Number, "merge-target")
	})

	t.Run("follow-up after the window", func(t *testing.T) {
		number := startTicketWith(t, s, "Short window", ticket.Terms{}, func(in *ticket.TicketInput) {
			in.Ticket.FollowUpWindow = 2 * time.Second
		})
		if _, err := s.desk.Close(ctx, desk.AgentPrincipal(f.Agent), number, desk.CloseRequest{State: string(ticket.StateClosedSuccessful)}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 15*time.Second, func() bool { return workflowDone(t, s, number) })
		// A Message-ID as long as the desk allows still makes one ticket.
		lateID := "<" + strings.Repeat("late", 46) + "@uni.example>"
		res, err := s.desk.FollowUp(ctx, s.gateway, number, desk.FollowUpRequest{CustomerLogin: f.Customer.Login,
			Subject: "Re: Short window", Body: "It is back.", Key: lateID})
		if err != nil || !res.NewTicket || res.Number == number {
			t.Fatalf("late follow-up: %+v, %v; want a new ticket", res, err)
		}
		linked, err := models.LinkedTickets(ctx, s.db, f.Tenant.ID, res.Number)
		if err != nil || len(linked) != 1 || linked[0].Number != number {
			t.Errorf("the new ticket's links %v, %v; want %s", linked, err, number)
		}
		again, err := s.desk.FollowUp(ctx, s.gateway, number, desk.FollowUpRequest{CustomerLogin: f.Customer.Login,
			Subject: "Re: Short window", Body: "It is back.", Key: lateID})
		if err != nil || again.Number != res.Number {
			t.Errorf("the same late message again made %+v, %v; want ticket %s", again, err, res.Number)
		}
	})
}

// TestContinueAsNewOnTheServer: with the server suggesting continue-as-new
// after a few events, a busy ticket moves on to new runs and keeps every
// change, in order, in the database.
func TestContinueAsNewOnTheServer(t *testing.T) {
	s := sharedStack(t, "sqlite", map[string]any{"limit.historyCount.suggestContinueAsNew": 40})
	ctx := t.Context()
	f := s.fixture
	v := newDeskTicket(t, s, "Busy ticket")
	first := runID(t, s, v.Number)
	var notes int
	for notes = 1; notes <= 30 && runID(t, s, v.Number) == first; notes++ {
		if _, err := s.desk.AddNote(ctx, desk.AgentPrincipal(f.Agent), v.Number, desk.AddNoteRequest{
			Kind: string(ticket.ArticleInternalNote), Body: "Note " + time.Now().Format(time.StampMicro)}); err != nil {
			t.Fatal(err)
		}
	}
	if runID(t, s, v.Number) == first {
		t.Fatal("the ticket never continued as new")
	}
	t.Logf("continued as new after %d notes", notes-1)
	if _, err := s.desk.AddNote(ctx, desk.AgentPrincipal(f.Agent), v.Number, desk.AddNoteRequest{Kind: string(ticket.ArticleInternalNote), Body: "after"}); err != nil {
		t.Fatal(err)
	}
	live, err := s.desk.LiveTicket(ctx, desk.AgentPrincipal(f.Agent), v.Number)
	if err != nil {
		t.Fatal(err)
	}
	h := history(t, s, v.Number)
	for i, e := range h {
		if e.Seq != i+1 {
			t.Fatalf("history entry %d has seq %d", i+1, e.Seq)
		}
	}
	if live.Seq != len(h) || live.State != ticket.StateOpen {
		t.Errorf("live ticket at entry %d in state %q, database has %d entries", live.Seq, live.State, len(h))
	}
	recordRun(t, s, v.Number, first, "continue-as-new")
}

func newDeskTicket(t *testing.T, s *testStack, title string) ticket.View {
	t.Helper()
	f := s.fixture
	v, err := s.desk.CreateTicket(t.Context(), desk.AgentPrincipal(f.Agent), desk.CreateTicketRequest{CustomerLogin: f.Customer.Login,
		Title: title, Body: "Text.", ServiceID: f.Service.ID, TypeID: f.Type.ID, PriorityID: f.Priority.ID})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// startTicket starts a ticket's workflow directly, with terms that count
// in seconds (the catalogue counts in minutes), as the desk does.
func startTicket(t *testing.T, s *testStack, title string, terms ticket.Terms) string {
	t.Helper()
	return startTicketWith(t, s, title, terms, nil)
}

func startTicketWith(t *testing.T, s *testStack, title string, terms ticket.Terms, adjust func(*ticket.TicketInput)) string {
	t.Helper()
	ctx := t.Context()
	f := s.fixture
	number, err := models.NextTicketNumber(ctx, s.db, time.Now(), "10")
	if err != nil {
		t.Fatal(err)
	}
	in := ticket.TicketInput{
		Ticket: ticket.View{Number: number, TenantID: f.Tenant.ID, Title: title, Level: ticket.LevelFirst,
			QueueID: f.Queue.ID, QueueName: f.Queue.Name, ServiceID: f.Service.ID, ServiceName: f.Service.Name,
			TypeID: f.Type.ID, TypeName: f.Type.Name, PriorityID: f.Priority.ID, PriorityName: f.Priority.Name,
			CustomerID: f.Customer.ID, Channel: "phone"},
		Actor:   ticket.Actor{Kind: ticket.ActorAgent, ID: f.Agent.ID, Name: f.Agent.Name},
		Article: ticket.ArticleInput{Kind: ticket.ArticlePhoneNote, Subject: title, Body: "Text."},
		Terms:   terms,
	}
	if adjust != nil {
		adjust(&in)
	}
	start := s.client.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID: ticket.WorkflowID(number), TaskQueue: ticket.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		TypedSearchAttributes:    temporal.NewSearchAttributes(workflows.SearchAttributes(in.Ticket)...),
		StaticSummary:            workflows.Summary(in.Ticket),
	}, workflows.Ticket, in)
	h, err := s.client.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{UpdateID: ticket.UpdateCreate, UpdateName: ticket.UpdateCreate,
			Args: []any{ticket.CreateInput{}}, WaitForStage: client.WorkflowUpdateStageCompleted},
	})
	if err == nil {
		err = h.Get(ctx, nil)
	}
	if err != nil {
		t.Fatalf("start ticket %s: %v", number, err)
	}
	return number
}

// waitFor polls cond until it holds and returns when it first did.
func waitFor(t testing.TB, limit time.Duration, cond func() bool) time.Time {
	t.Helper()
	end := time.Now().Add(limit)
	for time.Now().Before(end) {
		if cond() {
			return time.Now()
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("still not so after %s", limit)
	return time.Time{}
}

func ticketRow(t testing.TB, s *testStack, number string) models.TicketRow {
	t.Helper()
	row, err := models.TicketByNumber(context.Background(), s.db, s.fixture.Tenant.ID, number)
	if err != nil {
		t.Fatal(err)
	}
	return row
}

func history(t testing.TB, s *testStack, number string) []models.HistoryEntry {
	t.Helper()
	h, err := models.History(context.Background(), s.db, ticketRow(t, s, number).ID)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// eventNames lists history entries as "Event Field".
func eventNames(h []models.HistoryEntry) []string {
	out := make([]string, len(h))
	for i, e := range h {
		out[i] = strings.TrimSpace(e.Event + " " + e.Field)
	}
	return out
}

// runID is the ID of the ticket workflow's current run.
func runID(t testing.TB, s *testStack, number string) string {
	t.Helper()
	d, err := s.client.DescribeWorkflowExecution(context.Background(), ticket.WorkflowID(number), "")
	if err != nil {
		t.Fatal(err)
	}
	return d.GetWorkflowExecutionInfo().GetExecution().GetRunId()
}

func workflowDone(t testing.TB, s *testStack, number string) bool {
	t.Helper()
	d, err := s.client.DescribeWorkflowExecution(context.Background(), ticket.WorkflowID(number), "")
	if err != nil {
		t.Fatal(err)
	}
	return d.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED
}
