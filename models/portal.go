package models

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
)

// The customer portal's sessions and reads. Customers' sessions live in a
// table of their own, beside the agents' web_sessions: a customer's token
// is never found where an agent's is looked up, nor the other way round.

// PortalSession is the server-side record of a customer's browser session.
type PortalSession struct {
	ID         string // HashToken of the cookie's token
	CustomerID int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	RevokedAt  *time.Time
}

// StartPortalSession records a new session of a customer for token and
// revokes the session of previous ("" for none) in the same transaction;
// sessions created before expired are deleted, at most limit of them.
func StartPortalSession(ctx context.Context, db *gorm.DB, token, previous string, customerID int64, now, expired time.Time, limit int) error {
	now = dbTime(now)
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if previous != "" {
			if err := tx.Model(&PortalSession{}).Where("id = ? AND revoked_at IS NULL", HashToken(previous)).
				Update("revoked_at", now).Error; err != nil {
				return err
			}
		}
		if err := tx.Create(&PortalSession{ID: HashToken(token), CustomerID: customerID, CreatedAt: now, LastSeenAt: now}).Error; err != nil {
			return err
		}
		return tx.Where("id IN (?)", tx.Model(&PortalSession{}).Select("id").
			Where("created_at < ?", dbTime(expired)).Limit(limit)).Delete(&PortalSession{}).Error
	})
	return wrap(err, "start portal session")
}

// PortalSessionCustomer returns the active customer of token's session, if
// the session is neither revoked nor created before since, and when it was
// last seen. ErrNotFound otherwise.
func PortalSessionCustomer(ctx context.Context, db *gorm.DB, token string, since time.Time) (Customer, time.Time, error) {
	var row struct {
		Customer
		LastSeenAt time.Time
	}
	err := db.WithContext(ctx).Model(&Customer{}).
		Select("customers.*, portal_sessions.last_seen_at").
		Joins("JOIN portal_sessions ON portal_sessions.customer_id = customers.id").
		Joins("JOIN tenants ON tenants.id = customers.tenant_id").
		Where("portal_sessions.id = ? AND portal_sessions.revoked_at IS NULL AND portal_sessions.created_at >= ? AND customers.active AND tenants.active",
			HashToken(token), dbTime(since)).
		Take(&row).Error
	if err != nil {
		return Customer{}, time.Time{}, notFound(err, "portal session")
	}
	return row.Customer, row.LastSeenAt, nil
}

// TouchPortalSession records that token's session was used at now.
func TouchPortalSession(ctx context.Context, db *gorm.DB, token string, now time.Time) error {
	err := db.WithContext(ctx).Model(&PortalSession{}).Where("id = ?", HashToken(token)).
		Update("last_seen_at", dbTime(now)).Error
	return wrap(err, "touch portal session")
}

// RevokePortalSession ends the session of token; an unknown or revoked
// one stays as it is.
func RevokePortalSession(ctx context.Context, db *gorm.DB, token string, now time.Time) error {
	err := db.WithContext(ctx).Model(&PortalSession{}).Where("id = ? AND revoked_at IS NULL", HashToken(token)).
		Update("revoked_at", dbTime(now)).Error
	return wrap(err, "revoke portal session")
}

// CustomersByLogin returns the customers of any tenant with the login
// (case-insensitive), active or not, at most ten: the portal's login has
// no tenant to go by.
func CustomersByLogin(ctx context.Context, db *gorm.DB, login string) ([]Customer, error) {
	var cs []Customer
	err := db.WithContext(ctx).Where("LOWER(login) = LOWER(?)", login).Order("id").Limit(10).Find(&cs).Error
	return cs, wrap(err, "customer by login")
}

// CompanyCustomerIDs returns the IDs of the tenant's customers of a company.
func CompanyCustomerIDs(ctx context.Context, db *gorm.DB, tenantID, companyID int64) ([]int64, error) {
	var ids []int64
	err := db.WithContext(ctx).Model(&Customer{}).Where("tenant_id = ? AND company_id = ?", tenantID, companyID).
		Order("id").Pluck("id", &ids).Error
	return ids, wrap(err, "customers of the company")
}

// PortalTickets lists the tickets of the customers (newest first, at most
// limit): those in one of open, and those in one of closed that were closed
// at or after closedSince.
func PortalTickets(ctx context.Context, db *gorm.DB, tenantID int64, customers []int64, open, closed []string, closedSince time.Time, limit int) ([]TicketRow, error) {
	var rows []TicketRow
	err := ticketRows(ctx, db).
		Where("tickets.tenant_id = ? AND tickets.customer_id IN ?", tenantID, customers).
		Where("tickets.state IN ? OR (tickets.state IN ? AND tickets.closed_at >= ?)", open, closed, dbTime(closedSince)).
		Order("tickets.created_at DESC, tickets.id DESC").Limit(limit).Scan(&rows).Error
	return rows, wrap(err, "the customer's tickets")
}

// CustomerArticles returns a ticket's articles the customer may read, in order.
func CustomerArticles(ctx context.Context, db *gorm.DB, ticketID int64) ([]Article, error) {
	var as []Article
	if err := db.WithContext(ctx).Where("ticket_id = ? AND customer_visible", ticketID).Order("seq").Find(&as).Error; err != nil {
		return nil, wrap(err, "list customer-visible articles")
	}
	return as, LoadArticleFiles(db.WithContext(ctx), as)
}

// PortalServices returns the tenant's active services that have a portal
// description, by name.
func PortalServices(ctx context.Context, db *gorm.DB, tenantID int64) ([]Service, error) {
	var ss []Service
	err := db.WithContext(ctx).Where("tenant_id = ? AND active AND (portal_description_de <> '' OR portal_description_en <> '')", tenantID).
		Order("name, id").Find(&ss).Error
	return ss, wrap(err, "portal services")
}

// PortalPasswordReset is one password reset link of a customer's.
type PortalPasswordReset struct {
	ID         string // HashToken of the link's token
	CustomerID int64
	CreatedAt  time.Time
	ExpiresAt  time.Time
	UsedAt     *time.Time
}

// StartPasswordReset records a reset token for a customer, valid until
// expires; resets created before expired are deleted, at most limit.
func StartPasswordReset(ctx context.Context, db *gorm.DB, token string, customerID int64, now, expires, expired time.Time, limit int) error {
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&PortalPasswordReset{ID: HashToken(token), CustomerID: customerID, CreatedAt: dbTime(now),
			ExpiresAt: dbTime(expires)}).Error; err != nil {
			return err
		}
		return tx.Where("id IN (?)", tx.Model(&PortalPasswordReset{}).Select("id").
			Where("created_at < ?", dbTime(expired)).Limit(limit)).Delete(&PortalPasswordReset{}).Error
	})
	return wrap(err, "start password reset")
}

// PasswordResetCustomer returns the customer of an unused, unexpired reset
// token. ErrNotFound otherwise.
func PasswordResetCustomer(ctx context.Context, db *gorm.DB, token string, now time.Time) (Customer, error) {
	var c Customer
	err := db.WithContext(ctx).Model(&Customer{}).Select("customers.*").
		Joins("JOIN portal_password_resets ON portal_password_resets.customer_id = customers.id").
		Where("portal_password_resets.id = ? AND portal_password_resets.used_at IS NULL AND portal_password_resets.expires_at > ? AND customers.active",
			HashToken(token), dbTime(now)).Take(&c).Error
	return c, notFound(err, "password reset")
}

// ResetPassword sets a customer's password with a reset token, once: the
// token is used up, the customer's other reset tokens too, and their
// portal sessions end. ErrNotFound if the token is not (or no longer) good.
func ResetPassword(ctx context.Context, db *gorm.DB, token, hash string, now time.Time) (Customer, error) {
	var c Customer
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if c, err = PasswordResetCustomer(ctx, tx, token, now); err != nil {
			return err
		}
		res := tx.Model(&PortalPasswordReset{}).Where("customer_id = ? AND used_at IS NULL", c.ID).Update("used_at", dbTime(now))
		if res.Error != nil {
			return res.Error
		}
		if err := tx.Model(&Customer{}).Where("id = ?", c.ID).Update("password_hash", hash).Error; err != nil {
			return err
		}
		return tx.Model(&PortalSession{}).Where("customer_id = ? AND revoked_at IS NULL", c.ID).Update("revoked_at", dbTime(now)).Error
	})
	if errors.Is(err, ErrNotFound) {
		return c, err
	}
	return c, wrap(err, "reset password")
}
