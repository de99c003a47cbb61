package models

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// StoreAttachmentData stores files' content, each once by its SHA-256
// (content already there is kept as it is), and returns the sums in the
// files' order. The desk calls it before it asks a ticket's workflow to
// record an article with the files: the article then names content that
// is in the database.
func StoreAttachmentData(ctx context.Context, db *gorm.DB, data [][]byte) ([]string, error) {
	sums := make([]string, len(data))
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for i, d := range data {
			sum := sha256.Sum256(d)
			sums[i] = hex.EncodeToString(sum[:])
			a := Attachment{SHA256: sums[i], Size: int64(len(d)), Data: d}
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&a).Error; err != nil {
				return fmt.Errorf("store attachment %s: %w", sums[i], err)
			}
		}
		return nil
	})
	return sums, err
}

// AttachmentsExist tells which of the sums have stored content.
func AttachmentsExist(ctx context.Context, db *gorm.DB, sums []string) (map[string]bool, error) {
	have := map[string]bool{}
	if len(sums) == 0 {
		return have, nil
	}
	var found []string
	if err := db.WithContext(ctx).Model(&Attachment{}).Where("sha256 IN ?", sums).Pluck("sha256", &found).Error; err != nil {
		return nil, fmt.Errorf("attachments: %w", err)
	}
	for _, s := range found {
		have[s] = true
	}
	return have, nil
}

// CreateArticleFiles writes an article's file rows.
func CreateArticleFiles(tx *gorm.DB, files []ArticleFile) error {
	if len(files) == 0 {
		return nil
	}
	if err := tx.Create(&files).Error; err != nil {
		return fmt.Errorf("insert article files: %w", err)
	}
	return nil
}

// LoadArticleFiles fills in the files of the articles.
func LoadArticleFiles(db *gorm.DB, arts []Article) error {
	if len(arts) == 0 {
		return nil
	}
	ids := make([]int64, len(arts))
	at := make(map[int64]int, len(arts))
	for i, a := range arts {
		ids[i], at[a.ID] = a.ID, i
	}
	var files []ArticleFile
	if err := db.Where("article_id IN ?", ids).Order("article_id, seq").Find(&files).Error; err != nil {
		return fmt.Errorf("read article files: %w", err)
	}
	for _, f := range files {
		a := &arts[at[f.ArticleID]]
		a.Files = append(a.Files, f)
	}
	return nil
}

// ArticleFileData returns file n (1-based) of the article seq of the
// tenant's ticket, with its content. customerOnly: only from an article
// the customer sees.
func ArticleFileData(ctx context.Context, db *gorm.DB, tenantID int64, number string, seq, n int, customerOnly bool) (ArticleFile, []byte, error) {
	var f ArticleFile
	q := db.WithContext(ctx).Model(&ArticleFile{}).
		Joins("JOIN articles ON articles.id = article_files.article_id").
		Joins("JOIN tickets ON tickets.id = articles.ticket_id").
		Where("tickets.tenant_id = ? AND tickets.number = ? AND articles.seq = ? AND article_files.seq = ?", tenantID, number, seq, n)
	if customerOnly {
		q = q.Where("articles.customer_visible")
	}
	what := fmt.Sprintf("file %d of article %d of ticket %s", n, seq, number)
	if err := q.Select("article_files.*").Take(&f).Error; err != nil {
		return f, nil, notFound(err, what)
	}
	var a Attachment
	if err := db.WithContext(ctx).Where("sha256 = ?", f.SHA256).Take(&a).Error; err != nil {
		return f, nil, notFound(err, "content of "+what)
	}
	return f, a.Data, nil
}
