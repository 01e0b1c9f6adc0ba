package site

import (
	"bytes"

	"github.com/stp-portal/stp/generator/internal/precompress"
	"github.com/stp-portal/stp/generator/site/output"
)

// withVariants returns the job that publishes data at rel, whose name
// carries data's hash, and the jobs that publish its brotli and gzip
// variants beside it when it compresses (precompress), for stp serve to
// send. They are made once per content, through the cache, so a rebuild
// with the same assets compresses nothing.
func withVariants(j output.Job, data []byte) ([]output.Job, error) {
	jobs := []output.Job{j}
	if !precompress.Worth(j.Rel) {
		return jobs, nil
	}
	vs, err := precompress.DefaultCache().Compress(data, precompress.Stable)
	if err != nil {
		return nil, err
	}
	for _, v := range vs {
		rel := j.Rel + v.Suffix
		jobs = append(jobs, output.Job{Rel: rel, Key: newKey(0).str(rel).sum(), Render: func(buf *bytes.Buffer) error {
			_, err := buf.Write(v.Data)
			return err
		}})
	}
	return jobs, nil
}
