package api

func (s *Server) registerChannelWrites() {}
