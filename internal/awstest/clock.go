package awstest

import "time"

// SetClock makes now the clock of the emulated world (SES statistics, send
// rates, quotas, verification windows), so that a test can place activity on
// chosen days. nil restores the real clock; Reset does not, so a test that
// sets it restores it with t.Cleanup.
func (s *Server) SetClock(now func() time.Time) {
	if now == nil {
		now = time.Now
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}
