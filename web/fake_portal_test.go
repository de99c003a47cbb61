package web

import (
	"context"
	"fmt"
	"sync"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// The fake desk's customer portal: one customer, carl (ID 5, password
// "right"), the customer of the fake's test ticket. What a customer may
// see is the desk's business (desk/portal_test.go, the browser test); the
// fake answers "not found" for tickets not carl's and refuses what errs
// says.

type fakePortalState struct {
	mu       sync.Mutex
	sessions map[string]int64 // token → customer ID
	creates  []desk.PortalCreateRequest
	replies  []desk.PortalReplyRequest
	closes   []string
}

var fakePortalStates sync.Map // *fakeDesk → *fakePortalState

var fakeCustomer = models.Customer{ID: 5, TenantID: 1, Login: "carl", Name: "Carl Customer", Active: true, Source: models.SourceLocal}

func (f *fakeDesk) portalState() *fakePortalState {
	v, _ := fakePortalStates.LoadOrStore(f, &fakePortalState{sessions: map[string]int64{}})
	return v.(*fakePortalState)
}

func (f *fakeDesk) PortalLogin(_ context.Context, req desk.LoginRequest) (desk.PortalSession, error) {
	f.record("PortalLogin", req)
	if err := f.errs["PortalLogin"]; err != nil {
		return desk.PortalSession{}, err
	}
	if req.Login != fakeCustomer.Login || req.Password != "right" {
		return desk.PortalSession{}, desk.ErrBadLogin
	}
	st := f.portalState()
	st.mu.Lock()
	defer st.mu.Unlock()
	delete(st.sessions, req.Previous)
	token := desk.NewSessionToken()
	st.sessions[token] = fakeCustomer.ID
	return desk.PortalSession{Token: token, Customer: fakeCustomer}, nil
}

func (f *fakeDesk) SessionCustomer(_ context.Context, token string) (models.Customer, error) {
	f.record("SessionCustomer", token)
	st := f.portalState()
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.sessions[token] == fakeCustomer.ID {
		return fakeCustomer, nil
	}
	return models.Customer{}, fmt.Errorf("portal session: %w", desk.ErrNotFound)
}

func (f *fakeDesk) PortalLogout(_ context.Context, token string) error {
	f.record("PortalLogout", token)
	st := f.portalState()
	st.mu.Lock()
	defer st.mu.Unlock()
	delete(st.sessions, token)
	return nil
}

func (f *fakeDesk) mustBeCarl(p desk.Principal) error {
	if p.Kind != ticket.ActorCustomer || p.ID != fakeCustomer.ID {
		return desk.ErrForbidden
	}
	return nil
}

func (f *fakeDesk) PortalTickets(_ context.Context, p desk.Principal) (desk.PortalList, error) {
	f.record("PortalTickets", p)
	if err := f.mustBeCarl(p); err != nil {
		return desk.PortalList{}, err
	}
	out := desk.PortalList{ReadingDays: 90}
	for _, d := range f.tickets {
		if d.Ticket.CustomerID != p.ID {
			continue
		}
		if ticket.State(d.Ticket.State).Closed() {
			out.Closed = append(out.Closed, d.Ticket)
		} else {
			out.Open = append(out.Open, d.Ticket)
		}
	}
	return out, nil
}

func (f *fakeDesk) PortalTicket(_ context.Context, p desk.Principal, number string) (desk.PortalTicketDetail, error) {
	f.record("PortalTicket", p, number)
	if err := f.mustBeCarl(p); err != nil {
		return desk.PortalTicketDetail{}, err
	}
	d, ok := f.tickets[number]
	if !ok || d.Ticket.CustomerID != p.ID {
		return desk.PortalTicketDetail{}, fmt.Errorf("ticket %s: %w", number, desk.ErrNotFound)
	}
	out := desk.PortalTicketDetail{Ticket: d.Ticket, Own: true}
	for _, a := range d.Articles {
		if a.CustomerVisible {
			out.Articles = append(out.Articles, a)
		}
	}
	return out, nil
}

func (f *fakeDesk) PortalChoices(_ context.Context, p desk.Principal, lang string) (desk.PortalChoices, error) {
	f.record("PortalChoices", p, lang)
	if err := f.mustBeCarl(p); err != nil {
		return desk.PortalChoices{}, err
	}
	desc := "Drucken im Pool und im Büro"
	if lang == "en" {
		desc = "Printing in the pools and offices"
	}
	return desk.PortalChoices{Services: []desk.PortalService{{ID: 11, Name: "Printing", Description: desc}},
		Types: f.choices.Types, Urgencies: desk.Urgencies()}, nil
}

func (f *fakeDesk) PortalCreate(_ context.Context, p desk.Principal, req desk.PortalCreateRequest) (ticket.View, error) {
	f.record("PortalCreate", p, req)
	st := f.portalState()
	st.mu.Lock()
	st.creates = append(st.creates, req)
	st.mu.Unlock()
	if err := f.errs["PortalCreate"]; err != nil {
		return ticket.View{}, err
	}
	return f.view(testNumber), nil
}

func (f *fakeDesk) PortalReply(_ context.Context, p desk.Principal, number string, req desk.PortalReplyRequest) (desk.FollowUpResult, error) {
	f.record("PortalReply", p, number, req)
	st := f.portalState()
	st.mu.Lock()
	st.replies = append(st.replies, req)
	st.mu.Unlock()
	if err := f.errs["PortalReply"]; err != nil {
		return desk.FollowUpResult{}, err
	}
	return desk.FollowUpResult{Number: number}, nil
}

func (f *fakeDesk) PortalClose(_ context.Context, p desk.Principal, number string, req desk.PortalCloseRequest) (ticket.View, error) {
	f.record("PortalClose", p, number, req)
	st := f.portalState()
	st.mu.Lock()
	st.closes = append(st.closes, number)
	st.mu.Unlock()
	if err := f.errs["PortalClose"]; err != nil {
		return ticket.View{}, err
	}
	return f.view(number), nil
}

// resetToken is the fake's one good password reset token.
const resetToken = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

func (f *fakeDesk) RequestPasswordReset(_ context.Context, login, client string) error {
	f.record("RequestPasswordReset", login, client)
	return f.errs["RequestPasswordReset"]
}

func (f *fakeDesk) CheckPasswordReset(_ context.Context, token string) error {
	f.record("CheckPasswordReset", token)
	if token != resetToken {
		return fmt.Errorf("password reset: %w", desk.ErrNotFound)
	}
	return nil
}

func (f *fakeDesk) ResetPassword(_ context.Context, token, password string) error {
	f.record("ResetPassword", token, password)
	if token != resetToken {
		return fmt.Errorf("password reset: %w", desk.ErrNotFound)
	}
	if len(password) < 10 {
		return desk.FieldErrors{"password": ticket.P(ticket.FieldRequired)}
	}
	return nil
}
