package io.mlp4j.demo.serve;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters and latency quantiles since start, written in Prometheus' text format. Latencies go into fixed
 * log-spaced buckets (8 per doubling, from 1 µs to about 70 s), so recording is lock-free and memory is fixed;
 * a quantile is reported as its bucket's upper bound (at most 9% above the true value).
 */
final class Metrics {

    private static final int PER_DOUBLING = 8;
    private static final int BUCKETS = 26 * PER_DOUBLING;

    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final AtomicLongArray latency = new AtomicLongArray(BUCKETS);
    private final LongAdder latencyNanos = new LongAdder();
    private final LongAdder latencyCount = new LongAdder();
    private final LongAdder predictions = new LongAdder();
    private final LongAdder modelSwaps = new LongAdder();
    private final LongAdder dropped = new LongAdder();

    /** One answered request of {@code route} (a fixed name, so the label set stays small). */
    void request(String route, int status, long nanos) {
        requests.computeIfAbsent(route + "\u0000" + status, k -> new LongAdder()).increment();
        latency.incrementAndGet(bucket(nanos));
        latencyNanos.add(nanos);
        latencyCount.increment();
    }

    /** A request that got no answer: the client went away, or was too slow and was disconnected. */
    void dropped() {
        dropped.increment();
    }

    void predictions(int n) {
        predictions.add(n);
    }

    void modelSwapped() {
        modelSwaps.increment();
    }

    static int bucket(long nanos) {
        double micros = Math.max(1.0, nanos / 1000.0);
        int b = (int) Math.ceil(Math.log(micros) / Math.log(2) * PER_DOUBLING);
        return Math.min(BUCKETS - 1, Math.max(0, b));
    }

    /** The upper bound of bucket {@code b}, in seconds. */
    static double upperSeconds(int b) {
        return Math.pow(2, (double) b / PER_DOUBLING) * 1e-6;
    }

    /** The smallest bucket bound below which at least {@code q} of the requests fall; 0 when there are none. */
    double quantile(double q) {
        long[] counts = new long[BUCKETS];
        long total = 0;
        for (int b = 0; b < BUCKETS; b++) {
            counts[b] = latency.get(b);
            total += counts[b];
        }
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int b = 0; b < BUCKETS; b++) {
            seen += counts[b];
            if (seen >= rank) {
                return upperSeconds(b);
            }
        }
        return upperSeconds(BUCKETS - 1);
    }

    /** The exposition: text/plain; version=0.0.4. */
    String prometheus(long inFlight, long heapUsedBytes) {
        StringBuilder b = new StringBuilder();
        b.append("# HELP mlp4j_http_requests_total HTTP requests answered, by route and status code.\n");
        b.append("# TYPE mlp4j_http_requests_total counter\n");
        long errors = 0;
        for (Map.Entry<String, LongAdder> e : new TreeMap<>(requests).entrySet()) {
            String[] k = e.getKey().split("\u0000");
            long n = e.getValue().sum();
            b.append("mlp4j_http_requests_total{route=\"").append(k[0]).append("\",code=\"").append(k[1])
                    .append("\"} ").append(n).append('\n');
            errors += k[1].startsWith("2") ? 0 : n;
        }
        b.append("# HELP mlp4j_http_dropped_total Requests that got no answer: the client went away, or sent too"
                + " slowly and was disconnected.\n");
        b.append("# TYPE mlp4j_http_dropped_total counter\n");
        b.append("mlp4j_http_dropped_total ").append(dropped.sum()).append('\n');
        b.append("# HELP mlp4j_http_errors_total HTTP requests answered with a status other than 2xx.\n");
        b.append("# TYPE mlp4j_http_errors_total counter\n");
        b.append("mlp4j_http_errors_total ").append(errors).append('\n');
        b.append("# HELP mlp4j_http_request_duration_seconds Time from the handler's start to the response's end,"
                + " since start.\n");
        b.append("# TYPE mlp4j_http_request_duration_seconds summary\n");
        for (double q : new double[] {0.5, 0.9, 0.99, 0.999}) {
            b.append(String.format(Locale.ROOT, "mlp4j_http_request_duration_seconds{quantile=\"%s\"} %.6g%n", q,
                    quantile(q)));
        }
        b.append(String.format(Locale.ROOT, "mlp4j_http_request_duration_seconds_sum %.6f%n",
                latencyNanos.sum() / 1e9));
        b.append("mlp4j_http_request_duration_seconds_count ").append(latencyCount.sum()).append('\n');
        b.append("# HELP mlp4j_http_requests_in_flight Requests being handled now.\n");
        b.append("# TYPE mlp4j_http_requests_in_flight gauge\n");
        b.append("mlp4j_http_requests_in_flight ").append(inFlight).append('\n');
        b.append("# HELP mlp4j_predictions_total Images classified (a batch counts each image).\n");
        b.append("# TYPE mlp4j_predictions_total counter\n");
        b.append("mlp4j_predictions_total ").append(predictions.sum()).append('\n');
        b.append("# HELP mlp4j_model_swaps_total Models replaced through POST /model.\n");
        b.append("# TYPE mlp4j_model_swaps_total counter\n");
        b.append("mlp4j_model_swaps_total ").append(modelSwaps.sum()).append('\n');
        b.append("# HELP mlp4j_jvm_heap_used_bytes Java heap in use.\n");
        b.append("# TYPE mlp4j_jvm_heap_used_bytes gauge\n");
        b.append("mlp4j_jvm_heap_used_bytes ").append(heapUsedBytes).append('\n');
        return b.toString();
    }
}
