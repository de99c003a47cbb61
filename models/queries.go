package models

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// notFound wraps err with what was looked for, gorm's not-found as
// ErrNotFound; nil stays nil.
func notFound(err error, what string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// TenantBySlug returns the tenant with the given slug.
func TenantBySlug(ctx context.Context, db *gorm.DB, slug string) (Tenant, error) {
	var t Tenant
	err := db.WithContext(ctx).Where("slug = ?", slug).Take(&t).Error
	if err != nil {
		return t, notFound(err, "tenant "+slug)
	}
	return t, nil
}

// activeTenant joins an agents query to the agent's tenant, which must
// be active: an admin who switches a tenant off switches off its logins
// and tokens.
const activeTenant = "JOIN tenants ON tenants.id = agents.tenant_id AND tenants.active"

// AgentByLogin returns the active agent of an active tenant with the
// given login.
func AgentByLogin(ctx context.Context, db *gorm.DB, login string) (Agent, error) {
	var a Agent
	err := db.WithContext(ctx).Joins(activeTenant).Where("agents.login = ? AND agents.active", login).Take(&a).Error
	if err != nil {
		return a, notFound(err, "agent "+login)
	}
	return a, nil
}

// AgentRecordByLogin returns the agent with the login, active or not: a
// deactivated agent from the directory must not be made anew at login.
func AgentRecordByLogin(ctx context.Context, db *gorm.DB, login string) (Agent, error) {
	var a Agent
	if err := db.WithContext(ctx).Where("login = ?", login).Take(&a).Error; err != nil {
		return a, notFound(err, "agent "+login)
	}
	return a, nil
}

// FindCustomers returns up to limit active customers of a tenant whose
// login, name or mail contains query, ignoring case.
func FindCustomers(ctx context.Context, db *gorm.DB, tenantID int64, query string, limit, offset int) ([]Customer, error) {
	like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(strings.ToLower(query)) + "%"
	var cs []Customer
	err := db.WithContext(ctx).Where("tenant_id = ? AND active AND source <> ?", tenantID, SourceExternal).
		Where(`LOWER(login) LIKE ? ESCAPE '\' OR LOWER(name) LIKE ? ESCAPE '\' OR LOWER(email) LIKE ? ESCAPE '\'`, like, like, like).
		Order("name, login").Limit(limit).Offset(offset).Find(&cs).Error
	return cs, wrap(err, "find customers")
}

// CustomerLogins tells which of the logins (lower-cased) are the tenant's
// customers already, active or not.
func CustomerLogins(ctx context.Context, db *gorm.DB, tenantID int64, logins []string) (map[string]bool, error) {
	known := map[string]bool{}
	if len(logins) == 0 {
		return known, nil
	}
	lower := make([]string, len(logins))
	for i, l := range logins {
		lower[i] = strings.ToLower(l)
	}
	var found []string
	err := db.WithContext(ctx).Model(&Customer{}).Where("tenant_id = ? AND LOWER(login) IN ?", tenantID, lower).Pluck("login", &found).Error
	for _, l := range found {
		known[strings.ToLower(l)] = true
	}
	return known, wrap(err, "known customers")
}

// AgentByID returns the active agent with the given ID.
func AgentByID(ctx context.Context, db *gorm.DB, id int64) (Agent, error) {
	var a Agent
	err := db.WithContext(ctx).Where("id = ? AND active", id).Take(&a).Error
	if err != nil {
		return a, notFound(err, fmt.Sprintf("agent %d", id))
	}
	return a, nil
}

// SetAgentLanguage stores the interface language an active agent of
// tenantID chose.
func SetAgentLanguage(ctx context.Context, db *gorm.DB, tenantID, id int64, lang string) error {
	res := db.WithContext(ctx).Model(&Agent{}).Where("id = ? AND tenant_id = ? AND active", id, tenantID).
		Update("language", lang)
	if res.Error != nil {
		return fmt.Errorf("agent %d language: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("agent %d: %w", id, ErrNotFound)
	}
	return nil
}

// SetAgentTimeZone stores the time zone an active agent of tenantID
// chose; the desk has checked that it loads.
func SetAgentTimeZone(ctx context.Context, db *gorm.DB, tenantID, id int64, zone string) error {
	res := db.WithContext(ctx).Model(&Agent{}).Where("id = ? AND tenant_id = ? AND active", id, tenantID).
		Update("time_zone", zone)
	if res.Error != nil {
		return fmt.Errorf("agent %d time zone: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("agent %d: %w", id, ErrNotFound)
	}
	return nil
}

// HashToken is how API tokens are stored: a token is a long random secret,
// so a plain SHA-256 is enough and allows looking it up.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// AgentByToken returns the active agent an API token belongs to.
func AgentByToken(ctx context.Context, db *gorm.DB, token string) (Agent, error) {
	var a Agent
	err := db.WithContext(ctx).
		Joins("JOIN api_tokens ON api_tokens.agent_id = agents.id").Joins(activeTenant).
		Where("api_tokens.token_hash = ? AND agents.active", HashToken(token)).
		Take(&a).Error
	if err != nil {
		return a, notFound(err, "api token")
	}
	return a, nil
}

// TokenOwner returns the active agent an API token belongs to and, for an
// integration's token, the integration's name.
func TokenOwner(ctx context.Context, db *gorm.DB, token string) (Agent, string, error) {
	var row struct {
		Agent
		Integration string
	}
	err := db.WithContext(ctx).Model(&Agent{}).
		Select("agents.*, api_tokens.integration").
		Joins("JOIN api_tokens ON api_tokens.agent_id = agents.id").Joins(activeTenant).
		Where("api_tokens.token_hash = ? AND agents.active", HashToken(token)).
		Take(&row).Error
	if err != nil {
		return Agent{}, "", notFound(err, "api token")
	}
	return row.Agent, row.Integration, nil
}

// CreateAPIToken stores the hash of token for the agent.
func CreateAPIToken(ctx context.Context, db *gorm.DB, agentID int64, name, token string) error {
	t := APIToken{AgentID: agentID, Name: name, TokenHash: HashToken(token)}
	if err := db.WithContext(ctx).Create(&t).Error; err != nil {
		return fmt.Errorf("create api token: %w", err)
	}
	return nil
}

// CustomerByID returns a customer of the tenant.
func CustomerByID(ctx context.Context, db *gorm.DB, tenantID, id int64) (Customer, error) {
	var c Customer
	err := db.WithContext(ctx).Where("tenant_id = ? AND id = ?", tenantID, id).Take(&c).Error
	if err != nil {
		return c, notFound(err, "customer")
	}
	return c, nil
}

// CreateIntegrationToken stores the hash of a token that speaks as the
// integration (e.g. "mail gateway") in the agent's tenant.
func CreateIntegrationToken(ctx context.Context, db *gorm.DB, agentID int64, integration, token string) error {
	t := APIToken{AgentID: agentID, Name: integration, Integration: integration, TokenHash: HashToken(token)}
	if err := db.WithContext(ctx).Create(&t).Error; err != nil {
		return fmt.Errorf("create integration token: %w", err)
	}
	return nil
}

// CustomerByLogin returns the tenant's customer with the given login.
func CustomerByLogin(ctx context.Context, db *gorm.DB, tenantID int64, login string) (Customer, error) {
	var c Customer
	err := db.WithContext(ctx).Where("tenant_id = ? AND login = ?", tenantID, login).Take(&c).Error
	if err != nil {
		return c, notFound(err, "customer "+login)
	}
	return c, nil
}

// Customers lists the tenant's customers by name.
func Customers(ctx context.Context, db *gorm.DB, tenantID int64) ([]Customer, error) {
	var cs []Customer
	err := db.WithContext(ctx).Where("tenant_id = ?", tenantID).Order("name").Find(&cs).Error
	return cs, wrap(err, "list customers")
}

// Queues lists the tenant's queues by name.
func Queues(ctx context.Context, db *gorm.DB, tenantID int64) ([]Queue, error) {
	var qs []Queue
	err := db.WithContext(ctx).Where("tenant_id = ?", tenantID).Order("name").Find(&qs).Error
	return qs, wrap(err, "list queues")
}

// QueueByID returns the tenant's queue with the given ID.
func QueueByID(ctx context.Context, db *gorm.DB, tenantID, id int64) (Queue, error) {
	var q Queue
	err := db.WithContext(ctx).Where("tenant_id = ? AND id = ?", tenantID, id).Take(&q).Error
	if err != nil {
		return q, notFound(err, fmt.Sprintf("queue %d", id))
	}
	return q, nil
}

// Services lists the tenant's service catalogue by name.
func Services(ctx context.Context, db *gorm.DB, tenantID int64) ([]Service, error) {
	var ss []Service
	err := db.WithContext(ctx).Where("tenant_id = ?", tenantID).Order("name").Find(&ss).Error
	return ss, wrap(err, "list services")
}

// ServiceByID returns the tenant's service with the given ID.
func ServiceByID(ctx context.Context, db *gorm.DB, tenantID, id int64) (Service, error) {
	var s Service
	err := db.WithContext(ctx).Where("tenant_id = ? AND id = ?", tenantID, id).Take(&s).Error
	if err != nil {
		return s, notFound(err, fmt.Sprintf("service %d", id))
	}
	return s, nil
}

// TicketTypes lists the ticket types by name.
func TicketTypes(ctx context.Context, db *gorm.DB) ([]TicketType, error) {
	var ts []TicketType
	err := db.WithContext(ctx).Order("name").Find(&ts).Error
	return ts, wrap(err, "list ticket types")
}

// Priorities lists the priorities from the lowest to the highest.
func Priorities(ctx context.Context, db *gorm.DB) ([]Priority, error) {
	var ps []Priority
	err := db.WithContext(ctx).Order("rank").Find(&ps).Error
	return ps, wrap(err, "list priorities")
}

func wrap(err error, what string) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}

// QueueCount is one line of the queue overview.
type QueueCount struct {
	Queue
	New  int
	Open int
	All  int // every ticket not closed or merged
}

// QueueCounts counts the tenant's open work per queue; queues without open
// tickets are listed with zeros.
func QueueCounts(ctx context.Context, db *gorm.DB, tenantID int64, openStates []string, newState string) ([]QueueCount, error) {
	queues, err := Queues(ctx, db, tenantID)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		QueueID int64
		State   string
		N       int
	}
	err = db.WithContext(ctx).Model(&Ticket{}).
		Select("queue_id, state, count(*) AS n").
		Where("tenant_id = ? AND state IN ?", tenantID, openStates).
		Group("queue_id, state").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("count tickets per queue: %w", err)
	}
	byQueue := map[int64]*QueueCount{}
	out := make([]QueueCount, len(queues))
	for i, q := range queues {
		out[i].Queue = q
		byQueue[q.ID] = &out[i]
	}
	for _, r := range rows {
		c := byQueue[r.QueueID]
		if c == nil {
			continue
		}
		c.All += r.N
		if r.State == newState {
			c.New += r.N
		} else {
			c.Open += r.N
		}
	}
	return out, nil
}

// TicketRow is a ticket with the names a list or zoom shows.
type TicketRow struct {
	Ticket
	QueueName       string
	ServiceName     string
	TypeName        string
	PriorityName    string
	PriorityRank    int
	CustomerName    string
	CustomerLogin   string
	OwnerName       string
	ResponsibleName string
}

// ticketRowColumns are a ticket's columns with the names a list shows.
// The names are scalar subqueries rather than joins: each is a look-up by
// primary key in a small table either way, but seven joins cost PostgreSQL
// more time choosing a join order (20–30 ms on two cores, measured with
// BenchmarkScale) than running the whole query for a page of 500 rows.
const ticketRowColumns = `tickets.*,
	(SELECT name FROM queues WHERE queues.id = tickets.queue_id) AS queue_name,
	(SELECT name FROM services WHERE services.id = tickets.service_id) AS service_name,
	(SELECT name FROM ticket_types WHERE ticket_types.id = tickets.type_id) AS type_name,
	(SELECT name FROM priorities WHERE priorities.id = tickets.priority_id) AS priority_name,
	(SELECT rank FROM priorities WHERE priorities.id = tickets.priority_id) AS priority_rank,
	(SELECT name FROM customers WHERE customers.id = tickets.customer_id) AS customer_name,
	(SELECT login FROM customers WHERE customers.id = tickets.customer_id) AS customer_login,
	(SELECT name FROM agents WHERE agents.id = tickets.owner_id) AS owner_name,
	(SELECT name FROM agents WHERE agents.id = tickets.responsible_id) AS responsible_name`

func ticketRows(ctx context.Context, db *gorm.DB) *gorm.DB {
	return db.WithContext(ctx).Table("tickets").Select(ticketRowColumns)
}

// pageRows adds the names to the tickets whose IDs page selects: for lists
// that find their page in an index first, so that only the page's rows
// are read, whatever the planner guesses about the rest.
func pageRows(ctx context.Context, db *gorm.DB, page *gorm.DB) *gorm.DB {
	return db.WithContext(ctx).Table("(?) AS page", page).Select(ticketRowColumns).
		Joins("JOIN tickets ON tickets.id = page.id")
}

// TicketsInQueue lists a queue's tickets in the given states, the most
// urgent and oldest first, at most limit of them.
func TicketsInQueue(ctx context.Context, db *gorm.DB, tenantID, queueID int64, states []string, limit int) ([]TicketRow, error) {
	return TicketsInQueueAfter(ctx, db, tenantID, queueID, states, nil, limit)
}

// QueueKey is a ticket's place in a queue list (TicketsInQueue's order):
// the next page starts after it.
type QueueKey struct {
	PriorityRank int
	CreatedAt    time.Time
	ID           int64
}

// Key is the row's place in its queue list.
func (r TicketRow) Key() QueueKey { return QueueKey{r.PriorityRank, r.CreatedAt, r.ID} }

// TicketsInQueueAfter lists what TicketsInQueue does, starting after the
// ticket at after (nil: from the start).
//
// It asks once per priority, highest rank first, until the page is full:
// the rank lives in the priorities table, so one query ordered by it would
// make the database join and sort every open ticket of the queue before
// it could return the first. Per priority, the order is (created_at, id),
// which the open-tickets index (tickets_queue_open) holds: each query
// reads just the rows it returns.
func TicketsInQueueAfter(ctx context.Context, db *gorm.DB, tenantID, queueID int64, states []string, after *QueueKey, limit int) ([]TicketRow, error) {
	ps, err := Priorities(ctx, db)
	if err != nil {
		return nil, err
	}
	var out []TicketRow
	for i := len(ps) - 1; i >= 0 && len(out) < limit; i-- {
		p := ps[i]
		if after != nil && p.Rank > after.PriorityRank {
			continue
		}
		q := ticketRows(ctx, db).
			Where("tickets.tenant_id = ? AND tickets.queue_id = ? AND tickets.priority_id = ? AND tickets.state IN ? AND tickets.archived_at IS NULL",
				tenantID, queueID, p.ID, states)
		if after != nil && p.Rank == after.PriorityRank {
			q = q.Where("(tickets.created_at, tickets.id) > (?, ?)", after.CreatedAt.UTC(), after.ID)
		}
		var rows []TicketRow
		err := q.Order("tickets.created_at ASC, tickets.id ASC").Limit(limit - len(out)).Scan(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("list queue tickets: %w", err)
		}
		out = append(out, rows...)
	}
	return out, nil
}

// TicketByNumber returns the tenant's ticket with the given number.
func TicketByNumber(ctx context.Context, db *gorm.DB, tenantID int64, number string) (TicketRow, error) {
	var rows []TicketRow
	err := ticketRows(ctx, db).
		Where("tickets.tenant_id = ? AND tickets.number = ?", tenantID, number).
		Limit(1).Scan(&rows).Error
	if err != nil {
		return TicketRow{}, fmt.Errorf("ticket %s: %w", number, err)
	}
	if len(rows) == 0 {
		return TicketRow{}, fmt.Errorf("ticket %s: %w", number, ErrNotFound)
	}
	return rows[0], nil
}

// Articles returns a ticket's articles in order, with their files.
func Articles(ctx context.Context, db *gorm.DB, ticketID int64) ([]Article, error) {
	var as []Article
	if err := db.WithContext(ctx).Where("ticket_id = ?", ticketID).Order("seq").Find(&as).Error; err != nil {
		return nil, wrap(err, "list articles")
	}
	return as, LoadArticleFiles(db.WithContext(ctx), as)
}

// History returns a ticket's history in order.
func History(ctx context.Context, db *gorm.DB, ticketID int64) ([]HistoryEntry, error) {
	var hs []HistoryEntry
	err := db.WithContext(ctx).Where("ticket_id = ?", ticketID).Order("seq").Find(&hs).Error
	return hs, wrap(err, "list history")
}

// ClaimRequestKey records that the create request key makes ticket number.
// If the key was used before, it returns what was recorded then, and the
// caller must use that ticket instead of making a new one.
func ClaimRequestKey(ctx context.Context, db *gorm.DB, tenantID int64, key, number, fingerprint string) (TicketRequest, error) {
	r := TicketRequest{TenantID: tenantID, RequestKey: key, TicketNumber: number, Fingerprint: fingerprint, CreatedAt: time.Now().UTC()}
	err := db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&r).Error
	if err != nil {
		return r, fmt.Errorf("claim request key: %w", err)
	}
	got, found, err := RequestByKey(ctx, db, tenantID, key)
	if err == nil && !found {
		err = fmt.Errorf("request key %q: claimed and gone", key)
	}
	return got, err
}

// ReleaseRequestKey forgets that key makes ticket number, if no such
// ticket was stored: a create the database refused for good may be sent
// again.
func ReleaseRequestKey(ctx context.Context, db *gorm.DB, tenantID int64, key, number string) error {
	err := db.WithContext(ctx).
		Where("tenant_id = ? AND request_key = ? AND ticket_number = ?", tenantID, key, number).
		Where("NOT EXISTS (SELECT 1 FROM tickets WHERE tickets.number = ticket_requests.ticket_number)").
		Delete(&TicketRequest{}).Error
	return wrap(err, "release request key")
}

// RequestByKey returns what a create request key made, if it was used:
// the ticket number and the request's fingerprint ("" when the key was
// claimed before fingerprints were kept).
func RequestByKey(ctx context.Context, db *gorm.DB, tenantID int64, key string) (TicketRequest, bool, error) {
	var got []TicketRequest
	err := db.WithContext(ctx).Where("tenant_id = ? AND request_key = ?", tenantID, key).Limit(1).Find(&got).Error
	if err != nil {
		return TicketRequest{}, false, fmt.Errorf("look up request key: %w", err)
	}
	if len(got) == 0 {
		return TicketRequest{}, false, nil
	}
	return got[0], true, nil
}

// OpenTicketsOfCustomer lists a customer's other tickets in the given
// states (the zoom's customer panel), newest first, at most limit.
func OpenTicketsOfCustomer(ctx context.Context, db *gorm.DB, tenantID, customerID, exceptID int64, states []string, limit int) ([]TicketRow, error) {
	var rows []TicketRow
	err := ticketRows(ctx, db).Where("tickets.customer_id = ? AND tickets.tenant_id = ? AND tickets.id <> ? AND tickets.state IN ?",
		customerID, tenantID, exceptID, states).Order("tickets.created_at DESC, tickets.id DESC").Limit(limit).Scan(&rows).Error
	return rows, wrap(err, "tickets of the customer")
}
