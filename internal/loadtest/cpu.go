package loadtest

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// A server under load is limited by the processor as often as by its
// database: the report says how much of it the server's process used, and how
// busy the whole machine was (the load tool's own work, and a database server
// on the same machine, included), from /proc (Linux).

// CPU is the processor time of the server's process and of the machine during
// a run.
type CPU struct {
	Source string `json:"source"`
	// ServerSeconds is the user and system time of the server's process.
	ServerSeconds float64 `json:"server_seconds"`
	// ServerCores is ServerSeconds over the run's length: 1 is one core busy
	// for the whole run.
	ServerCores float64 `json:"server_cores"`
	// ServerPerOperation is ServerSeconds per operation run, in milliseconds:
	// what an operation costs the server, whatever the load.
	ServerPerOperation float64 `json:"server_ms_per_operation"`
	// MachineBusy is the share of the machine's processor time that was busy,
	// from 0 to 1, and Cores the number of its cores that share counts (those
	// of /proc/stat, whatever the load tool may run on).
	MachineBusy float64 `json:"machine_busy"`
	Cores       int     `json:"machine_cores"`
}

// CPUSample is a reading of the processor time of process pid and of the
// machine, in clock ticks.
type CPUSample struct {
	pid                  int
	at                   time.Time
	process, busy, total int64
	cores                int
}

// clockTicks is Linux's USER_HZ, the unit of /proc's times: 100 on every
// architecture Go runs Linux on.
const clockTicks = 100

// ReadCPU reads the processor time of process pid and of the machine.
func ReadCPU(pid int) (CPUSample, error) {
	s := CPUSample{pid: pid, at: time.Now()}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return s, err
	}
	if s.process, err = parseProcessTicks(string(b)); err != nil {
		return s, err
	}
	b, err = os.ReadFile("/proc/stat")
	if err != nil {
		return s, err
	}
	s.busy, s.total, s.cores, err = parseMachineTicks(string(b))
	return s, err
}

// Since is the processor time spent between s0 and s, over which ops
// operations ran.
func (s CPUSample) Since(s0 CPUSample, ops int) *CPU {
	c := &CPU{Source: fmt.Sprintf("/proc/%d/stat, /proc/stat", s.pid), Cores: s.cores,
		ServerSeconds: float64(s.process-s0.process) / clockTicks}
	if ops > 0 {
		c.ServerPerOperation = 1000 * c.ServerSeconds / float64(ops)
	}
	if d := s.at.Sub(s0.at).Seconds(); d > 0 {
		c.ServerCores = c.ServerSeconds / d
	}
	if t := s.total - s0.total; t > 0 {
		c.MachineBusy = float64(s.busy-s0.busy) / float64(t)
	}
	return c
}

// parseProcessTicks adds the user and system times (fields 14 and 15) of a
// /proc/PID/stat line. The command's name, in parentheses, may hold spaces and
// parentheses itself: the fields are counted from the last ')'.
func parseProcessTicks(stat string) (int64, error) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, fmt.Errorf("unreadable process stat %q", stat)
	}
	f := strings.Fields(stat[i+1:]) // f[0] is field 3, the state
	if len(f) < 13 {
		return 0, fmt.Errorf("unreadable process stat %q", stat)
	}
	var sum int64
	for _, v := range f[11:13] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("unreadable process stat %q", stat)
		}
		sum += n
	}
	return sum, nil
}

// parseMachineTicks reads the first line of /proc/stat, "cpu user nice system
// idle iowait irq softirq steal …": busy is all but idle and iowait; cores
// counts the lines of each core ("cpu0 …") that follow.
func parseMachineTicks(stat string) (busy, total int64, cores int, err error) {
	line, rest, _ := strings.Cut(stat, "\n")
	f := strings.Fields(line)
	if len(f) < 5 || f[0] != "cpu" {
		return 0, 0, 0, fmt.Errorf("unreadable machine stat %q", line)
	}
	for l := range strings.Lines(rest) {
		if name, _, _ := strings.Cut(l, " "); len(name) > 3 && strings.HasPrefix(name, "cpu") {
			cores++
		}
	}
	for i, v := range f[1:min(len(f), 9)] { // guest times are counted in user's already
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, 0, 0, fmt.Errorf("unreadable machine stat %q", line)
		}
		total += n
		if i != 3 && i != 4 { // idle, iowait
			busy += n
		}
	}
	return busy, total, cores, nil
}
