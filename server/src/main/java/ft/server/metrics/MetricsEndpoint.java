package ft.server.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import ft.server.storage.Storage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ft serve --metrics HOST:PORT}: a small HTTP server (the JDK's, one virtual thread per
 * exchange) with two pages.
 *
 * <ul>
 *   <li>{@code GET /metrics}: the server's {@link ServerMetrics} in the Prometheus text format
 *       0.0.4, whatever format the scraper asks for (Prometheus accepts it always; the protobuf
 *       format would need a 2 MB library).</li>
 *   <li>{@code GET /healthz}: 200 "ok" when the served storage answered {@link Storage#probe}
 *       within {@link #PROBE_TIMEOUT}, else 503 with one line saying why; 503 also while the
 *       server drains (it takes no new connections then), so a balancer stops sending any.</li>
 * </ul>
 *
 * No authentication and no TLS: it is meant for loopback or a monitoring network; it shows
 * counts and the storage's error message, never file names or tokens.
 */
public final class MetricsEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsEndpoint.class);
    /** How long /healthz waits for the storage: under a balancer's usual check timeout (HAProxy: 2 s). */
    public static final Duration PROBE_TIMEOUT = Duration.ofMillis(1500);

    private final HttpServer http;
    private final ExecutorService exchanges;
    private final ServerMetrics metrics;
    private final Storage storage;
    private final BooleanSupplier draining;
    private final Duration probeTimeout;
    /** The probe running now, shared by the checks that arrive meanwhile: a hung store holds one thread, not one per check. */
    private CompletableFuture<Void> probing;

    private MetricsEndpoint(
            HttpServer http,
            ExecutorService exchanges,
            ServerMetrics metrics,
            Storage storage,
            BooleanSupplier draining,
            Duration probeTimeout) {
        this.http = http;
        this.exchanges = exchanges;
        this.metrics = metrics;
        this.storage = storage;
        this.draining = draining;
        this.probeTimeout = probeTimeout;
    }

    /**
     * Binds {@code address} (port 0 picks a free one) and serves until {@link #close}.
     *
     * @param storage  what /healthz probes: the served root's storage
     * @param draining true once the server takes no new connections
     */
    public static MetricsEndpoint start(
            InetSocketAddress address, ServerMetrics metrics, Storage storage, BooleanSupplier draining)
            throws IOException {
        return start(address, metrics, storage, draining, PROBE_TIMEOUT);
    }

    static MetricsEndpoint start(
            InetSocketAddress address,
            ServerMetrics metrics,
            Storage storage,
            BooleanSupplier draining,
            Duration probeTimeout)
            throws IOException {
        HttpServer http;
        try {
            http = HttpServer.create(address, 16);
        } catch (BindException e) {
            throw new MetricsBindException(address, e);
        }
        ExecutorService exchanges = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("ft-metrics-", 0).factory());
        MetricsEndpoint endpoint = new MetricsEndpoint(http, exchanges, metrics, storage, draining, probeTimeout);
        http.setExecutor(exchanges);
        http.createContext("/metrics", endpoint::metrics);
        http.createContext("/healthz", endpoint::health);
        http.start();
        return endpoint;
    }

    /** The metrics address is taken or not this machine's (the ft listener's own failure is a plain BindException). */
    public static final class MetricsBindException extends BindException {
        private static final long serialVersionUID = 1L;

        MetricsBindException(InetSocketAddress address, BindException cause) {
            super("cannot listen for metrics on " + address.getHostString() + ":" + address.getPort() + ": "
                    + cause.getMessage());
            initCause(cause);
        }
    }

    /** Where it listens (the real port when 0 was asked for). */
    public InetSocketAddress address() {
        return http.getAddress();
    }

    private void metrics(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!allowed(exchange, "/metrics")) {
                return;
            }
            ByteArrayOutputStream text = new ByteArrayOutputStream(8 * 1024);
            metrics.writeText(text);
            send(exchange, 200, ServerMetrics.CONTENT_TYPE, text.toByteArray());
        }
    }

    private void health(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!allowed(exchange, "/healthz")) {
                return;
            }
            String trouble = trouble();
            byte[] body = ((trouble == null ? "ok" : trouble) + "\n").getBytes(StandardCharsets.UTF_8);
            send(exchange, trouble == null ? 200 : 503, "text/plain; charset=utf-8", body);
        }
    }

    /** Null when healthy, else one line saying why not. */
    String trouble() {
        if (draining.getAsBoolean()) {
            return "draining: the server is shutting down";
        }
        CompletableFuture<Void> probe;
        synchronized (this) {
            if (probing == null || probing.isDone()) {
                probing = new CompletableFuture<>();
                CompletableFuture<Void> started = probing;
                Thread.ofVirtual().name("ft-probe").start(() -> {
                    try {
                        storage.probe();
                        started.complete(null);
                    } catch (Throwable t) {
                        started.completeExceptionally(t);
                    }
                });
            }
            probe = probing;
        }
        try {
            probe.get(probeTimeout.toNanos(), TimeUnit.NANOSECONDS);
            return null;
        } catch (TimeoutException e) {
            return "storage (" + storage.backendName() + ") did not answer within " + probeTimeout.toMillis() + " ms";
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            LOG.warn("health check: the storage probe failed: {}", cause.toString());
            return "storage (" + storage.backendName() + ") unreachable: " + oneLine(cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "the health check was interrupted";
        }
    }

    /** Only GET and HEAD of the exact path: anything else is 404/405 and no work. */
    private static boolean allowed(HttpExchange exchange, String path) throws IOException {
        if (!exchange.getRequestURI().getPath().equals(path)) {
            send(exchange, 404, "text/plain; charset=utf-8", "not found\n".getBytes(StandardCharsets.UTF_8));
            return false;
        }
        String method = exchange.getRequestMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            exchange.getResponseHeaders().set("Allow", "GET, HEAD");
            send(exchange, 405, "text/plain; charset=utf-8", "GET or HEAD only\n".getBytes(StandardCharsets.UTF_8));
            return false;
        }
        return true;
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** A failure as one printable line of at most 300 characters. */
    private static String oneLine(Throwable t) {
        String s = t.getMessage() == null
                ? t.getClass().getSimpleName()
                : t.getClass().getSimpleName() + ": " + t.getMessage();
        s = s.replaceAll("\\p{Cntrl}", " ");
        return s.length() <= 300 ? s : s.substring(0, 300) + "...";
    }

    /** Stops listening at once; exchanges in progress are cut. */
    @Override
    public void close() {
        http.stop(0);
        exchanges.shutdownNow();
    }
}
