package ft.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ft.transfer.Throttle;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ft serve --max-rate}: each connection's bodies, both ways, at most so many bytes a second. */
class MaxRateTest {
    private static final long RATE = 1 << 20;
    private static final int SIZE = 3 << 20;
    /**
     * 3 MiB at 1 MiB/s takes 3 s, less at most the one second's worth a token bucket may let
     * through at once; unthrottled it takes milliseconds. Only a lower bound: a busy machine
     * may always be slower.
     */
    private static final Duration AT_LEAST = Duration.ofSeconds(2);

    @TempDir
    Path tmp;

    @Test
    void aGetIsSentNoFasterThanTheRate() throws IOException {
        byte[] content = random(SIZE);
        try (FtServer server = start()) {
            Files.write(server.root().resolve("big.bin"), content);
            try (RawClient c = RawClient.hello(server)) {
                long t0 = System.nanoTime();
                RawClient.Fetched f = c.get("big.bin");
                Duration took = Duration.ofNanos(System.nanoTime() - t0);

                assertArrayEquals(content, f.body());
                assertTrue(took.compareTo(AT_LEAST) >= 0, "3 MiB at 1 MiB/s arrived in " + took);
            }
        }
    }

    @Test
    void aPutIsTakenNoFasterThanTheRate() throws IOException {
        byte[] content = random(SIZE);
        try (FtServer server = start();
                RawClient c = RawClient.hello(server)) {
            long t0 = System.nanoTime();
            c.put("up.bin", content);
            Duration took = Duration.ofNanos(System.nanoTime() - t0);

            assertArrayEquals(content, Files.readAllBytes(server.root().resolve("up.bin")));
            assertTrue(took.compareTo(AT_LEAST) >= 0, "3 MiB at 1 MiB/s were taken in " + took);
        }
    }

    @Test
    void withoutALimitThereIsNoThrottle() {
        assertSame(Throttle.NONE, Throttle.atMost(0), "no limit: nothing to pay for per chunk");
        assertFalse(Throttle.atMost(0).limits());
        assertEquals(0, ServerLimits.DEFAULTS.maxRate());
    }

    @Test
    void chunksAreATenthOfASecondsWorthSoThePaceStaysEven() {
        assertEquals(RATE / 10, Throttle.atMost(RATE).piece());
        assertEquals(1, Throttle.atMost(5).piece(), "a tiny rate still moves a byte at a time");
        assertEquals(Throttle.MAX_PIECE, Throttle.atMost(1L << 40).piece());
    }

    private FtServer start() throws IOException {
        return FtServer.start(FtServer.Options.of(tmp.resolve("root"), new InetSocketAddress("127.0.0.1", 0))
                .withLimits(ServerLimits.DEFAULTS.withMaxRate(RATE)));
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }
}
