package teamsfake

// Thread is a helpdesk channel conversation: its parent activity in its
// current version, and the replies in order.
type Thread struct {
	Conversation string
	Parent       Activity
	Replies      []Activity
}

// Calls returns every connector call, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// Conversation returns the activities of a conversation in their current
// versions, in the order they were posted.
func (s *Server) Conversation(id string) []Activity {
	s.mu.Lock()
	defer s.mu.Unlock()
	cv, ok := s.convs[id]
	if !ok {
		return nil
	}
	out := make([]Activity, 0, len(cv.activities))
	for _, a := range cv.activities {
		out = append(out, *a)
	}
	return out
}

// Threads returns the helpdesk channel's conversations in creation order.
func (s *Server) Threads() []Thread {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Thread
	for _, id := range s.order {
		cv := s.convs[id]
		if cv.channel == "" || len(cv.activities) == 0 {
			continue
		}
		th := Thread{Conversation: id, Parent: *cv.activities[0]}
		for _, a := range cv.activities[1:] {
			th.Replies = append(th.Replies, *a)
		}
		out = append(out, th)
	}
	return out
}
