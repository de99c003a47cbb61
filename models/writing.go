package models

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// QueueResponses returns the active standard responses assigned to a queue
// of the tenant, by name: what the reply form of the queue's tickets
// offers.
func QueueResponses(ctx context.Context, db *gorm.DB, tenantID, queueID int64) ([]StandardResponse, error) {
	var rs []StandardResponse
	err := db.WithContext(ctx).
		Where("tenant_id = ? AND active = ? AND id IN (?)", tenantID, true,
			db.Model(&StandardResponseQueue{}).Select("response_id").Where("queue_id = ?", queueID)).
		Order("name").Order("id").Find(&rs).Error
	return rs, wrap(err, fmt.Sprintf("standard responses of queue %d", queueID))
}

// QueueSignature returns the signature of a queue of the tenant, if it has
// one and the signature is active.
func QueueSignature(ctx context.Context, db *gorm.DB, tenantID, queueID int64) (Signature, bool, error) {
	var ss []Signature
	err := db.WithContext(ctx).
		Where("tenant_id = ? AND active = ? AND id = (?)", tenantID, true,
			db.Model(&Queue{}).Select("signature_id").Where("tenant_id = ? AND id = ?", tenantID, queueID)).
		Limit(1).Find(&ss).Error
	if err != nil || len(ss) == 0 {
		return Signature{}, false, wrap(err, fmt.Sprintf("signature of queue %d", queueID))
	}
	return ss[0], true, nil
}
