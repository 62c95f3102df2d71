package ft.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ft.protocol.ErrorCode;
import ft.protocol.Request;
import ft.protocol.Response;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ft serve --metrics}: a real server on loopback, real requests through the raw client,
 * then {@code /metrics} scraped over HTTP; every counter moved by exactly what was done.
 */
class MetricsEndpointTest {
    private static final InetSocketAddress ANY_PORT = new InetSocketAddress("127.0.0.1", 0);
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    Path tmp;

    private FtServer start(ServerLimits limits) throws IOException {
        return FtServer.start(FtServer.Options.of(Files.createDirectories(tmp.resolve("root")), ANY_PORT)
                .withLimits(limits)
                .withMetrics(ANY_PORT));
    }

    private static HttpResponse<String> fetch(FtServer server, String path) throws IOException {
        InetSocketAddress at = server.metricsAddress();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + at.getPort() + path))
                .timeout(Duration.ofSeconds(20))
                .build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Every sample of a scrape, keyed by name and labels as written ({@code a_total{op="get"}}). */
    private static Map<String, Double> scrape(FtServer server) throws IOException {
        HttpResponse<String> response = fetch(server, "/metrics");
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(
                response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"),
                "the Prometheus text format");
        Map<String, Double> samples = new HashMap<>();
        for (String line : response.body().split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return samples;
    }

    private static double value(Map<String, Double> samples, String key) {
        Double v = samples.get(key);
        if (v == null) {
            String name = key.contains("{") ? key.substring(0, key.indexOf('{')) : key;
            throw new AssertionError("no sample " + key + "; of " + name + " there are "
                    + samples.keySet().stream().filter(k -> k.startsWith(name)).toList());
        }
        return v;
    }

    private static double requests(Map<String, Double> samples) {
        return samples.entrySet().stream()
                .filter(e -> e.getKey().startsWith("ft_requests_total{"))
                .mapToDouble(Map.Entry::getValue)
                .sum();
    }

    private static byte[] random(int size) {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return b;
    }

    @Test
    void everyCounterMovesByExactlyWhatTheRequestsDid() throws IOException {
        byte[] file = random(200_000); // above SendFile.SMALL_BODY: streamed, not sent with its header
        byte[] other = random(150_000);
        int cut = 70_000;
        try (FtServer server = start(ServerLimits.DEFAULTS)) {
            Map<String, Double> before = scrape(server);
            assertEquals(0, requests(before));
            assertEquals(0, value(before, "ft_bytes_sent_total"));
            assertEquals(0, value(before, "ft_transfers_in_flight{op=\"get\"}"));

            long resumedAt;
            try (RawClient c = RawClient.hello(server)) {
                c.put("a.bin", file);
                assertEquals(file.length, c.get("a.bin").body().length);
                // A resumed get: the client holds the first 50 000 bytes of this version.
                RawClient.Fetched rest = c.get("a.bin", 50_000, RawClient.md5(file));
                assertEquals(50_000, rest.header().offset());
                assertEquals(file.length - 50_000, rest.body().length);
                c.expectError(new Request.Get("missing.bin", 0, null, 0), ErrorCode.NOT_FOUND);
                // A body that does not hash to what the header said.
                Response ready = c.request(
                        new Request.Put("bad.bin", other.length, RawClient.md5(file), false, null),
                        Response.PutReady.class);
                assertInstanceOf(Response.PutReady.class, ready);
                c.sendRaw(other);
                c.readError(ErrorCode.CHECKSUM_MISMATCH);
            }
            try (RawClient c = RawClient.hello(server)) {
                c.putAndHangUp("b.bin", other, cut); // INTERRUPTED, what arrived is kept
            }
            try (RawClient c = RawClient.hello(server)) {
                Response r = c.request(
                        new Request.Put("b.bin", other.length, RawClient.md5(other), false, null),
                        Response.PutReady.class);
                resumedAt = assertInstanceOf(Response.PutReady.class, r).offset();
                assertTrue(resumedAt > 0, "the put resumed");
                c.sendRaw(other, (int) resumedAt, other.length - (int) resumedAt);
                assertInstanceOf(Response.PutDone.class, c.read(Response.PutDone.class));
            }
            // 3 hellos + put, get, get, get, put (mismatch), put (cut), put (resumed). The answer
            // goes out before the request's log line (and its count): wait for the last one.
            await("every request counted")
                    .atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> requests(scrape(server)) >= 10);
            Map<String, Double> after = scrape(server);
            assertEquals(10, requests(after), "no request counted twice: " + after);
            assertEquals(3, value(after, "ft_requests_total{op=\"hello\",result=\"ok\"}"));
            assertEquals(2, value(after, "ft_requests_total{op=\"put\",result=\"ok\"}"));
            assertEquals(2, value(after, "ft_requests_total{op=\"get\",result=\"ok\"}"));
            assertEquals(1, value(after, "ft_requests_total{op=\"get\",result=\"NOT_FOUND\"}"));
            assertEquals(1, value(after, "ft_requests_total{op=\"put\",result=\"CHECKSUM_MISMATCH\"}"));
            assertEquals(1, value(after, "ft_requests_total{op=\"put\",result=\"INTERRUPTED\"}"));

            assertEquals(file.length + (file.length - 50_000), value(after, "ft_bytes_sent_total"));
            assertEquals(
                    file.length + other.length + cut + (other.length - resumedAt),
                    value(after, "ft_bytes_received_total"));

            assertEquals(1, value(after, "ft_resumes_total{op=\"get\"}"));
            assertEquals(1, value(after, "ft_resumes_total{op=\"put\"}"));
            assertEquals(1, value(after, "ft_checksum_mismatches_total"));

            // Durations of the transfers that succeeded; none in flight any more.
            assertEquals(2, value(after, "ft_transfer_duration_seconds_count{op=\"get\"}"));
            assertEquals(2, value(after, "ft_transfer_duration_seconds_count{op=\"put\"}"));
            assertEquals(0, value(after, "ft_transfers_in_flight{op=\"get\"}"));
            assertEquals(0, value(after, "ft_transfers_in_flight{op=\"put\"}"));

            // Storage calls, timed per call: 4 uploads opened, 2 published, 1 aborted (the
            // mismatch); 2 files opened for reading (the missing one was never opened).
            assertEquals(4, value(after, "ft_storage_request_seconds_count{backend=\"local\",op=\"openUpload\"}"));
            assertEquals(2, value(after, "ft_storage_request_seconds_count{backend=\"local\",op=\"publish\"}"));
            assertEquals(1, value(after, "ft_storage_request_seconds_count{backend=\"local\",op=\"abort\"}"));
            assertEquals(2, value(after, "ft_storage_request_seconds_count{backend=\"local\",op=\"openRead\"}"));
        }
    }

    @Test
    void connectionsOpenAndRefusedByTheLimitTheyHit() throws IOException {
        try (FtServer server = start(ServerLimits.DEFAULTS.withConnections(2, 64))) {
            try (RawClient first = RawClient.hello(server);
                    RawClient second = RawClient.hello(server);
                    RawClient third = RawClient.connect(server)) {
                third.readError(ErrorCode.BUSY);
                third.assertClosedByServer();
                Map<String, Double> samples = scrape(server);
                assertEquals(2, value(samples, "ft_connections_open"));
                assertEquals(1, value(samples, "ft_connections_refused_total{reason=\"max_connections\"}"));
                assertEquals(0, value(samples, "ft_connections_refused_total{reason=\"max_per_address\"}"));
            }
        }
        try (FtServer server = start(ServerLimits.DEFAULTS.withConnections(10, 1));
                RawClient first = RawClient.hello(server);
                RawClient second = RawClient.connect(server)) {
            second.readError(ErrorCode.BUSY);
            Map<String, Double> samples = scrape(server);
            assertEquals(1, value(samples, "ft_connections_refused_total{reason=\"max_per_address\"}"));
            assertEquals(0, value(samples, "ft_connections_refused_total{reason=\"max_connections\"}"));
        }
    }

    @Test
    void healthzIsOkWhileTheRootAnswersAndUnavailableOnceItIsGone() throws IOException {
        try (FtServer server = start(ServerLimits.DEFAULTS)) {
            HttpResponse<String> healthy = fetch(server, "/healthz");
            assertEquals(200, healthy.statusCode());
            assertEquals("ok\n", healthy.body());

            // The served directory removed under the running server: its storage cannot answer.
            try (Stream<Path> all = Files.walk(server.root())) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
            HttpResponse<String> sick = fetch(server, "/healthz");
            assertEquals(503, sick.statusCode(), sick.body());
            assertTrue(sick.body().startsWith("storage (local) unreachable: "), sick.body());
            assertEquals(1, sick.body().lines().count(), "one line: " + sick.body());

            assertEquals(404, fetch(server, "/nothing").statusCode());
        }
    }

    @Test
    void eachServerCountsOnlyItsOwnRequests() throws IOException {
        try (FtServer one = start(ServerLimits.DEFAULTS);
                FtServer two = FtServer.start(FtServer.Options.of(Files.createDirectories(tmp.resolve("two")), ANY_PORT)
                        .withMetrics(ANY_PORT))) {
            try (RawClient c = RawClient.hello(one)) {
                c.expectError(new Request.Stat("nope"), ErrorCode.NOT_FOUND);
            }
            await("the stat counted")
                    .atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> requests(scrape(one)) == 2);
            assertEquals(0, requests(scrape(two)));
        }
    }

    @Test
    void withoutMetricsNothingListensAndStorageIsNotWrapped() throws IOException {
        try (FtServer server =
                FtServer.start(FtServer.Options.of(Files.createDirectories(tmp.resolve("plain")), ANY_PORT))) {
            assertEquals(null, server.metricsAddress());
            // Nothing in between the requests and the files when nobody reads the timings.
            assertTrue(server.anonymousShare().storage() instanceof ft.server.storage.local.LocalStorage);
        }
    }
}
