package scale

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/demo"
	"github.com/kiz-ulm/kizdesk/models"
)

// The catalogue a million tickets are spread over: the demo's kiz,
// widened to the size of the real one — more 2nd-level and team queues,
// a service catalogue of two dozen entries, some forty agents and tens of
// thousands of customers. Everything is added only where it is missing,
// so a second run reuses it.

type extraQueue struct {
	name  string
	level models.Level
}

var extraQueues = []extraQueue{
	{"Drucken & Scannen", models.LevelSecond},
	{"Software & Lizenzen", models.LevelSecond},
	{"Web & CMS", models.LevelSecond},
	{"Moodle & E-Learning", models.LevelSecond},
	{"Telefonie", models.LevelSecond},
	{"Arbeitsplatz-PC", models.LevelSecond},
	{"Team Server", models.LevelTeam},
	{"Team Druck", models.LevelTeam},
}

// extraServices: name, 2nd-level queue, relative frequency of tickets.
var extraServices = []struct {
	name, second string
}{
	{"Drucken & Scannen::Follow-Me-Druck", "Drucken & Scannen"},
	{"Drucken & Scannen::Plotter", "Team Druck"},
	{"Software & Lizenzen::Microsoft 365", "Software & Lizenzen"},
	{"Software & Lizenzen::MATLAB", "Software & Lizenzen"},
	{"Software & Lizenzen::Adobe", "Software & Lizenzen"},
	{"Web & CMS::Webauftritt", "Web & CMS"},
	{"Web & CMS::Zertifikate", "Team Server"},
	{"Moodle & E-Learning::Moodle", "Moodle & E-Learning"},
	{"Moodle & E-Learning::Videokonferenz", "Moodle & E-Learning"},
	{"Telefonie::Festnetz", "Telefonie"},
	{"Telefonie::Mobilfunk", "Telefonie"},
	{"Arbeitsplatz-PC::Windows", "Arbeitsplatz-PC"},
	{"Arbeitsplatz-PC::Linux", "Arbeitsplatz-PC"},
	{"Arbeitsplatz-PC::Hardware", "Arbeitsplatz-PC"},
	{"Speicher::Netzlaufwerke", "Team Server"},
	{"Speicher::Backup", "Team Server"},
}

type queueInfo struct {
	ID    int64
	Name  string
	Level models.Level
}

type serviceInfo struct {
	ID     int64
	Name   string
	Second int64 // the 2nd-level (or team) queue
}

type person struct {
	ID   int64
	Name string
}

// catalogue is what the generated tickets refer to.
type catalogue struct {
	tenant     models.Tenant
	helpdesk   queueInfo
	queues     map[int64]queueInfo
	services   []serviceInfo
	types      []int64 // Incident first
	priorities []int64 // by rank, lowest first
	// agents by the level they work at; the 2nd-level and team agents
	// by queue.
	firstLevel []person
	byQueue    map[int64][]person
	customers  []person
}

func ensureCatalogue(ctx context.Context, db *gorm.DB, conn *pgx.Conn, customers int) (catalogue, error) {
	var c catalogue
	if err := demo.SeedCatalogue(ctx, db); err != nil {
		return c, err
	}
	kiz, err := models.TenantBySlug(ctx, db, "kiz")
	if err != nil {
		return c, err
	}
	c.tenant = kiz
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		queues := map[string]int64{}
		var qs []models.Queue
		if err := tx.Where("tenant_id = ?", kiz.ID).Find(&qs).Error; err != nil {
			return err
		}
		for _, q := range qs {
			queues[q.Name] = q.ID
		}
		for _, eq := range extraQueues {
			if _, ok := queues[eq.name]; ok {
				continue
			}
			q := models.Queue{TenantID: kiz.ID, Name: eq.name, Level: eq.level, FollowUpDays: 7}
			if err := tx.Create(&q).Error; err != nil {
				return err
			}
			queues[q.Name] = q.ID
		}
		var have []string
		if err := tx.Model(&models.Service{}).Where("tenant_id = ?", kiz.ID).Pluck("name", &have).Error; err != nil {
			return err
		}
		var cal models.Calendar
		if err := tx.Where("tenant_id = ? AND name = ?", kiz.ID, "kiz Servicezeiten").Take(&cal).Error; err != nil {
			return fmt.Errorf("the demo's calendar: %w", err)
		}
		for _, es := range extraServices {
			if slices.Contains(have, es.name) {
				continue
			}
			second := queues[es.second]
			s := models.Service{TenantID: kiz.ID, Name: es.name, QueueID: queues["Helpdesk"], SecondLevelQueueID: &second}
			if err := tx.Create(&s).Error; err != nil {
				return err
			}
			sla := models.SLA{TenantID: kiz.ID, Name: "kiz Standard", ServiceID: s.ID, CalendarID: cal.ID,
				FirstResponseMinutes: 4 * 60, UpdateMinutes: 8 * 60, SolutionMinutes: 3 * 10 * 60,
				EscalateMinutes: 4 * 60, WarnPercent: 80}
			if err := tx.Create(&sla).Error; err != nil {
				return err
			}
		}
		return ensureAgents(tx, kiz.ID, queues)
	})
	if err != nil {
		return c, fmt.Errorf("catalogue: %w", err)
	}
	if err := ensureCustomers(ctx, db, conn, kiz.ID, customers); err != nil {
		return c, fmt.Errorf("customers: %w", err)
	}
	return loadCatalogue(ctx, db, c)
}

// ensureAgents adds agents until every level has a realistic crew. They
// share the demo's password hash: hashing forty passwords would take
// longer than loading the tickets.
func ensureAgents(tx *gorm.DB, tenantID int64, queues map[string]int64) error {
	var helpdesk models.Agent
	if err := tx.Where("login = ?", "helpdesk").Take(&helpdesk).Error; err != nil {
		return fmt.Errorf("the demo's agent helpdesk: %w", err)
	}
	roles, err := models.PredefinedRoles(tx.Statement.Context, tx, tenantID)
	if err != nil {
		return err
	}
	add := func(login, name, role string) error {
		var n int64
		if err := tx.Model(&models.Agent{}).Where("login = ?", login).Count(&n).Error; err != nil || n > 0 {
			return err
		}
		a := models.Agent{TenantID: tenantID, Login: login, Name: name, Email: login + "@kiz.example",
			PasswordHash: helpdesk.PasswordHash, Active: true}
		if err := tx.Create(&a).Error; err != nil {
			return err
		}
		return tx.Create(&models.AgentRole{AgentID: a.ID, RoleID: roles[role].ID, Source: models.RoleManual}).Error
	}
	for i := range 15 {
		first, last := firstNames[i%len(firstNames)], lastNames[(i*7)%len(lastNames)]
		if err := add(fmt.Sprintf("hd%02d", i+1), first+" "+last, "1st level"); err != nil {
			return err
		}
	}
	i := 0
	for _, eq := range append([]extraQueue{{"E-Mail & Kalender", models.LevelSecond}, {"Netz & WLAN", models.LevelSecond},
		{"Accounts & IDM", models.LevelSecond}, {"Team Netzwerk", models.LevelTeam}}, extraQueues...) {
		role := models.SecondLevelRole(eq.name)
		if eq.level == models.LevelTeam {
			role = eq.name
		}
		for range 3 {
			i++
			first, last := firstNames[(i*3)%len(firstNames)], lastNames[(i*11)%len(lastNames)]
			if err := add(fmt.Sprintf("sl%02d", i), first+" "+last, role); err != nil {
				return err
			}
		}
	}
	return nil
}

// ensureCustomers tops the tenant's customers up to n, with COPY.
func ensureCustomers(ctx context.Context, db *gorm.DB, conn *pgx.Conn, tenantID int64, n int) error {
	var have int64
	if err := db.WithContext(ctx).Model(&models.Customer{}).Where("tenant_id = ?", tenantID).Count(&have).Error; err != nil {
		return err
	}
	var generated int64
	if err := db.WithContext(ctx).Model(&models.Customer{}).Where("tenant_id = ? AND login LIKE 'k%' AND email LIKE '%@uni-ulm.example'",
		tenantID).Count(&generated).Error; err != nil {
		return err
	}
	now := time.Now().UTC()
	var rows [][]any
	for i := generated; have+int64(len(rows)) < int64(n); i++ {
		first, last := firstNames[int(i)%len(firstNames)], lastNames[int(i/int64(len(firstNames)))%len(lastNames)]
		login := fmt.Sprintf("k%06d", i+1)
		rows = append(rows, []any{tenantID, login, first + " " + last, login + "@uni-ulm.example", now})
	}
	if len(rows) == 0 {
		return nil
	}
	_, err := conn.CopyFrom(ctx, pgx.Identifier{"customers"}, []string{"tenant_id", "login", "name", "email", "created_at"},
		pgx.CopyFromRows(rows))
	return err
}

func loadCatalogue(ctx context.Context, db *gorm.DB, c catalogue) (catalogue, error) {
	db = db.WithContext(ctx)
	var qs []models.Queue
	if err := db.Where("tenant_id = ?", c.tenant.ID).Order("id").Find(&qs).Error; err != nil {
		return c, err
	}
	c.queues = map[int64]queueInfo{}
	for _, q := range qs {
		c.queues[q.ID] = queueInfo{q.ID, q.Name, q.Level}
		if q.Name == "Helpdesk" {
			c.helpdesk = c.queues[q.ID]
		}
	}
	var ss []models.Service
	if err := db.Where("tenant_id = ?", c.tenant.ID).Order("id").Find(&ss).Error; err != nil {
		return c, err
	}
	for _, s := range ss {
		si := serviceInfo{ID: s.ID, Name: s.Name, Second: c.helpdesk.ID}
		if s.SecondLevelQueueID != nil {
			si.Second = *s.SecondLevelQueueID
		}
		c.services = append(c.services, si)
	}
	var types []models.TicketType
	if err := db.Order("name").Find(&types).Error; err != nil {
		return c, err
	}
	for _, t := range types {
		c.types = append(c.types, t.ID)
	}
	ps, err := models.Priorities(ctx, db)
	if err != nil {
		return c, err
	}
	for _, p := range ps {
		c.priorities = append(c.priorities, p.ID)
	}
	if len(c.priorities) != 5 || len(c.types) == 0 || c.helpdesk.ID == 0 {
		return c, fmt.Errorf("tenant kiz lacks the demo's five priorities, its ticket types or its Helpdesk queue")
	}
	agents, err := models.AgentsOfTenant(ctx, db, c.tenant.ID)
	if err != nil {
		return c, err
	}
	c.byQueue = map[int64][]person{}
	for _, a := range agents {
		p := person{a.ID, a.Name}
		access, err := models.AgentAccess(ctx, db, c.tenant.ID, a.ID)
		if err != nil {
			return c, err
		}
		if access.Admin || slices.Contains(access.Roles, "1st level") {
			c.firstLevel = append(c.firstLevel, p)
			continue
		}
		for _, q := range qs {
			if slices.Contains(access.Queues[q.ID], "rw") && !hasPerson(c.byQueue, p.ID) {
				c.byQueue[q.ID] = append(c.byQueue[q.ID], p)
			}
		}
	}
	for _, q := range qs {
		if len(c.byQueue[q.ID]) == 0 {
			c.byQueue[q.ID] = c.firstLevel
		}
	}
	var cs []models.Customer
	if err := db.Select("id", "name").Where("tenant_id = ?", c.tenant.ID).Order("id").Find(&cs).Error; err != nil {
		return c, err
	}
	for _, cu := range cs {
		c.customers = append(c.customers, person{cu.ID, cu.Name})
	}
	return c, nil
}

func hasPerson(m map[int64][]person, id int64) bool {
	for _, ps := range m {
		for _, p := range ps {
			if p.ID == id {
				return true
			}
		}
	}
	return false
}
