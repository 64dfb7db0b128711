package returns

// CSV writes one of the monitoring's tables with what it covers and how it was made: the partnership, its
// region, the period and the provenance (policy, query version, input digest and notes) above the table.
func (m *Monitoring) CSV(t Table) ([]byte, error) {
	meta := [][]string{
		{"Title", t.Title},
		{"Partnership", m.Partnership},
		{"Prevent Co-ordinator Region", m.Region},
		{"Period", m.Period.String()},
	}
	meta = append(meta, m.Provenance.rows(false)...)
	return tableCSV(meta, t)
}
