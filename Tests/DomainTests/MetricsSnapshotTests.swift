import Testing

@testable import Domain

@Suite struct MetricsSnapshotTests {
    private let counter = MetricFamily("t_requests_total", .counter, "Requests.")
    private let gauge = MetricFamily("t_in_flight", .gauge, "In flight.")
    private let histogram = MetricFamily("t_seconds", .histogram, "Time.", buckets: [0.1, 1])

    @Test func snapshotsOfSeveralProcessesAddUp() {
        var a = MetricsSnapshot()
        a.increment(counter, ["route": "/x"])
        a.increment(counter, ["route": "/x"])
        a.set(gauge, to: 2)
        a.observe(histogram, value: 0.05)
        var b = MetricsSnapshot()
        b.increment(counter, ["route": "/x"], by: 3)
        b.increment(counter, ["route": "/y"])
        b.set(gauge, to: 1)
        b.observe(histogram, value: 5)
        var total = a
        total.add(b)
        #expect(total.counters == ["t_requests_total{route=\"/x\"}": 5, "t_requests_total{route=\"/y\"}": 1])
        #expect(total.gauges == ["t_in_flight": 3])
        #expect(total.histograms["t_seconds"]?.buckets == [1, 0, 1])
        #expect(total.histograms["t_seconds"]?.count == 2)
        #expect(a.withoutGauges.gauges.isEmpty && a.withoutGauges.counters == a.counters)
    }

    @Test func aSeriesKeySpelledOnceRecordsWhatItsLabelsWould() {
        let labels = ["site": "app", "route": "/api/oauth/introspect", "status": "200"]
        var byLabels = MetricsSnapshot()
        byLabels.increment(counter, labels)
        byLabels.increment(counter, labels)
        byLabels.observe(histogram, ["route": "/a"], value: 0.5)
        byLabels.observe(histogram, ["route": "/a"], value: 5)
        var byKey = MetricsSnapshot()
        let counterKey = MetricSeries.key(counter.name, labels)
        let histogramKey = MetricSeries.key(histogram.name, ["route": "/a"])
        byKey.increment(series: counterKey)
        byKey.increment(series: counterKey)
        byKey.observe(histogram, series: histogramKey, value: 0.5)
        byKey.observe(histogram, series: histogramKey, value: 5)
        #expect(byKey == byLabels)
        #expect(byKey.histograms[histogramKey]?.buckets == [0, 1, 1])
    }

    @Test func theTextFormatHasHelpTypeSortedSeriesAndCumulativeBuckets() {
        var snapshot = MetricsSnapshot()
        snapshot.increment(counter, ["route": "/b", "status": "200"])
        snapshot.increment(counter, ["status": "404", "route": "/a"], by: 2)
        snapshot.observe(histogram, ["route": "/a"], value: 0.5)
        snapshot.observe(histogram, ["route": "/a"], value: 0.05)
        snapshot.increment(MetricFamily("t_unlisted_total", .counter, "x"))
        let text = snapshot.prometheusText(families: [counter, gauge, histogram])
        #expect(
            text == """
                # HELP t_requests_total Requests.
                # TYPE t_requests_total counter
                t_requests_total{route="/a",status="404"} 2
                t_requests_total{route="/b",status="200"} 1
                # HELP t_in_flight In flight.
                # TYPE t_in_flight gauge
                # HELP t_seconds Time.
                # TYPE t_seconds histogram
                t_seconds_bucket{le="0.1",route="/a"} 1
                t_seconds_bucket{le="1",route="/a"} 2
                t_seconds_bucket{le="+Inf",route="/a"} 2
                t_seconds_sum{route="/a"} 0.55
                t_seconds_count{route="/a"} 2

                """)
    }

    @Test func labelValuesAreEscapedAndReadBack() {
        let key = MetricSeries.key("m", ["a": "say \"hi\"\\\nbye", "b": "x"])
        #expect(key == #"m{a="say \"hi\"\\\nbye",b="x"}"#)
        #expect(MetricSeries.labels(of: key) == ["a": "say \"hi\"\\\nbye", "b": "x"])
        #expect(MetricSeries.name(of: key) == "m")
    }

    @Test func everyPoolFamilyHasAValidNameAndTheRightSuffix() {
        for family in PoolMetrics.all {
            #expect(family.name.hasPrefix("catalystwells_"))
            #expect(family.name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
            #expect(family.name.hasSuffix("_total") == (family.kind == .counter), "\(family.name)")
            #expect(family.kind != .histogram || family.buckets == family.buckets.sorted())
        }
    }
}
