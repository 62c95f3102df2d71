package ft.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Rates are checked from below only: a busy machine may always be slower, never faster. */
class ThrottleTest {

    @Test
    void piecesAreATenthOfASecondsWorthWithinBounds() {
        assertEquals(100_000, Throttle.of(1_000_000).piece());
        assertEquals(1, Throttle.of(5).piece(), "a tiny rate still moves a byte at a time");
        assertEquals(Throttle.MAX_PIECE, Throttle.of(1L << 40).piece());
        assertEquals(7, Throttle.of(1_000_000).piece(7), "never more than wanted");
        assertEquals(100_000, Throttle.of(1_000_000).piece(1L << 40));
    }

    @Test
    void noneLimitsNothing() {
        assertFalse(Throttle.NONE.limits());
        assertSame(Throttle.NONE, Throttle.atMost(0));
        assertSame(Throttle.NONE, Throttle.atMost(-1));
        assertEquals(1 << 30, Throttle.NONE.piece(1 << 30));
        long t0 = System.nanoTime();
        Throttle.NONE.spend(Long.MAX_VALUE);
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(1).toNanos());
        InputStream in = new ByteArrayInputStream(new byte[1]);
        assertSame(in, Throttle.NONE.paced(in));
        assertThrows(IllegalArgumentException.class, () -> Throttle.of(0));
    }

    @Test
    void aPacedStreamDeliversEveryByteAtThePace() throws IOException {
        byte[] data = new byte[300_000];
        new Random(1).nextBytes(data);
        Throttle throttle = Throttle.of(200_000);
        long t0 = System.nanoTime();
        byte[] read = throttle.paced(new ByteArrayInputStream(data)).readAllBytes();
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertArrayEquals(data, read);
        // 300 kB at 200 kB/s: 1.5 s from an empty bucket.
        assertTrue(took.compareTo(Duration.ofMillis(1400)) >= 0, "took " + took);
    }

    /** The client's --limit-rate covers all its connections: two streams share one rate. */
    @Test
    void streamsSharingAThrottleShareItsRate() throws Exception {
        Throttle throttle = Throttle.of(200_000);
        Runnable reader = () -> {
            try {
                assertEquals(
                        150_000,
                        throttle.paced(new ByteArrayInputStream(new byte[150_000]))
                                .readAllBytes()
                                .length);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        long t0 = System.nanoTime();
        Thread a = Thread.ofPlatform().start(reader);
        Thread b = Thread.ofPlatform().start(reader);
        a.join();
        b.join();
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        // 300 kB in all at 200 kB/s: 1.5 s, not the 0.75 s each would take alone.
        assertTrue(took.compareTo(Duration.ofMillis(1400)) >= 0, "took " + took);
    }

    @Test
    void anInterruptDuringAWaitIsKeptForTheCaller() throws Exception {
        Throttle throttle = Throttle.of(10);
        boolean[] interruptedAfter = new boolean[1];
        Thread t = Thread.ofPlatform().start(() -> {
            Thread.currentThread().interrupt();
            throttle.spend(3); // 0.3 s of debt, waited out despite the interrupt
            interruptedAfter[0] = Thread.interrupted();
        });
        t.join();
        assertTrue(interruptedAfter[0]);
    }
}
