package activities

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// ProjectTicket writes the ticket row, its new articles and history entries
// in one transaction. Entries already written (Seq at or below the row's
// LastSeq) are skipped, so a retried activity writes nothing twice. The
// result's Head is the keyed hash of the ticket's last entry, also when the
// call wrote nothing: the workflow keeps it as an anchor outside the
// database.
func (a *Activities) ProjectTicket(ctx context.Context, in ticket.ProjectTicketInput) (ticket.ProjectTicketResult, error) {
	var res ticket.ProjectTicketResult
	var mails, notes []int64
	err := a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		t, err := upsertTicket(tx, in)
		if err != nil {
			return err
		}
		res.TicketID = t.ID
		res.LastSeq = t.LastSeq
		prev, err := lastHash(tx, t.ID)
		if err != nil {
			return err
		}
		for _, ev := range in.Events {
			if ev.Seq <= prev.Seq {
				continue
			}
			if ev.Seq != prev.Seq+1 {
				return fmt.Errorf("ticket %s: history entry %d follows %d: %w", in.Ticket.Number, ev.Seq, prev.Seq, errGap)
			}
			h, err := appendEvent(tx, a.AuditKey, t.ID, prev.Hash, ev)
			if err != nil {
				return fmt.Errorf("ticket %s: history entry %d: %w", in.Ticket.Number, ev.Seq, err)
			}
			if ev.Notify != nil {
				if err := addNotification(tx, t, ev); err != nil {
					return fmt.Errorf("ticket %s: history entry %d: %w", in.Ticket.Number, ev.Seq, err)
				}
			}
			prev = h
		}
		res.Head = prev.Hash
		if a.Mail != nil {
			// Answers to the customer and notifications are written with
			// their entries; delivery starts once they are committed.
			if mails, err = a.queueReplies(tx, t, in.Events); err != nil {
				return fmt.Errorf("ticket %s: %w", in.Ticket.Number, err)
			}
			if notes, err = a.wantedNotifications(tx, t, in.Events); err != nil {
				return fmt.Errorf("ticket %s: %w", in.Ticket.Number, err)
			}
		}
		if res.LastSeq > lastSeq(in) {
			// A late projection: the row is newer already, and so are its
			// watchers.
			return nil
		}
		if err := syncWatchers(tx, t.ID, in.Ticket.Watchers); err != nil {
			return fmt.Errorf("ticket %s: %w", in.Ticket.Number, err)
		}
		if err := addLinks(tx, in.Ticket); err != nil {
			return fmt.Errorf("ticket %s: %w", in.Ticket.Number, err)
		}
		return nil
	})
	if err != nil {
		err = fmt.Errorf("project ticket %s: %w", in.Ticket.Number, err)
		if refusedForGood(err) {
			// Retrying cannot help: the workflow undoes the change and
			// tells whoever asked.
			return res, temporal.NewNonRetryableApplicationError(err.Error(), ticket.ErrProjectionRejected, err)
		}
		return res, err
	}
	if err := a.startMail(ctx, mails, notes); err != nil {
		// Retried: the transaction finds everything written and returns
		// the same mails and notifications to start.
		return res, fmt.Errorf("project ticket %s: %w", in.Ticket.Number, err)
	}
	return res, nil
}

// startMail starts the delivery of mails and notifications just written;
// each starts once, however often this runs.
func (a *Activities) startMail(ctx context.Context, mails, notes []int64) error {
	if a.Mail == nil || a.Mail.Starter == nil || len(mails)+len(notes) == 0 {
		return nil
	}
	if err := a.Mail.Deliver(ctx, a.Mail.Starter, mails...); err != nil {
		return err
	}
	for _, id := range notes {
		if err := a.Mail.Notify(ctx, a.Mail.Starter, id); err != nil {
			return err
		}
	}
	return nil
}

// refusedForGood tells whether the database refused the change itself
// (bad data, a broken constraint) rather than being unreachable, busy or
// in the middle of something: only then is retrying pointless. A unique
// violation is not among them — a projection racing its own retry hits
// one, and the next attempt finds the rows and succeeds.
func refusedForGood(err error) bool {
	if errors.Is(err, errGap) {
		return true
	}
	var pg interface{ SQLState() string }
	if errors.As(err, &pg) {
		code := pg.SQLState()
		return strings.HasPrefix(code, "22") || (strings.HasPrefix(code, "23") && code != "23505")
	}
	var lite interface{ Code() int }
	if errors.As(err, &lite) {
		const tooBig, constraint, mismatch = 18, 19, 20 // SQLite's primary result codes
		switch lite.Code() & 0xff {
		case tooBig, mismatch:
			return true
		case constraint:
			return !strings.Contains(err.Error(), "UNIQUE")
		}
	}
	return false
}

var errGap = fmt.Errorf("history has a gap")

var errNoAuditKey = fmt.Errorf("no audit key to hash the history with")

func lastSeq(in ticket.ProjectTicketInput) int {
	n := 0
	for _, ev := range in.Events {
		n = max(n, ev.Seq)
	}
	return n
}

func upsertTicket(tx *gorm.DB, in ticket.ProjectTicketInput) (models.Ticket, error) {
	s := in.Ticket
	row := models.Ticket{
		TenantID:   s.TenantID,
		Number:     s.Number,
		Title:      s.Title,
		State:      s.State,
		Level:      models.Level(s.Level),
		QueueID:    s.QueueID,
		ServiceID:  optionalID(s.ServiceID),
		TypeID:     s.TypeID,
		PriorityID: s.PriorityID,
		OwnerID:    optionalID(s.OwnerID),
		CustomerID: s.CustomerID,
		Channel:    s.Channel,
		LastSeq:    lastSeq(in),
		CreatedAt:  s.CreatedAt.UTC(),
		UpdatedAt:  s.UpdatedAt.UTC(),
	}
	row.ClosedAt = optionalTime(s.ClosedAt)
	row.ResponsibleID = optionalID(s.ResponsibleID)
	row.Locked = s.Locked
	row.PendingUntil = optionalTime(s.PendingUntil)
	row.ReminderDue = optionalTime(s.ReminderDue)
	row.TimeSpentMinutes = s.TimeSpent
	row.MergedInto = s.MergedInto
	sla := s.SLA
	row.SLAName = sla.Name
	row.FirstResponseDue = optionalTime(sla.FirstResponseDue)
	row.UpdateDue = optionalTime(sla.UpdateDue)
	row.SolutionDue = optionalTime(sla.SolutionDue)
	row.EscalationDue = optionalTime(sla.EscalationDue)
	row.FirstResponseAt = optionalTime(sla.FirstResponseAt)
	row.EscalatedAt = optionalTime(sla.EscalatedAt)
	if !sla.FirstResponseAt.IsZero() {
		secs := int64(sla.FirstResponseTime / time.Second)
		row.FirstResponseSeconds = &secs
	}
	if !s.ClosedAt.IsZero() {
		secs := int64(sla.SolutionTime / time.Second)
		row.SolutionSeconds = &secs
	}
	row.FirstResponseBreached = sla.FirstResponseBreached
	row.UpdateBreached = sla.UpdateBreached
	row.SolutionBreached = sla.SolutionBreached
	var existing []models.Ticket
	if err := tx.Where("number = ?", s.Number).Limit(1).Find(&existing).Error; err != nil {
		return row, fmt.Errorf("read ticket: %w", err)
	}
	if len(existing) == 0 {
		if err := tx.Create(&row).Error; err != nil {
			return row, fmt.Errorf("insert ticket: %w", err)
		}
		return row, nil
	}
	cur := existing[0]
	if cur.LastSeq >= row.LastSeq {
		// A retry of a projection that already landed, or an older one
		// arriving late: the row is already as new or newer.
		return cur, nil
	}
	row.ID = cur.ID
	err := tx.Model(&models.Ticket{}).Where("id = ?", cur.ID).Select("*").Omit("id", "created_at").Updates(&row).Error
	if err != nil {
		return row, fmt.Errorf("update ticket: %w", err)
	}
	return row, nil
}

func lastHash(tx *gorm.DB, ticketID int64) (models.HistoryEntry, error) {
	var hs []models.HistoryEntry
	err := tx.Where("ticket_id = ?", ticketID).Order("seq DESC").Limit(1).Find(&hs).Error
	if err != nil {
		return models.HistoryEntry{}, fmt.Errorf("read last history entry: %w", err)
	}
	if len(hs) == 0 {
		return models.HistoryEntry{}, nil
	}
	return hs[0], nil
}

// appendEvent writes one history entry (and its article), its hash keyed
// with key.
func appendEvent(tx *gorm.DB, key models.AuditKey, ticketID int64, prevHash string, ev ticket.HistoryEvent) (models.HistoryEntry, error) {
	if key.ID == "" {
		return models.HistoryEntry{}, errNoAuditKey
	}
	h := models.HistoryEntry{
		TicketID:  ticketID,
		Seq:       ev.Seq,
		Event:     ev.Event,
		ActorKind: string(ev.Actor.Kind),
		ActorID:   ev.Actor.ID,
		ActorName: ev.Actor.Name,
		ActorVia:  ev.Actor.Via,
		Field:     ev.Field,
		OldValue:  ev.Old,
		NewValue:  ev.New,
		CreatedAt: ev.At.UTC().Truncate(time.Microsecond),
		PrevHash:  prevHash,
		KeyID:     key.ID,
	}
	var art *models.Article
	if ev.Article != nil {
		art = &models.Article{
			TicketID:        ticketID,
			Seq:             ev.Seq,
			Kind:            ev.Article.Kind,
			CustomerVisible: ev.Article.CustomerVisible,
			Author:          ev.Actor.Name,
			Subject:         ev.Article.Subject,
			Body:            ev.Article.Body,
			CreatedAt:       h.CreatedAt,
			TimeMinutes:     ev.Article.Minutes,
		}
		if err := tx.Create(art).Error; err != nil {
			return h, fmt.Errorf("insert article: %w", err)
		}
		for i, f := range ev.Article.Files {
			art.Files = append(art.Files, models.ArticleFile{ArticleID: art.ID, Seq: i + 1, SHA256: f.SHA256,
				Filename: f.Name, ContentType: f.Type, Size: f.Size})
		}
		if err := models.CreateArticleFiles(tx, art.Files); err != nil {
			return h, err
		}
		h.ArticleID = &art.ID
	}
	h.Hash = models.HistoryHash(key, h, art)
	if err := tx.Create(&h).Error; err != nil {
		return h, fmt.Errorf("insert history: %w", err)
	}
	return h, nil
}

// addNotification raises the entry's notification; the entry's sequence
// number makes it once only, like the entry itself.
func addNotification(tx *gorm.DB, t models.Ticket, ev ticket.HistoryEvent) error {
	n := models.Notification{
		TenantID: t.TenantID, TicketID: t.ID, Seq: ev.Seq, Kind: ev.Notify.Kind,
		QueueID: optionalID(ev.Notify.QueueID), AgentID: optionalID(ev.Notify.AgentID),
		CreatedAt: ev.At.UTC(),
	}
	if err := tx.Create(&n).Error; err != nil {
		return fmt.Errorf("insert notification: %w", err)
	}
	return nil
}

// syncWatchers makes the ticket's watcher rows the given set.
func syncWatchers(tx *gorm.DB, ticketID int64, agentIDs []int64) error {
	var have []int64
	if err := tx.Model(&models.TicketWatcher{}).Where("ticket_id = ?", ticketID).Pluck("agent_id", &have).Error; err != nil {
		return fmt.Errorf("read watchers: %w", err)
	}
	for _, id := range have {
		if !slices.Contains(agentIDs, id) {
			if err := tx.Where("ticket_id = ? AND agent_id = ?", ticketID, id).Delete(&models.TicketWatcher{}).Error; err != nil {
				return fmt.Errorf("remove watcher: %w", err)
			}
		}
	}
	for _, id := range agentIDs {
		if !slices.Contains(have, id) {
			if err := tx.Create(&models.TicketWatcher{TicketID: ticketID, AgentID: id}).Error; err != nil {
				return fmt.Errorf("add watcher: %w", err)
			}
		}
	}
	return nil
}

// addLinks stores the ticket's links; links are never removed by a
// projection, so an older snapshot cannot undo one.
func addLinks(tx *gorm.DB, s ticket.Snapshot) error {
	for _, other := range s.Links {
		l := models.TicketLink{TenantID: s.TenantID, ANumber: min(s.Number, other), BNumber: max(s.Number, other),
			CreatedAt: s.UpdatedAt.UTC()}
		var n int64
		if err := tx.Model(&models.TicketLink{}).Where("tenant_id = ? AND a_number = ? AND b_number = ?",
			l.TenantID, l.ANumber, l.BNumber).Count(&n).Error; err != nil {
			return fmt.Errorf("read link: %w", err)
		}
		if n > 0 {
			continue
		}
		if err := tx.Create(&l).Error; err != nil {
			return fmt.Errorf("add link: %w", err)
		}
	}
	return nil
}

func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func optionalID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}
