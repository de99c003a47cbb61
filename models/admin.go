package models

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// Roles lists the agent roles in the order admins think of them.
var Roles = []Role{RoleAdmin, RoleFirstLevel, RoleSecondLevel, RoleTeam}

// EnsureTenant returns the tenant with slug, creating it with name if it
// does not exist.
func EnsureTenant(ctx context.Context, db *gorm.DB, slug, name string) (Tenant, error) {
	t := Tenant{Slug: slug, Name: name}
	err := db.WithContext(ctx).Where(Tenant{Slug: slug}).FirstOrCreate(&t).Error
	if err != nil {
		return t, fmt.Errorf("tenant %s: %w", slug, err)
	}
	return t, nil
}

// CreateAgent stores a new agent; the login must be unused.
func CreateAgent(ctx context.Context, db *gorm.DB, a *Agent) error {
	var n int64
	if err := db.WithContext(ctx).Model(&Agent{}).Where("login = ?", a.Login).Count(&n).Error; err != nil {
		return fmt.Errorf("create agent %s: %w", a.Login, err)
	}
	if n > 0 {
		return fmt.Errorf("create agent %s: the login is taken", a.Login)
	}
	if err := db.WithContext(ctx).Create(a).Error; err != nil {
		return fmt.Errorf("create agent %s: %w", a.Login, err)
	}
	return nil
}
