package ft.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ft.server.storage.Storage;
import ft.server.storage.local.LocalStorage;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /healthz} beyond a store that answers or fails: a draining server, a store that hangs. */
class MetricsEndpointHealthTest {
    private static final InetSocketAddress ANY_PORT = new InetSocketAddress("127.0.0.1", 0);
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    Path tmp;

    private static HttpResponse<String> health(MetricsEndpoint endpoint) throws IOException, InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + endpoint.address().getPort() + "/healthz");
        return HTTP.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aDrainingServerIsUnhealthySoTheBalancerSendsNoMore() throws Exception {
        AtomicBoolean draining = new AtomicBoolean();
        LocalStorage storage = LocalStorage.openWithIndex(tmp.resolve("root"));
        try (MetricsEndpoint endpoint =
                MetricsEndpoint.start(ANY_PORT, new ServerMetrics(() -> 0), storage, draining::get)) {
            assertEquals(200, health(endpoint).statusCode());
            draining.set(true);
            HttpResponse<String> r = health(endpoint);
            assertEquals(503, r.statusCode());
            assertEquals("draining: the server is shutting down\n", r.body());
        } finally {
            storage.close();
        }
    }

    /**
     * A store that does not answer: no local directory can be made to hang, so this one is a
     * stand-in whose probe waits until released.
     */
    @Test
    void aStoreThatHangsIsUnhealthyAfterTheProbeTimeoutAndHoldsOneProbeNotOnePerCheck() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger probes = new AtomicInteger();
        Storage hanging = (Storage) Proxy.newProxyInstance(
                Storage.class.getClassLoader(), new Class<?>[] {Storage.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "probe" -> {
                            probes.incrementAndGet();
                            release.await(60, TimeUnit.SECONDS);
                            return null;
                        }
                        case "backendName" -> {
                            return "stub";
                        }
                        default -> throw new UnsupportedOperationException(method.getName());
                    }
                });
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(
                ANY_PORT, new ServerMetrics(() -> 0), hanging, () -> false, Duration.ofMillis(200))) {
            HttpResponse<String> first = health(endpoint);
            assertEquals(503, first.statusCode());
            assertEquals("storage (stub) did not answer within 200 ms\n", first.body());
            assertEquals(503, health(endpoint).statusCode());
            assertEquals(1, probes.get(), "the second check waited for the probe still running");

            release.countDown();
            HttpResponse<String> recovered = health(endpoint);
            assertEquals(200, recovered.statusCode(), recovered.body());
            assertTrue(probes.get() <= 2, "at most one new probe: " + probes.get());
        } finally {
            release.countDown();
        }
    }
}
