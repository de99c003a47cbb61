package desk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"mime"
	"strconv"
	"strings"

	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// Upload is a file an agent or customer attaches to an article, as the
// form brought it.
type Upload struct {
	Name string
	Type string // the media type the browser gave; may be empty
	Data []byte
}

// checkUploads records what is wrong with the files under field and
// returns what the workflow is told about them. The content is stored
// only once everything else about the request was found right
// (storeUploads), so a refused form leaves nothing behind.
func checkUploads(fe FieldErrors, field string, ups []Upload) []ticket.File {
	if len(ups) == 0 {
		return nil
	}
	files := make([]ticket.File, len(ups))
	for i, u := range ups {
		sum := sha256.Sum256(u.Data)
		files[i] = ticket.File{SHA256: hex.EncodeToString(sum[:]), Name: fileName(u.Name, i), Type: mediaType(u.Type), Size: int64(len(u.Data))}
	}
	if p, bad := ticket.CheckFiles(files); bad {
		fe[field] = p
	}
	return files
}

// fileName is the name a file is kept under: the last element of what
// the browser sent (old browsers send the whole path), trimmed; a file
// without a name is "file-N".
func fileName(name string, i int) string {
	name = strings.TrimSpace(name)
	if j := strings.LastIndexAny(name, `/\`); j >= 0 {
		name = strings.TrimSpace(name[j+1:])
	}
	if name == "" || name == "." || name == ".." {
		return "file-" + strconv.Itoa(i+1)
	}
	return name
}

// mediaType keeps the browser's media type if it is one, else
// application/octet-stream. It is never trusted: downloads are always
// sent as attachments, and mail carries it only as a hint.
func mediaType(t string) string {
	t = strings.TrimSpace(t)
	if mt, _, err := mime.ParseMediaType(t); err == nil && len(mt) <= 100 && !strings.ContainsAny(mt, "\x00\r\n") {
		return mt
	}
	return "application/octet-stream"
}

// storeUploads stores the files' content before the workflow records the
// article that names them.
func (d *Desk) storeUploads(ctx context.Context, ups []Upload) error {
	if len(ups) == 0 {
		return nil
	}
	data := make([][]byte, len(ups))
	for i, u := range ups {
		data[i] = u.Data
	}
	_, err := models.StoreAttachmentData(ctx, d.db, data)
	return wrapf(err, "store %d files", len(ups))
}

// checkMinutes records a problem with the working time given with an
// article: none (0) or up to a working day.
func checkMinutes(fe FieldErrors, minutes int) {
	if minutes < 0 || minutes > ticket.MaxTimeMinutes {
		fe["minutes"] = ticket.P(ticket.FieldMinutes, "Max", strconv.Itoa(ticket.MaxTimeMinutes))
	}
}

// ArticleFile is a file of an article with its content.
type ArticleFile struct {
	models.ArticleFile
	Data []byte
}

// File returns file n of article seq of the ticket: for an agent who may
// read the ticket, or for its customer when the article is one the
// customer sees.
func (d *Desk) File(ctx context.Context, p Principal, number string, seq, n int) (ArticleFile, error) {
	var out ArticleFile
	if p.Kind != ticket.ActorAgent && p.Kind != ticket.ActorCustomer {
		return out, ErrForbidden
	}
	t, err := d.readable(ctx, p, number)
	if err != nil {
		return out, err
	}
	out.ArticleFile, out.Data, err = models.ArticleFileData(ctx, d.db, p.TenantID, t.Number, seq, n, !p.IsAgent())
	return out, err
}
