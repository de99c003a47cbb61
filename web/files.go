package web

import (
	"fmt"
	"io"
	"math"
	"mime/multipart"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// The forms that may carry files (multipart/form-data): their posts may be
// as large as an article's files allow; every other form stays below
// maxFormBody.
var uploadRoutes = map[string]bool{
	"/agent/tickets":                 true,
	"/agent/tickets/:number/notes":   true,
	"/agent/tickets/:number/replies": true,
	// The standard-response button posts the reply or note form, files
	// and all; it ignores them.
	"/agent/tickets/:number/draft": true,
}

const (
	// maxUploadBody bounds a post with files: all of an article's files
	// and its text, with room for the multipart framing.
	maxUploadBody = ticket.MaxFilesSize + 2<<20
	// maxUploadMemory is how much of a post with files is held in memory;
	// the rest goes to temporary files, which net/http removes after the
	// request.
	maxUploadMemory = 8 << 20
)

// formUploads reads the files posted under field. An empty file input
// posts a part without a name and content: it is no file.
func formUploads(c *gin.Context, field string) ([]desk.Upload, error) {
	mf := c.Request.MultipartForm
	if mf == nil {
		return nil, nil
	}
	var out []desk.Upload
	for _, fh := range mf.File[field] {
		if fh.Filename == "" && fh.Size == 0 {
			continue
		}
		data, err := readUpload(fh)
		if err != nil {
			return nil, fmt.Errorf("read file %q: %w", fh.Filename, err)
		}
		out = append(out, desk.Upload{Name: fh.Filename, Type: fh.Header.Get("Content-Type"), Data: data})
	}
	return out, nil
}

func readUpload(fh *multipart.FileHeader) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// ArticleExtras are what the reply and note forms (and the phone ticket)
// take besides the text: working time, and whether files came along —
// a form handed back cannot keep them, so it asks to attach them again.
type ArticleExtras struct {
	Minutes  string
	HadFiles bool
}

// postedExtras reads the extras; a bad number of minutes is a field error.
func postedExtras(c *gin.Context, fe desk.FieldErrors) (ArticleExtras, int, []desk.Upload, error) {
	x := ArticleExtras{Minutes: strings.TrimSpace(c.PostForm("minutes"))}
	minutes := 0
	if x.Minutes != "" {
		n, err := strconv.Atoi(x.Minutes)
		if err != nil {
			fe["minutes"] = ticket.P(ticket.FieldBadNumber)
		}
		minutes = n
	}
	files, err := formUploads(c, "files")
	x.HadFiles = len(files) > 0
	return x, minutes, files, err
}

// badFileNames tells whether a post's file parts have field names with
// bad bytes (their file names are the desk's to check).
func badFileNames(mf *multipart.Form) bool {
	if mf == nil {
		return false
	}
	for k := range mf.File {
		if _, bad := ticket.CheckText(k, ticket.Line, math.MaxInt); bad {
			return true
		}
	}
	return false
}

// extrasPart is what the article_extras template shows: the inputs for
// files and working time of the form with id prefix ID.
type extrasPart struct {
	ID                                            string
	X                                             ArticleExtras
	Fields                                        map[string]string
	MaxFiles, MaxFileMiB, MaxTotalMiB, MaxMinutes int
}

// Extras wraps an article form's extras for {{template "article_extras"}}.
func (t texts) Extras(id string, x ArticleExtras, fields map[string]string) part {
	return t.With(extrasPart{ID: id, X: x, Fields: fields, MaxFiles: ticket.MaxFiles, MaxFileMiB: ticket.MaxFileSize >> 20,
		MaxTotalMiB: ticket.MaxFilesSize >> 20, MaxMinutes: ticket.MaxTimeMinutes})
}
