package api

import (
	"context"
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sluice-dev/sluice/service"
)

// cdcLagCollector exports each cdc sync's replication slot lag, so a slot
// that stops advancing (runs failing, a paused schedule) shows before it
// fills the source's disk.
type cdcLagCollector struct {
	svc  *service.Service
	desc *prometheus.Desc
}

func registerCDCLag(reg prometheus.Registerer, svc *service.Service) {
	if svc == nil {
		return // a router built to list its routes
	}
	c := &cdcLagCollector{svc: svc, desc: prometheus.NewDesc("sluice_cdc_slot_lag_bytes",
		"WAL bytes a cdc sync's replication slot held back on its source when its last run ended.",
		[]string{"team_id", "config_id", "slot"}, nil)}
	var already prometheus.AlreadyRegisteredError
	if err := reg.Register(c); err != nil && !errors.As(err, &already) {
		panic(err)
	}
}

func (c *cdcLagCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *cdcLagCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	rows, err := c.svc.CDCSlotLags(ctx)
	if err != nil {
		return // a scrape without the gauge beats a failed scrape
	}
	for _, r := range rows {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(r.LagBytes), r.TeamID.String(), r.ConfigID.String(), r.SlotName)
	}
}
