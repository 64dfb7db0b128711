package api

// registerImports adds the administrator's import routes.
func (s *Server) registerImports() {}
