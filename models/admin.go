package models

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// EnsureTenant returns the tenant with slug, creating it with name and
// its predefined roles if it does not exist. The first tenant is the
// operator tenant.
func EnsureTenant(ctx context.Context, db *gorm.DB, slug, name string) (Tenant, error) {
	t := Tenant{Slug: slug, Name: name}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&Tenant{}).Count(&n).Error; err != nil {
			return err
		}
		t.Operator = n == 0
		if err := tx.Where(Tenant{Slug: slug}).FirstOrCreate(&t).Error; err != nil {
			return err
		}
		_, err := PredefinedRoles(ctx, tx, t.ID)
		return err
	})
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
