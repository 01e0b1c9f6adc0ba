//go:build !unix

package site

import "time"

// cpuTime is unknown here; the build's timings then show wall time only.
func cpuTime() time.Duration { return 0 }
