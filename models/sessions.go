package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Web sessions, the forms a refusal hands back, and login attempts. Session
// tokens are stored as their SHA-256 (HashToken), like API tokens: the
// table alone does not let anyone take over a session.

// WebSession is the server-side record of a logged-in browser session.
type WebSession struct {
	ID         string // HashToken of the cookie's token
	AgentID    int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	RevokedAt  *time.Time
}

// WebFormState is a form handed back once after a refusal.
type WebFormState struct {
	SessionID string `gorm:"primaryKey"`
	FormKey   string `gorm:"primaryKey"`
	Data      string
	CreatedAt time.Time
}

// LoginAttempt is one login attempt that has not (yet) succeeded.
type LoginAttempt struct {
	ID        int64
	LoginKey  string
	Client    string
	CreatedAt time.Time
}

// dbTime is how these functions store and compare times: UTC, to the
// microsecond PostgreSQL keeps, so SQLite's text times compare in order.
func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// StartWebSession records a new session of agent for token and, in the
// same transaction, revokes the session of previous (the browser's session
// before the login; "" for none), so a login never keeps an old session
// alive. Sessions created before expired are deleted, at most limit of
// them, so the table stays bounded without a job.
func StartWebSession(ctx context.Context, db *gorm.DB, token, previous string, agentID int64, now, expired time.Time, limit int) error {
	now = dbTime(now)
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if previous != "" {
			if err := revoke(tx, HashToken(previous), now); err != nil {
				return err
			}
		}
		if err := tx.Create(&WebSession{ID: HashToken(token), AgentID: agentID, CreatedAt: now, LastSeenAt: now}).Error; err != nil {
			return err
		}
		return tx.Where("id IN (?)", tx.Model(&WebSession{}).Select("id").
			Where("created_at < ?", dbTime(expired)).Limit(limit)).Delete(&WebSession{}).Error
	})
	return wrap(err, "start web session")
}

func revoke(tx *gorm.DB, id string, now time.Time) error {
	if err := tx.Where("session_id = ?", id).Delete(&WebFormState{}).Error; err != nil {
		return err
	}
	return tx.Model(&WebSession{}).Where("id = ? AND revoked_at IS NULL", id).Update("revoked_at", now).Error
}

// RevokeWebSession ends the session of token; its handed-back forms go
// with it. Revoking an unknown or revoked session does nothing.
func RevokeWebSession(ctx context.Context, db *gorm.DB, token string, now time.Time) error {
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return revoke(tx, HashToken(token), dbTime(now))
	})
	return wrap(err, "revoke web session")
}

// WebSessionAgent returns the active agent of token's session, if the
// session is neither revoked nor created before since, and when the
// session was last seen. ErrNotFound otherwise.
func WebSessionAgent(ctx context.Context, db *gorm.DB, token string, since time.Time) (Agent, time.Time, error) {
	var row struct {
		Agent
		LastSeenAt time.Time
	}
	err := db.WithContext(ctx).Model(&Agent{}).
		Select("agents.*, web_sessions.last_seen_at").
		Joins("JOIN web_sessions ON web_sessions.agent_id = agents.id").
		Where("web_sessions.id = ? AND web_sessions.revoked_at IS NULL AND web_sessions.created_at >= ? AND agents.active",
			HashToken(token), dbTime(since)).
		Take(&row).Error
	if err != nil {
		return Agent{}, time.Time{}, notFound(err, "web session")
	}
	return row.Agent, row.LastSeenAt, nil
}

// TouchWebSession records that token's session was used at now.
func TouchWebSession(ctx context.Context, db *gorm.DB, token string, now time.Time) error {
	err := db.WithContext(ctx).Model(&WebSession{}).Where("id = ?", HashToken(token)).
		Update("last_seen_at", dbTime(now)).Error
	return wrap(err, "touch web session")
}

// SetAgentActive activates or deactivates an agent. Deactivating revokes
// every session of the agent in the same transaction: whoever still holds
// one of its cookies is logged out at their next request.
func SetAgentActive(ctx context.Context, db *gorm.DB, agentID int64, active bool, now time.Time) error {
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Agent{}).Where("id = ?", agentID).Update("active", active)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrNotFound
		}
		if active {
			return nil
		}
		return RevokeAgentSessions(ctx, tx, agentID, now)
	})
	return wrap(err, fmt.Sprintf("set agent %d active=%t", agentID, active))
}

// SaveFormState keeps data under key for token's session, replacing what
// was kept under key before. The session keeps at most keep forms; forms
// of any session saved before expired are deleted, at most limit of them.
func SaveFormState(ctx context.Context, db *gorm.DB, token, key string, data []byte, now, expired time.Time, keep, limit int) error {
	id := HashToken(token)
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "session_id"}, {Name: "form_key"}},
			DoUpdates: clause.AssignmentColumns([]string{"data", "created_at"}),
		}).Create(&WebFormState{SessionID: id, FormKey: key, Data: string(data), CreatedAt: dbTime(now)}).Error
		if err != nil {
			return err
		}
		newest := tx.Model(&WebFormState{}).Select("form_key").Where("session_id = ?", id).
			Order("created_at DESC").Limit(keep)
		if err := tx.Where("session_id = ? AND form_key NOT IN (?)", id, newest).Delete(&WebFormState{}).Error; err != nil {
			return err
		}
		old := tx.Model(&WebFormState{}).Select("session_id, form_key").
			Where("created_at < ?", dbTime(expired)).Limit(limit)
		return tx.Where("(session_id, form_key) IN (?)", old).Delete(&WebFormState{}).Error
	})
	return wrap(err, "save form state")
}

// TakeFormState returns and deletes what was kept under key for token's
// session, if it was saved at or after since; nil if nothing was.
func TakeFormState(ctx context.Context, db *gorm.DB, token, key string, since time.Time) ([]byte, error) {
	id := HashToken(token)
	var st WebFormState
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Where("session_id = ? AND form_key = ?", id, key).Take(&st).Error
		if err != nil {
			return err
		}
		return tx.Where("session_id = ? AND form_key = ?", id, key).Delete(&WebFormState{}).Error
	})
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, wrap(err, "take form state")
	}
	if st.CreatedAt.Before(dbTime(since)) {
		return nil, nil
	}
	return []byte(st.Data), nil
}

// RecordLoginAttempt records an attempt to log in as loginKey from client
// at now and returns its ID. Attempts made before expired are deleted, at
// most limit of them, so the table stays bounded without a job.
func RecordLoginAttempt(ctx context.Context, db *gorm.DB, loginKey, client string, now, expired time.Time, limit int) (int64, error) {
	a := LoginAttempt{LoginKey: loginKey, Client: client, CreatedAt: dbTime(now)}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&a).Error; err != nil {
			return err
		}
		return tx.Where("id IN (?)", tx.Model(&LoginAttempt{}).Select("id").
			Where("created_at < ?", dbTime(expired)).Limit(limit)).Delete(&LoginAttempt{}).Error
	})
	return a.ID, wrap(err, "record login attempt")
}

// LoginAttemptTimes returns the times of the newest n attempts since since
// for loginKey (column "login_key") or a client (column "client"), newest
// first, leaving out the attempt numbered except.
func LoginAttemptTimes(ctx context.Context, db *gorm.DB, column, value string, since time.Time, except int64, n int) ([]time.Time, error) {
	if column != "login_key" && column != "client" {
		return nil, fmt.Errorf("login attempts by %q: no such column", column)
	}
	var out []time.Time
	err := db.WithContext(ctx).Model(&LoginAttempt{}).
		Where(column+" = ? AND created_at >= ? AND id <> ?", value, dbTime(since), except).
		Order("created_at DESC").Limit(n).Pluck("created_at", &out).Error
	return out, wrap(err, "count login attempts")
}

// ForgetLoginAttempt deletes one attempt: one that was refused without
// trying the password, or one that succeeded.
func ForgetLoginAttempt(ctx context.Context, db *gorm.DB, id int64) error {
	return wrap(db.WithContext(ctx).Where("id = ?", id).Delete(&LoginAttempt{}).Error, "forget login attempt")
}

// ForgetLoginAttemptsOf deletes the attempts on loginKey: the login
// succeeded, its account starts afresh.
func ForgetLoginAttemptsOf(ctx context.Context, db *gorm.DB, loginKey string) error {
	return wrap(db.WithContext(ctx).Where("login_key = ?", loginKey).Delete(&LoginAttempt{}).Error, "forget login attempts")
}
