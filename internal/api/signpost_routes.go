package api

// registerSignpost adds the routes for signposting search: "known to organisation X, contact Y" without disclosure.
func (s *Server) registerSignpost() {}
