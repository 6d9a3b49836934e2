package sqlstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"guichet/internal/app"
	"guichet/internal/desk"
)

// commentColumns are read by scanComment; the instant as an expression (see
// time.go).
const commentColumns = `id, ticket_id, author_id, body, private, mentions, likes, coalesce(created_at, NULL)`

func scanComment(row scanner) (desk.Comment, error) {
	var c desk.Comment
	err := scanCommentTo(row, &c)
	return c, err
}

// scanCommentTo scans commentColumns into c.
func scanCommentTo(row scanner, c *desk.Comment) error {
	var mentions string
	err := row.Scan(&c.ID, &c.TicketID, &c.AuthorID, &c.Body, &c.Private, &mentions, &c.Likes, at(&c.CreatedAt))
	if err != nil {
		return err
	}
	c.Mentions, err = decodeList[int64](mentions)
	return err
}

// CreateComment stores c and sets its ID (and CreatedAt when zero).
func (q *queries) CreateComment(ctx context.Context, c *desk.Comment) error {
	stamp(&c.CreatedAt)
	err := q.q.QueryRowContext(ctx, `
		INSERT INTO comments (ticket_id, author_id, body, private, mentions, likes, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		RETURNING id`,
		c.TicketID, c.AuthorID, c.Body, c.Private, encodeList(c.Mentions), c.Likes, c.CreatedAt).Scan(&c.ID)
	return q.d.wrap(err, "ticket_id", "create comment")
}

// CreateCommentWithEvent stores c and e, the event that records it, whose data
// is data with c's id; e comes with its ticket, sequence number, actor, time,
// kind, privacy and previous hash. It sets c's ID (and CreatedAt when zero),
// e's ID, Data and Hash. On PostgreSQL one statement stores both, the event
// sealed in SQL (see insertSealedEvent): one round trip less with the ticket
// locked.
func (q *queries) CreateCommentWithEvent(ctx context.Context, c *desk.Comment, e *desk.Event, data app.NumberedData) error {
	if err := checkActor(e); err != nil {
		return err
	}
	e.At = dbTime(e.At)
	if q.d != Postgres {
		if err := q.CreateComment(ctx, c); err != nil {
			return err
		}
		return q.appendNumbered(ctx, e, e.TicketID, c.ID, data)
	}
	stamp(&c.CreatedAt)
	var a args
	query := `WITH c AS (
			INSERT INTO comments (ticket_id, author_id, body, private, mentions, likes, created_at)
			VALUES (` + a.add(c.TicketID) + `, ` + a.add(c.AuthorID) + `, ` + a.add(c.Body) + `, ` + a.add(c.Private) + `, ` +
		a.add(encodeList(c.Mentions)) + `, ` + a.add(c.Likes) + `, ` + a.add(c.CreatedAt) + `)
			RETURNING id
		), e AS (` + insertSealedEvent(&a, "c", a.add(e.TicketID)+"::int8", "c.id", e, data) + `)
		SELECT c.id, e.id, e.hash FROM c, e`
	var (
		id     int64
		stored []byte
	)
	if err := q.q.QueryRowContext(ctx, query, a...).Scan(&c.ID, &id, &stored); err != nil {
		return q.d.wrap(err, "ticket_id", "create comment")
	}
	return wrapErr(checkSealed(e, e.TicketID, c.ID, id, data, stored), "create comment")
}

// Comment loads one comment.
func (q *queries) Comment(ctx context.Context, id int64) (*desk.Comment, error) {
	return queryOne(ctx, q.q, "comment", scanComment, `SELECT `+commentColumns+` FROM comments WHERE id = $1`, id)
}

// ListComments lists a ticket's comments by id (oldest first) after p.After;
// private ones only when withPrivate.
func (q *queries) ListComments(ctx context.Context, ticketID int64, withPrivate bool, p desk.Page) ([]desk.Comment, error) {
	where := `ticket_id = $1 AND id > $2`
	if !withPrivate {
		where += ` AND NOT private`
	}
	n := limit(p)
	return scanList(ctx, q.q, "list comments", n, scanCommentTo, `SELECT `+commentColumns+` FROM comments WHERE `+where+
		` ORDER BY id LIMIT $3`, ticketID, p.After, n)
}

// LikeComment records that user userID recommends comment commentID and counts
// it, atomically; a second time is a Conflict, an unknown comment NotFound.
func (q *queries) LikeComment(ctx context.Context, commentID, userID int64, when time.Time) error {
	if when.IsZero() {
		when = nowUTC()
	}
	return q.atomically(ctx, func(q *queries) error {
		res, err := q.q.ExecContext(ctx, `UPDATE comments SET likes = likes + 1 WHERE id = $1`, commentID)
		if err != nil {
			return fmt.Errorf("like comment: %w", err)
		}
		if err := mustAffect(res, "comment"); err != nil {
			return err
		}
		_, err = q.q.ExecContext(ctx, `INSERT INTO comment_likes (comment_id, user_id, at) VALUES ($1, $2, $3)`,
			commentID, userID, dbTime(when))
		return q.d.wrap(err, "user_id", "like comment")
	})
}

// blobChunkSize is the size of the chunks blobs are stored and read in.
const blobChunkSize = 256 << 10

// checkSHA256 validates a hex SHA-256 and returns it lower-case.
func checkSHA256(s string) (string, error) {
	s = strings.ToLower(s)
	if b, err := hex.DecodeString(s); err != nil || len(b) != sha256.Size {
		return "", desk.FieldError("sha256", "must be a SHA-256 in hexadecimal")
	}
	return s, nil
}

// PutBlob stores size bytes read from r under their SHA-256, one 256 KiB chunk at
// a time, in a transaction (its own when q is not one), or as a file when the
// store keeps new content in files (SetAttachmentDir). Content already stored is
// not read again. Content whose size or hash differs from the ones given is
// refused (Invalid) and nothing is kept.
func (q *queries) PutBlob(ctx context.Context, sum string, size int64, r io.Reader) error {
	sum, err := checkSHA256(sum)
	if err != nil {
		return err
	}
	if size < 0 {
		return desk.FieldError("size", "must not be negative")
	}
	return q.atomically(ctx, func(q *queries) error {
		var one int
		err := q.q.QueryRowContext(ctx, `SELECT 1 FROM blobs WHERE sha256 = $1`, sum).Scan(&one)
		if err == nil {
			return nil
		}
		if !errNoRows(err) {
			return fmt.Errorf("put blob: %w", err)
		}
		if q.files != nil && q.files.keepNew {
			if err := q.files.put(sum, size, r); err != nil {
				return err
			}
			_, err := q.q.ExecContext(ctx, `INSERT INTO blobs (sha256, size, created_at, stored_in)
				VALUES ($1, $2, $3, 'files') ON CONFLICT (sha256) DO NOTHING`, sum, size, nowUTC())
			return wrapErr(err, "put blob")
		}
		// Another writer may store the same content meanwhile: the first one wins,
		// the other one (which waited for it on PostgreSQL) keeps its copy.
		res, err := q.q.ExecContext(ctx, `INSERT INTO blobs (sha256, size, created_at) VALUES ($1, $2, $3)
			ON CONFLICT (sha256) DO NOTHING`, sum, size, nowUTC())
		if err != nil {
			return fmt.Errorf("put blob: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return wrapErr(err, "put blob")
		}
		h := sha256.New()
		buf := make([]byte, blobChunkSize)
		var total int64
		for seq := int64(0); ; seq++ {
			n, err := io.ReadFull(r, buf)
			if n > 0 {
				total += int64(n)
				if total > size {
					return desk.FieldError("size", "the content is longer than %d bytes", size)
				}
				h.Write(buf[:n])
				if _, err := q.q.ExecContext(ctx, `INSERT INTO blob_chunks (sha256, seq, data) VALUES ($1, $2, $3)`,
					sum, seq, buf[:n]); err != nil {
					return fmt.Errorf("put blob chunk: %w", err)
				}
			}
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				break
			}
			if err != nil {
				return fmt.Errorf("put blob: read: %w", err)
			}
		}
		if total != size {
			return desk.FieldError("size", "the content has %d bytes, not %d", total, size)
		}
		if hex.EncodeToString(h.Sum(nil)) != sum {
			return desk.FieldError("sha256", "does not match the content")
		}
		return nil
	})
}

// OpenBlob streams stored content, reading one chunk per query as the reader
// asks; NotFound for unknown content. Opened inside a transaction, it must be read
// before the transaction ends.
func (q *queries) OpenBlob(ctx context.Context, sum string) (io.ReadCloser, error) {
	sum = strings.ToLower(sum)
	var size int64
	var storedIn string
	if err := q.q.QueryRowContext(ctx, `SELECT size, stored_in FROM blobs WHERE sha256 = $1`, sum).Scan(&size, &storedIn); err != nil {
		return nil, notFound(err, "file")
	}
	if storedIn == "files" {
		if q.files == nil {
			return nil, fmt.Errorf("read blob %s: its content is kept in an attachment directory and none is set", sum)
		}
		return q.files.open(sum, size)
	}
	return &blobReader{ctx: ctx, q: q.q, sum: sum, size: size}, nil
}

// blobReader reads a blob's chunks in order, one query each.
type blobReader struct {
	ctx    context.Context
	q      querier
	sum    string
	size   int64
	read   int64 // bytes returned so far
	seq    int64 // next chunk
	buf    []byte
	closed bool
}

func (r *blobReader) Read(p []byte) (int, error) {
	if r.closed {
		return 0, errors.New("read blob: closed")
	}
	if len(r.buf) == 0 {
		if r.read >= r.size {
			return 0, io.EOF
		}
		var data []byte
		err := r.q.QueryRowContext(r.ctx, `SELECT data FROM blob_chunks WHERE sha256 = $1 AND seq = $2`,
			r.sum, r.seq).Scan(&data)
		switch {
		case errNoRows(err) || (err == nil && len(data) == 0):
			return 0, fmt.Errorf("read blob %s: chunk %d is missing: %w", r.sum, r.seq, io.ErrUnexpectedEOF)
		case err != nil:
			return 0, fmt.Errorf("read blob %s: %w", r.sum, err)
		}
		r.seq++
		r.buf = data
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	r.read += int64(n)
	return n, nil
}

func (r *blobReader) Close() error {
	r.closed, r.buf = true, nil
	return nil
}

const attachmentColumns = `a.id, a.ticket_id, coalesce(a.comment_id, 0), a.name, a.content_type, a.size, a.sha256,
	a.uploader_id, a.created_at`

func scanAttachment(row scanner) (desk.Attachment, error) {
	var a desk.Attachment
	err := row.Scan(&a.ID, &a.TicketID, &a.CommentID, &a.Name, &a.ContentType, &a.Size, &a.SHA256,
		&a.UploaderID, at(&a.CreatedAt))
	return a, err
}

// CreateAttachment stores a (its content must be stored already, see PutBlob) and
// sets its ID (and CreatedAt when zero).
func (q *queries) CreateAttachment(ctx context.Context, a *desk.Attachment) error {
	stamp(&a.CreatedAt)
	a.SHA256 = strings.ToLower(a.SHA256)
	err := q.q.QueryRowContext(ctx, `
		INSERT INTO attachments (ticket_id, comment_id, name, content_type, size, sha256, uploader_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		RETURNING id`,
		a.TicketID, nullID(a.CommentID), a.Name, a.ContentType, a.Size, a.SHA256, a.UploaderID, a.CreatedAt).Scan(&a.ID)
	return q.d.wrap(err, "sha256", "create attachment")
}

// Attachment loads one attachment.
func (q *queries) Attachment(ctx context.Context, id int64) (*desk.Attachment, error) {
	return queryOne(ctx, q.q, "attachment", scanAttachment,
		`SELECT `+attachmentColumns+` FROM attachments a WHERE a.id = $1`, id)
}

// ListAttachments lists a ticket's attachments by id; those of private comments
// only when withPrivate.
func (q *queries) ListAttachments(ctx context.Context, ticketID int64, withPrivate bool) ([]desk.Attachment, error) {
	query := `SELECT ` + attachmentColumns + ` FROM attachments a WHERE a.ticket_id = $1`
	if !withPrivate {
		query = `SELECT ` + attachmentColumns + ` FROM attachments a LEFT JOIN comments c ON c.id = a.comment_id
			WHERE a.ticket_id = $1 AND (a.comment_id IS NULL OR NOT c.private)`
	}
	return queryList(ctx, q.q, "list attachments", scanAttachment, query+` ORDER BY a.id`, ticketID)
}
