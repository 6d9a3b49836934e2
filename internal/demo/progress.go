package demo

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progress reports how far a long generation is. On a terminal it redraws one
// line (a bar, counts, rate and time left); elsewhere (a log, a pipe) it writes a
// plain line every tenth of the way, or every half minute.
type progress struct {
	w        io.Writer
	terminal bool
	total    int
	start    time.Time
	last     time.Time // of the last line written
	lastStep int       // tenths written, when not on a terminal
	clock    func() time.Time
}

func newProgress(w io.Writer, terminal bool, total int, clock func() time.Time) *progress {
	if clock == nil {
		clock = time.Now
	}
	now := clock()
	return &progress{w: w, terminal: terminal, total: total, start: now, clock: clock}
}

// update reports done tickets (and the comments written with them) out of total.
func (p *progress) update(done, comments int) {
	if p == nil || p.w == nil {
		return
	}
	now := p.clock()
	switch {
	case p.terminal:
		if now.Sub(p.last) < 200*time.Millisecond && done < p.total {
			return
		}
		fmt.Fprintf(p.w, "\r%s", p.line(done, comments, now, true))
		if done >= p.total {
			fmt.Fprintln(p.w)
		}
	default:
		step := 0
		if p.total > 0 {
			step = done * 10 / p.total
		}
		if step == p.lastStep && now.Sub(p.last) < 30*time.Second && done < p.total {
			return
		}
		p.lastStep = step
		fmt.Fprintln(p.w, p.line(done, comments, now, false))
	}
	p.last = now
}

// line is the report of done tickets at now; bar draws the bar too.
func (p *progress) line(done, comments int, now time.Time, bar bool) string {
	frac := 1.0
	if p.total > 0 {
		frac = float64(done) / float64(p.total)
	}
	var sb strings.Builder
	if bar {
		const width = 24
		full := int(frac * width)
		sb.WriteString("[" + strings.Repeat("#", full) + strings.Repeat(".", width-full) + "] ")
	}
	elapsed := now.Sub(p.start)
	fmt.Fprintf(&sb, "%3.0f%%  %s/%s tickets, %s comments", frac*100, grouped(done), grouped(p.total), grouped(comments))
	if secs := elapsed.Seconds(); secs > 0 && done > 0 {
		rate := float64(done) / secs
		fmt.Fprintf(&sb, "  %s tickets/s", grouped(int(rate)))
		if done < p.total {
			left := time.Duration(float64(p.total-done) / rate * float64(time.Second))
			fmt.Fprintf(&sb, ", %s left", left.Round(time.Second))
		} else {
			fmt.Fprintf(&sb, ", done in %s", elapsed.Round(100*time.Millisecond))
		}
	}
	if bar {
		sb.WriteString("   ") // rub out the end of a longer previous line
	}
	return sb.String()
}

// grouped writes n with thousands separated by commas: 1,000,000.
func grouped(n int) string {
	s := itoa(n)
	if n < 0 {
		return s
	}
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}
