package ft.server.metrics;

import ft.server.storage.Storage;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.function.IntSupplier;

/**
 * What one server counts, in a registry of its own (never Prometheus' default registry: tests
 * run several servers in one JVM, and each must count only its own requests).
 *
 * <p>Always on, because a counter costs a few nanoseconds per request; {@code --metrics} only
 * decides whether they are served (see {@link MetricsEndpoint}) and whether storage calls are
 * timed ({@link #timed}).
 */
public final class ServerMetrics {
    /** The text format's content type, served at {@code /metrics}. */
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    /** Reasons in {@code ft_connections_refused_total}. */
    public static final String MAX_CONNECTIONS = "max_connections";

    public static final String MAX_PER_ADDRESS = "max_per_address";

    private static final String GET = "get";
    private static final String PUT = "put";

    /** A whole transfer: from a small file on loopback (milliseconds) to a large one over a WAN (an hour). */
    private static final double[] TRANSFER_SECONDS = {
        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600
    };
    /** One storage call: a local stat (tens of microseconds) to an S3 request on a slow day (seconds). */
    private static final double[] STORAGE_SECONDS = {
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30
    };

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    private final Counter requests = Counter.builder()
            .name("ft_requests_total")
            .help("Requests answered, by op and result (ok, an error code, or INTERRUPTED/FAILED when the"
                    + " connection broke during a body)")
            .labelNames("op", "result")
            .register(registry);
    private final Counter bytesReceived = Counter.builder()
            .name("ft_bytes_received_total")
            .help("File bytes received in put bodies")
            .register(registry);
    private final Counter bytesSent = Counter.builder()
            .name("ft_bytes_sent_total")
            .help("File bytes sent in get bodies")
            .register(registry);
    private final Gauge inFlight = Gauge.builder()
            .name("ft_transfers_in_flight")
            .help("Gets and puts being answered now")
            .labelNames("op")
            .register(registry);
    private final Histogram transferSeconds = Histogram.builder()
            .name("ft_transfer_duration_seconds")
            .help("Seconds a successful get or put took, from its header's first byte to its last byte")
            .labelNames("op")
            .classicOnly()
            .classicUpperBounds(TRANSFER_SECONDS)
            .withoutExemplars()
            .register(registry);
    private final Counter resumes = Counter.builder()
            .name("ft_resumes_total")
            .help("Gets that continued from an offset > 0, puts that continued a held partial upload")
            .labelNames("op")
            .register(registry);
    private final Counter checksumMismatches = Counter.builder()
            .name("ft_checksum_mismatches_total")
            .help("Puts whose received bytes did not hash to the MD5 the client stated (nothing stored)")
            .register(registry);
    private final Counter connectionsRefused = Counter.builder()
            .name("ft_connections_refused_total")
            .help("Connections answered BUSY and closed at once, by the limit they hit")
            .labelNames("reason")
            .register(registry);
    private final Histogram storageSeconds = Histogram.builder()
            .name("ft_storage_request_seconds")
            .help("Seconds one storage request took, by backend and op (local: a Storage call; s3: an S3"
                    + " API call)")
            .labelNames("backend", "op")
            .classicOnly()
            .classicUpperBounds(STORAGE_SECONDS)
            .withoutExemplars()
            .register(registry);

    /**
     * @param openConnections how many connections the server holds now, read at each scrape
     */
    public ServerMetrics(IntSupplier openConnections) {
        GaugeWithCallback.builder()
                .name("ft_connections_open")
                .help("Client connections open now")
                .callback(callback -> callback.call(openConnections.getAsInt()))
                .register(registry);
        // Present (at 0) from the start, so a rate() over them has a first sample.
        for (String op : new String[] {GET, PUT}) {
            inFlight.labelValues(op).set(0);
            resumes.labelValues(op);
        }
        connectionsRefused.labelValues(MAX_CONNECTIONS);
        connectionsRefused.labelValues(MAX_PER_ADDRESS);
    }

    /** This server's registry (for tests, and for whoever wants to add to it). */
    public PrometheusRegistry registry() {
        return registry;
    }

    /** Writes every metric in the Prometheus text format 0.0.4. */
    public void writeText(OutputStream out) throws IOException {
        writer.write(out, registry.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
    }

    /** A request's header arrived and its handler starts; pairs with {@link #requestEnded}. */
    public void requestStarted(String op) {
        if (isTransfer(op)) {
            inFlight.labelValues(op).inc();
        }
    }

    /**
     * A request that {@link #requestStarted} ended, with {@code result} as its access log line
     * states it ("ok", a code, or a code with its cause in parentheses).
     */
    public void requestEnded(String op, String result, long startNanos) {
        String outcome = outcomeOf(result);
        requests.labelValues(opLabel(op), outcome).inc();
        if (isTransfer(op)) {
            inFlight.labelValues(op).dec();
            if (outcome.equals("ok")) {
                transferSeconds.labelValues(op).observe((System.nanoTime() - startNanos) / 1e9);
            }
        }
    }

    /** A request answered without a handler (a hello, or one refused before dispatch). */
    public void request(String op, String result) {
        requests.labelValues(opLabel(op), outcomeOf(result)).inc();
    }

    /** {@code n} more body bytes of {@code op} went through (sent for a get, received for a put). */
    public void transferred(String op, long n) {
        if (n <= 0) {
            return;
        }
        if (op.equals(GET)) {
            bytesSent.inc(n);
        } else if (op.equals(PUT)) {
            bytesReceived.inc(n);
        }
    }

    /** A get or put continues from an offset > 0. */
    public void resumed(String op) {
        resumes.labelValues(op).inc();
    }

    public void checksumMismatch() {
        checksumMismatches.inc();
    }

    /** A connection was refused at accept; {@code reason} is {@link #MAX_CONNECTIONS} or {@link #MAX_PER_ADDRESS}. */
    public void connectionRefused(String reason) {
        connectionsRefused.labelValues(reason).inc();
    }

    /**
     * One storage request took {@code nanos}. {@link TimedStorage} calls this per Storage call; a
     * backend that times its own requests (S3: one per S3 API call, from an SDK interceptor)
     * calls it with its own op names, and is then not wrapped in {@link #timed}.
     */
    public void storageRequest(String backend, String op, long nanos) {
        storageSeconds.labelValues(backend, op).observe(nanos / 1e9);
    }

    /** {@code storage} with each call timed into {@code ft_storage_request_seconds}. */
    public Storage timed(Storage storage) {
        return storage instanceof TimedStorage ? storage : new TimedStorage(storage, this);
    }

    private static boolean isTransfer(String op) {
        return op.equals(GET) || op.equals(PUT);
    }

    /** A request's op as a label: a header that could not be read has none ("-" in the access log). */
    private static String opLabel(String op) {
        return op == null || op.equals("-") ? "unknown" : op;
    }

    /**
     * The access log's result without its cause: "ok", an error code, INTERRUPTED or FAILED. The
     * cause (an exception's class name) would make the label set unbounded.
     */
    static String outcomeOf(String result) {
        int cause = result.indexOf('(');
        return cause < 0 ? result : result.substring(0, cause);
    }
}
