package intake

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/crmcli/crm/change"
	"github.com/crmcli/crm/exchange"
	"github.com/crmcli/crm/fsstore"
	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/schema"
)

// The custom keys a lead made from a drop folder keeps: the hash of the
// submission it was made from, its file's name, and the partner who sent
// it.
const (
	IntakeKey     = "intake"
	IntakeFileKey = "intake_file"
	PartnerKey    = "partner"
)

// Limits of a submission in a drop folder.
const (
	maxSubmission = schema.MaxFileSize // a JSON lead
	maxMessage    = 32 << 20           // an .eml, attachments and all
)

// Drop is one run of crm intake over a drop folder: each *.json (a
// submission, exchange.ReadSubmission) or *.eml (a message, its sender
// the lead) becomes a lead once. The lead's id is made from a hash of the
// file's content, and the lead keeps the hash: a run killed after the
// lead was written, run again, finds it and only moves the file; the same
// content in another file is refused as a duplicate. Taken files go to
// done/, refused ones to rejected/ with the reason beside them.
type Drop struct {
	Writer *change.Writer
	Folder *fsstore.Drop
	// Source and Partner are the lead's when the file gives none.
	Source, Partner string
	// Stamp is who takes the files in, and when; Owner owns the leads a
	// file gives no owner.
	Stamp model.Stamp
	Owner string
}

// DropResult is what a run did: the leads it made, the files whose lead
// an earlier (killed) run had made, and the files refused, in file order.
type DropResult struct {
	Made     []Taken
	Finished []Taken
	Rejected []Rejection
}

// Taken is a file and the lead made from it.
type Taken struct{ File, ID string }

// Rejection is a file refused, and why.
type Rejection struct{ File, Reason string }

// Run takes every waiting file in, in name order. An error is a problem
// with the folder or the pipeline (nothing more is taken); a problem with
// one file refuses that file only.
func (d Drop) Run(ctx context.Context) (DropResult, error) {
	var res DropResult
	files, err := d.Folder.List(".json", ".eml")
	if err != nil {
		return res, err
	}
	for _, f := range files {
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		id, finished, why := d.take(f)
		switch {
		case why != nil:
			var fe *fileError
			if errors.As(why, &fe) {
				return res, fe.err // the disk, not the file: stop
			}
			if err := d.Folder.Reject(f, why.Error()); err != nil {
				return res, err
			}
			res.Rejected = append(res.Rejected, Rejection{f.Name, why.Error()})
			continue
		case finished:
			res.Finished = append(res.Finished, Taken{f.Name, id})
		default:
			res.Made = append(res.Made, Taken{f.Name, id})
		}
		if err := d.Folder.Done(f); err != nil {
			return res, err
		}
	}
	return res, nil
}

// fileError is a failure to write, which stops the run: no file is
// refused for the disk's sake.
type fileError struct{ err error }

func (e *fileError) Error() string { return e.err.Error() }

// take makes the lead of file f: its id; finished when an earlier run
// made it; why when the file is refused.
func (d Drop) take(f fsstore.DropFile) (id string, finished bool, why error) {
	limit := int64(maxSubmission)
	if isMessage(f) {
		limit = maxMessage
	}
	data, err := d.Folder.Read(f, limit)
	if err != nil {
		return "", false, err
	}
	l, err := d.lead(f, data)
	if err != nil {
		return "", false, err
	}
	sum := sha256.Sum256(data)
	hash := "sha256:" + hex.EncodeToString(sum[:])
	l.Fields.Set(IntakeKey, hash)
	l.Fields.Set(IntakeFileKey, f.Name)
	s := d.Writer.Store
	for n := range 8 {
		key := "intake " + hash
		if n > 0 {
			key = fmt.Sprintf("%s\x00%d", key, n)
		}
		id, err := model.ReproducibleID(s.Pipeline.Name, key, l.Title)
		if err != nil {
			return "", false, err
		}
		_, err = d.Writer.CreateAs(l, id)
		if err == nil {
			return id, false, nil
		}
		if !errors.Is(err, fsstore.ErrExist) {
			if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
				return "", false, &fileError{err} // the disk
			}
			return "", false, err // a lead check would reject
		}
		// The id is taken: by the lead of this very file (a run killed
		// before it moved the file), of the same content in another file
		// (a duplicate), or of another submission whose id collides.
		other, _, err := s.Get(id)
		if err != nil {
			return "", false, fmt.Errorf("the lead %s holds this id and cannot be read: %v", id, err)
		}
		h, _ := other.Fields.Get(IntakeKey)
		file, _ := other.Fields.Get(IntakeFileKey)
		switch {
		case h == hash && file == f.Name:
			return id, true, nil
		case h == hash:
			return "", false, fmt.Errorf("the same submission as %v, already the lead %s: a duplicate", file, id)
		}
	}
	return "", false, errors.New("no free id after 8 tries")
}

// lead is the new lead a file gives.
func (d Drop) lead(f fsstore.DropFile, data []byte) (*model.Lead, error) {
	st := d.Stamp
	var sub exchange.Submission
	activity := model.Note
	if isMessage(f) {
		msg, err := exchange.ReadMail(data, f.Name)
		if err != nil {
			return nil, err
		}
		in, err := senderLead(msg)
		if err != nil {
			return nil, err
		}
		sub = exchange.Submission{Input: in, Note: msg.Text()}
		activity = model.Email
		if d.Source != "" {
			sub.Input.Source = d.Source
		}
	} else {
		var err error
		if sub, err = exchange.ReadSubmission(data, f.Name); err != nil {
			return nil, err
		}
		if sub.Input.Source == "" {
			sub.Input.Source = d.Source
		}
	}
	if sub.Input.Owner == "" {
		sub.Input.Owner = d.Owner
	}
	if sub.Partner == "" {
		sub.Partner = d.Partner
	}
	return SubmissionLead(d.Writer.Store.Pipeline, sub, activity, st)
}

// SubmissionLead is the new lead of a submission (crm intake, crm lead add
// --json): its partner kept as a custom key, its note logged as an
// activity of type activity.
func SubmissionLead(p *model.Pipeline, sub exchange.Submission, activity model.ActivityType, st model.Stamp) (*model.Lead, error) {
	l, err := model.NewLead(p, "", sub.Input, st)
	if err != nil {
		return nil, err
	}
	if sub.Partner != "" {
		l.Fields.Set(PartnerKey, sub.Partner)
	}
	if sub.Note != "" {
		l.Activities = []model.Activity{{At: model.InstantOf(st.At), Type: activity, By: st.By, Text: sub.Note}}
	}
	return l, nil
}

// isMessage reports whether f is an e-mail message (.eml).
func isMessage(f fsstore.DropFile) bool { return strings.EqualFold(filepath.Ext(f.Name), ".eml") }
