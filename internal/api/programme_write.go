package api

func (s *Server) registerProgrammeWrites() {}
