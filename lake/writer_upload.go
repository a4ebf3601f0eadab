package lake

import (
	"context"
	"fmt"
)

// fileUpload is a written file going up to the lake's storage while the
// writer writes the next one; the file is handed out only once it is up.
type fileUpload struct {
	done chan struct{}
	key  string
	err  error
}

// startUpload uploads a finished file in the background; nil without
// storage, where the file already is where readers find it.
func (w *TableWriter) startUpload(path string) *fileUpload {
	if w.lake.store == nil {
		return nil
	}
	up := &fileUpload{done: make(chan struct{})}
	go func() {
		defer close(up.done)
		up.key, up.err = w.lake.upload(w.bgCtx, path)
	}()
	return up
}

// stage adds a finished job's file to the writer's staged files, its upload
// to those to wait for.
func (w *TableWriter) stage(job *fileJob) {
	w.staged = append(w.staged, job.file)
	if job.upload != nil {
		if w.uploads == nil {
			w.uploads = map[string]*fileUpload{}
		}
		w.uploads[job.file.Path] = job.upload
	}
}

// awaitUploads waits until the files are in storage and sets their keys.
func (w *TableWriter) awaitUploads(ctx context.Context, files []StagedFile) error {
	for i := range files {
		up := w.uploads[files[i].Path]
		if up == nil {
			continue
		}
		select {
		case <-up.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		if up.err != nil {
			return fmt.Errorf("write %s.%s: %w", w.schema, w.table, up.err)
		}
		files[i].Key = up.key
		delete(w.uploads, files[i].Path)
	}
	return nil
}

// drainUploads waits for every upload still running, so a file being
// removed is not uploaded after its removal.
func (w *TableWriter) drainUploads() {
	for path, up := range w.uploads {
		<-up.done
		delete(w.uploads, path)
	}
}
