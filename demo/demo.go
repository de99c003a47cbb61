// Package demo fills an empty kizdesk with a small kiz: a tenant, a service
// catalogue with the queues that follow it, agents of every role, customers
// and a few tickets in different states. `kizdesk dev` runs it at start; it
// adds nothing when the data is already there.
package demo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/calendar"
	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// Password is every demo account's password.
const Password = "demo"

// APIToken is the demo admin's API token. It is only ever set by this demo
// seed, which only `kizdesk dev` runs.
const APIToken = "kizdesk-demo-token"

// Login describes a demo account for the start-up banner.
type Login struct {
	Login, Name string
	Role        string // the role the demo gives the agent
}

// Logins are the demo agents.
var Logins = []Login{
	{"admin", "Anna Admin", models.AdminRole},
	{"helpdesk", "Hannes Helpdesk", "1st level"},
	{"mail", "Maria Mailserver", models.SecondLevelRole("E-Mail & Kalender")},
	{"netz", "Nils Netzwerk", "Team Netzwerk"},
}

// Seed adds the demo data unless the tenant "kiz" exists already, then
// makes sure the demo tickets exist. Tickets are created with fixed request
// keys, so an interrupted seed finishes on the next start without
// duplicates.
func Seed(ctx context.Context, db *gorm.DB, d *desk.Desk) error {
	if err := seedCatalogue(ctx, db); err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	if err := seedSLAs(ctx, db); err != nil {
		return fmt.Errorf("demo SLAs: %w", err)
	}
	if err := seedTickets(ctx, db, d); err != nil {
		return fmt.Errorf("demo tickets: %w", err)
	}
	if err := seedFAQ(ctx, db); err != nil {
		return fmt.Errorf("demo FAQ: %w", err)
	}
	return nil
}

// SeedCatalogue adds the demo tenant with its catalogue, agents, customers
// and SLAs, but no tickets: those need a running desk, and a bulk load
// (kizdesk gen-tickets) brings its own.
func SeedCatalogue(ctx context.Context, db *gorm.DB) error {
	if err := seedCatalogue(ctx, db); err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	if err := seedSLAs(ctx, db); err != nil {
		return fmt.Errorf("demo SLAs: %w", err)
	}
	return nil
}

func seedCatalogue(ctx context.Context, db *gorm.DB) error {
	_, err := models.TenantBySlug(ctx, db, "kiz")
	if err == nil {
		return nil
	}
	if !errors.Is(err, models.ErrNotFound) {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(Password), bcrypt.DefaultCost)
	if err != nil {
		return err
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		kiz := models.Tenant{Slug: "kiz", Name: "Kommunikations- und Informationszentrum (kiz)", Operator: true}
		if err := tx.Create(&kiz).Error; err != nil {
			return err
		}
		queues := map[string]*models.Queue{
			"Helpdesk":          {Name: "Helpdesk", Level: models.LevelFirst, Email: "helpdesk@kiz.example"},
			"E-Mail & Kalender": {Name: "E-Mail & Kalender", Level: models.LevelSecond},
			"Netz & WLAN":       {Name: "Netz & WLAN", Level: models.LevelSecond},
			"Accounts & IDM":    {Name: "Accounts & IDM", Level: models.LevelSecond},
			"Team Netzwerk":     {Name: "Team Netzwerk", Level: models.LevelTeam},
		}
		for _, q := range queues {
			q.TenantID = kiz.ID
			if err := tx.Create(q).Error; err != nil {
				return err
			}
		}
		services := []struct{ name, second string }{
			{"E-Mail & Kalender::Exchange", "E-Mail & Kalender"},
			{"E-Mail & Kalender::Mailinglisten", "E-Mail & Kalender"},
			{"Netz & WLAN::eduroam", "Netz & WLAN"},
			{"Netz & WLAN::VPN", "Netz & WLAN"},
			{"Netz & WLAN::Datendosen", "Team Netzwerk"},
			{"Accounts & IDM::kiz-Account", "Accounts & IDM"},
			{"Accounts & IDM::Passwort", "Accounts & IDM"},
		}
		for _, s := range services {
			second := queues[s.second].ID
			row := models.Service{TenantID: kiz.ID, Name: s.name, QueueID: queues["Helpdesk"].ID, SecondLevelQueueID: &second}
			if err := tx.Create(&row).Error; err != nil {
				return err
			}
		}
		for _, name := range []string{"Incident", "Service Request"} {
			if err := tx.FirstOrCreate(&models.TicketType{}, models.TicketType{Name: name}).Error; err != nil {
				return err
			}
		}
		for i, name := range []string{"1 very low", "2 low", "3 normal", "4 high", "5 very high"} {
			if err := tx.FirstOrCreate(&models.Priority{}, models.Priority{Name: name, Rank: i + 1}).Error; err != nil {
				return err
			}
		}
		roles, err := models.PredefinedRoles(ctx, tx, kiz.ID)
		if err != nil {
			return err
		}
		for _, l := range Logins {
			a := models.Agent{TenantID: kiz.ID, Login: l.Login, Name: l.Name, Email: l.Login + "@kiz.example",
				PasswordHash: string(hash), Active: true}
			if err := tx.Create(&a).Error; err != nil {
				return err
			}
			if err := tx.Create(&models.AgentRole{AgentID: a.ID, RoleID: roles[l.Role].ID, Source: models.RoleManual}).Error; err != nil {
				return err
			}
			if l.Role == models.AdminRole {
				if err := models.CreateAPIToken(ctx, tx, a.ID, "demo", APIToken); err != nil {
					return err
				}
			}
		}
		customers := []models.Customer{
			{Login: "mmuster", Name: "Max Mustermann", Email: "max.mustermann@uni-ulm.example"},
			{Login: "eschmidt", Name: "Erika Schmidt", Email: "erika.schmidt@uni-ulm.example"},
			{Login: "pweber", Name: "Paul Weber", Email: "paul.weber@uni-ulm.example"},
		}
		for _, c := range customers {
			c.TenantID = kiz.ID
			if err := tx.Create(&c).Error; err != nil {
				return err
			}
		}
		return seedWriting(tx, kiz.ID, queues)
	})
}

// seedWriting gives the Helpdesk a signature and two standard responses,
// so the reply form offers them in dev.
func seedWriting(tx *gorm.DB, tenantID int64, queues map[string]*models.Queue) error {
	sig := models.Signature{TenantID: tenantID, Name: "kiz Helpdesk", Active: true,
		BodyDE: "{{.Agent}}\nkiz Helpdesk, Universität Ulm\nTel. 0731 50-30000",
		BodyEN: "{{.Agent}}\nkiz Helpdesk, Ulm University\nPhone +49 731 50-30000"}
	if err := tx.Create(&sig).Error; err != nil {
		return err
	}
	if err := tx.Model(queues["Helpdesk"]).Update("signature_id", sig.ID).Error; err != nil {
		return err
	}
	for _, r := range []models.StandardResponse{
		{Name: "Eingang bestätigt / Received", BodyDE: "Guten Tag {{.Customer}},\n\nwir haben Ihr Anliegen ({{.Number}}) erhalten und kümmern uns darum.",
			BodyEN: "Hello {{.Customer}},\n\nwe have received your request ({{.Number}}) and are working on it."},
		{Name: "Passwort zurückgesetzt / Password reset", BodyDE: "Guten Tag {{.Customer}},\n\nIhr kiz-Passwort ist zurückgesetzt; der Brief mit dem neuen Startpasswort ist unterwegs.",
			BodyEN: "Hello {{.Customer}},\n\nyour kiz password has been reset; the letter with the new start password is on its way."},
	} {
		r.TenantID, r.Active = tenantID, true
		if err := tx.Create(&r).Error; err != nil {
			return err
		}
		if err := tx.Create(&models.StandardResponseQueue{ResponseID: r.ID, QueueID: queues["Helpdesk"].ID}).Error; err != nil {
			return err
		}
	}
	return nil
}

// seedSLAs adds the kiz's calendars and SLAs unless the tenant has
// calendars already: the helpdesk's service times (Mon–Fri 8–18 without
// public holidays in Baden-Württemberg) for every service, and a 24x7 SLA
// for network outages of the highest priority.
func seedSLAs(ctx context.Context, db *gorm.DB) error {
	kiz, err := models.TenantBySlug(ctx, db, "kiz")
	if err != nil {
		return err
	}
	var n int64
	if err := db.WithContext(ctx).Model(&models.Calendar{}).Where("tenant_id = ?", kiz.ID).Count(&n).Error; err != nil || n > 0 {
		return err
	}
	year := time.Now().Year()
	holidays, err := calendar.GermanHolidays("BW", year, year+4)
	if err != nil {
		return err
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		office := models.Calendar{TenantID: kiz.ID, Name: "kiz Servicezeiten", Location: "Europe/Berlin",
			Week: "mon-fri 08:00-18:00", Holidays: strings.Join(holidays, " ")}
		allDay := models.Calendar{TenantID: kiz.ID, Name: "24x7", Location: "Europe/Berlin", Week: "mon-sun 00:00-24:00"}
		for _, c := range []*models.Calendar{&office, &allDay} {
			if err := tx.Create(c).Error; err != nil {
				return err
			}
		}
		var services []models.Service
		if err := tx.Where("tenant_id = ?", kiz.ID).Order("id").Find(&services).Error; err != nil {
			return err
		}
		var top models.Priority
		if err := tx.Where("rank = ?", 5).First(&top).Error; err != nil {
			return err
		}
		for _, s := range services {
			std := models.SLA{TenantID: kiz.ID, Name: "kiz Standard", ServiceID: s.ID, CalendarID: office.ID,
				FirstResponseMinutes: 4 * 60, UpdateMinutes: 8 * 60, SolutionMinutes: 3 * 10 * 60,
				EscalateMinutes: 4 * 60, WarnPercent: 80}
			if err := tx.Create(&std).Error; err != nil {
				return err
			}
			if !strings.HasPrefix(s.Name, "Netz & WLAN::") {
				continue
			}
			crit := models.SLA{TenantID: kiz.ID, Name: "Netz kritisch 24x7", ServiceID: s.ID, PriorityID: &top.ID,
				CalendarID: allDay.ID, FirstResponseMinutes: 30, UpdateMinutes: 2 * 60, SolutionMinutes: 4 * 60,
				EscalateMinutes: 30, WarnPercent: 75}
			if err := tx.Create(&crit).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

type demoTicket struct {
	key, customer, service, typ, priority, title, body string
	note                                               string        // added if set
	close                                              string        // closing state if set
	remindIn                                           time.Duration // pending reminder this far ahead if set
}

var tickets = []demoTicket{
	{key: "demo-1", customer: "mmuster", service: "E-Mail & Kalender::Exchange", typ: "Incident", priority: "4 high",
		title: "Outlook synchronisiert den Kalender nicht mehr",
		body:  "Seit heute früh erscheinen neue Termine nicht mehr auf dem Smartphone."},
	{key: "demo-2", customer: "eschmidt", service: "Netz & WLAN::eduroam", typ: "Incident", priority: "3 normal",
		title: "eduroam in der Bibliothek bricht ab",
		body:  "Im Lesesaal verliere ich alle paar Minuten die Verbindung.",
		note:  "Access Point N27 meldet viele Reassociations; an Team Netzwerk weitergeben."},
	{key: "demo-3", customer: "pweber", service: "Accounts & IDM::Passwort", typ: "Service Request", priority: "3 normal",
		title: "Passwort zurücksetzen",
		body:  "Ich habe mein kiz-Passwort vergessen und komme nicht mehr ins IDM.",
		note:  "Identität am Telefon geprüft, Rücksetzbrief verschickt.", close: string(ticket.StateClosedSuccessful)},
	{key: "demo-4", customer: "mmuster", service: "E-Mail & Kalender::Mailinglisten", typ: "Service Request", priority: "2 low",
		title: "Neue Mailingliste für das Institut",
		body:  "Wir brauchen eine Liste institut-intern@ mit etwa 40 Mitgliedern.",
		note:  "Rückfrage ans Institut: Wer moderiert die Liste?", remindIn: 2 * 24 * time.Hour},
}

func seedTickets(ctx context.Context, db *gorm.DB, d *desk.Desk) error {
	kiz, err := models.TenantBySlug(ctx, db, "kiz")
	if err != nil {
		return err
	}
	agent, err := models.AgentByLogin(ctx, db, "helpdesk")
	if err != nil {
		return err
	}
	if agent.TenantID != kiz.ID {
		return errors.New("demo agent helpdesk is not in tenant kiz")
	}
	choices, err := d.FormChoices(ctx, desk.AgentPrincipal(agent))
	if err != nil {
		return err
	}
	for _, t := range tickets {
		req := desk.CreateTicketRequest{RequestKey: t.key, CustomerLogin: t.customer, Title: t.title, Body: t.body}
		for _, s := range choices.Services {
			if s.Name == t.service {
				req.ServiceID = s.ID
			}
		}
		for _, ty := range choices.Types {
			if ty.Name == t.typ {
				req.TypeID = ty.ID
			}
		}
		for _, p := range choices.Priorities {
			if p.Name == t.priority {
				req.PriorityID = p.ID
			}
		}
		v, err := d.CreateTicket(ctx, desk.AgentPrincipal(agent), req)
		if err != nil {
			return fmt.Errorf("%s: %w", t.key, err)
		}
		// Notes and closing are not idempotent: only do them on a ticket
		// that still holds just its creation entries.
		if v.Seq > 2 {
			continue
		}
		if t.note != "" {
			if v, err = d.AddNote(ctx, desk.AgentPrincipal(agent), v.Number, desk.AddNoteRequest{Kind: string(ticket.ArticleInternalNote), Body: t.note}); err != nil {
				return fmt.Errorf("%s: %w", t.key, err)
			}
		}
		if t.remindIn != 0 {
			if v, err = d.SetPending(ctx, desk.AgentPrincipal(agent), v.Number, desk.PendingRequest{
				State: string(ticket.StatePendingReminder), Until: time.Now().Add(t.remindIn).Truncate(time.Hour)}); err != nil {
				return fmt.Errorf("%s: %w", t.key, err)
			}
		}
		if t.close != "" {
			if _, err = d.Close(ctx, desk.AgentPrincipal(agent), v.Number, desk.CloseRequest{State: t.close}); err != nil {
				return fmt.Errorf("%s: %w", t.key, err)
			}
		}
	}
	return nil
}
