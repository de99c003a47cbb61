package web

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// The fake desk's mail going out: the Outbox, one mail's raw form, and
// the notification preferences. Its state lives beside the fake (the
// fake's struct is shared by all web tests), one per fake desk. Who may
// read the Outbox is the desk's business (desk tests, authz_test.go); the
// fake refuses only what errs says.

type fakeMailState struct {
	mu       sync.Mutex
	mails    []models.MailMessage // newest first
	captured bool
	pageSize int
	prefs    map[string]bool
	outboxes []desk.OutboxRequest
	saved    [][]string
}

var fakeMailStates sync.Map // *fakeDesk → *fakeMailState

// mailState is f's mail side: three mails (ID 3 pending during an
// outage, 2 sent, 1 bounced) unless a test sets others.
func (f *fakeDesk) mailState() *fakeMailState {
	sent := testTime.Add(time.Minute)
	v, _ := fakeMailStates.LoadOrStore(f, &fakeMailState{pageSize: 50, prefs: map[string]bool{}, mails: []models.MailMessage{
		{ID: 3, TenantID: 1, Direction: models.MailOut, MessageKey: "<3@kizdesk.example>", TicketNumber: testNumber, Kind: models.OutReply,
			Recipients: "carl@example.org", Subject: "Re: Printer jams", Status: models.OutPending, Attempts: 3,
			LastError: "dial tcp 192.0.2.25:25: connect: connection refused", CreatedAt: testTime},
		{ID: 2, TenantID: 1, Direction: models.MailOut, MessageKey: "<2@kizdesk.example>", TicketNumber: testNumber, Kind: models.OutAutoReply,
			Recipients: "carl@example.org", Subject: "Your ticket", Status: models.OutSent, Attempts: 1, CreatedAt: testTime, SentAt: &sent},
		{ID: 1, TenantID: 1, Direction: models.MailOut, MessageKey: "<1@kizdesk.example>", Kind: models.OutNotification,
			Recipients: "anna@example.org", Subject: "New ticket", Status: models.OutBounced, Attempts: 1,
			LastError: "550 5.1.1 no such user", CreatedAt: testTime},
	}})
	return v.(*fakeMailState)
}

func (f *fakeDesk) Outbox(_ context.Context, p desk.Principal, req desk.OutboxRequest) (desk.OutboxPage, error) {
	f.record("Outbox", req)
	st := f.mailState()
	st.mu.Lock()
	defer st.mu.Unlock()
	st.outboxes = append(st.outboxes, req)
	out := desk.OutboxPage{Captured: st.captured}
	if err := f.adminErr("Outbox"); err != nil {
		return out, err
	}
	if req.Status != "" && !slices.Contains(desk.OutboxStatuses, req.Status) {
		return out, desk.FieldErrors{"status": ticket.P(ticket.FieldChoose)}
	}
	var ms []models.MailMessage
	for _, m := range st.mails {
		if (req.Status == "" || m.Status == req.Status) && (req.Before == 0 || m.ID < req.Before) {
			m.Raw = nil
			ms = append(ms, m)
		}
	}
	if len(ms) > st.pageSize {
		ms = ms[:st.pageSize]
		out.Next = ms[len(ms)-1].ID
	}
	out.Mails = ms
	return out, nil
}

func (f *fakeDesk) OutboxMail(_ context.Context, _ desk.Principal, id int64) (models.MailMessage, error) {
	f.record("OutboxMail")
	if err := f.adminErr("OutboxMail"); err != nil {
		return models.MailMessage{}, err
	}
	st := f.mailState()
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, m := range st.mails {
		if m.ID == id {
			if m.Raw == nil {
				m.Raw = []byte("Message-ID: " + m.MessageKey + "\r\nTo: " + m.Recipients + "\r\nSubject: " + m.Subject + "\r\n\r\nHello.\r\n")
			}
			return m, nil
		}
	}
	return models.MailMessage{}, fmt.Errorf("mail %d: %w", id, desk.ErrNotFound)
}

func (f *fakeDesk) NotifyPrefs(context.Context, desk.Principal) ([]desk.NotifyPref, error) {
	f.record("NotifyPrefs")
	if err := f.adminErr("NotifyPrefs"); err != nil {
		return nil, err
	}
	st := f.mailState()
	st.mu.Lock()
	defer st.mu.Unlock()
	var out []desk.NotifyPref
	for _, k := range desk.NotifyKinds {
		on, ok := st.prefs[k.Kind]
		if !ok {
			on = k.ToAgent
		}
		out = append(out, desk.NotifyPref{NotifyKind: k, Mail: on})
	}
	return out, nil
}

func (f *fakeDesk) SetNotifyPrefs(_ context.Context, _ desk.Principal, on []string) error {
	args := make([]any, len(on))
	for i, k := range on {
		args[i] = k
	}
	f.record("SetNotifyPrefs", args...)
	if err := f.adminErr("SetNotifyPrefs"); err != nil {
		return err
	}
	st := f.mailState()
	st.mu.Lock()
	defer st.mu.Unlock()
	st.saved = append(st.saved, slices.Clone(on))
	prefs := map[string]bool{}
	for _, k := range desk.NotifyKinds {
		prefs[k.Kind] = false
	}
	for _, k := range on {
		if _, known := prefs[k]; !known {
			return desk.FieldErrors{"notify": ticket.P(ticket.FieldChoose)}
		}
		prefs[k] = true
	}
	st.prefs = prefs
	return nil
}
