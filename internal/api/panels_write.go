package api

func (s *Server) registerPanelWrites() {}
