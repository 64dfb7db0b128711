package api

// registerRights adds the routes for subject rights and sharing notices: the subject access bundle, rectification, and the notices sent to organisations that received data (consent withdrawn, record rectified).
func (s *Server) registerRights() {}
