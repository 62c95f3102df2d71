package ft.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DeadlineTest {

    /** The reason the class exists: a socket write to a peer that reads nothing is ended. */
    @Test
    void aWriteToAPeerThatStopsReadingIsEndedAndReportedAsExpired() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket client = new Socket()) {
            client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()));
            try (Socket peer = listener.accept()) {
                Deadline deadline = Deadline.of(Duration.ofMillis(300), () -> closeQuietly(client));
                OutputStream out = deadline.watch(client.getOutputStream());
                byte[] chunk = new byte[64 * 1024];
                long t0 = System.nanoTime();
                IOException e = assertThrows(IOException.class, () -> {
                    while (true) {
                        out.write(chunk); // the peer never reads: the buffers fill and this blocks
                    }
                });
                assertTrue(deadline.expired(), "ended by the deadline, not otherwise: " + e);
                assertTrue(System.nanoTime() - t0 >= Duration.ofMillis(300).toNanos());
            }
        }
    }

    @Test
    void callsThatExitInTimeNeverFire() throws Exception {
        AtomicInteger fired = new AtomicInteger();
        Deadline deadline = Deadline.of(Duration.ofMillis(50), fired::incrementAndGet);
        for (int i = 0; i < 10_000; i++) {
            deadline.enter();
            assertFalse(deadline.exit());
        }
        // A deadline that fires after this one proves the watchdog has passed our time.
        CountDownLatch later = new CountDownLatch(1);
        Deadline probe = Deadline.of(Duration.ofMillis(200), later::countDown);
        probe.enter();
        assertTrue(later.await(10, TimeUnit.SECONDS));
        assertTrue(probe.exit());
        assertEquals(0, fired.get());
        assertFalse(deadline.expired());
    }

    @Test
    void reEnteringRestartsTheClock() throws Exception {
        CountDownLatch fired = new CountDownLatch(1);
        Deadline deadline = Deadline.of(Duration.ofMillis(400), fired::countDown);
        long t0 = System.nanoTime();
        deadline.enter();
        // Progress every 100 ms for 1 s: never 400 ms without it.
        while (System.nanoTime() - t0 < Duration.ofSeconds(1).toNanos()) {
            TimeUnit.MILLISECONDS.sleep(100);
            deadline.enter();
        }
        assertEquals(1, fired.getCount(), "fired although each chunk made progress");
        assertTrue(fired.await(10, TimeUnit.SECONDS), "no progress: fires");
        assertTrue(System.nanoTime() - t0 >= Duration.ofMillis(1400).toNanos());
        assertTrue(deadline.exit());
        assertTrue(deadline.expired());
    }

    @Test
    void aShorterDeadlineQueuedBehindALongerOneStillFiresOnTime() throws Exception {
        Deadline slow = Deadline.of(Duration.ofHours(1), () -> {});
        slow.enter();
        CountDownLatch fired = new CountDownLatch(1);
        Deadline quick = Deadline.of(Duration.ofMillis(100), fired::countDown);
        quick.enter();
        assertTrue(fired.await(10, TimeUnit.SECONDS));
        assertFalse(slow.exit());
        assertTrue(quick.exit());
    }

    /** A new deadline of {@code timeout} fires within ten seconds: the watchdog is alive. */
    private static void assertAnotherDeadlineFires(Duration timeout) throws InterruptedException {
        CountDownLatch fired = new CountDownLatch(1);
        Deadline probe = Deadline.of(timeout, fired::countDown);
        probe.enter();
        assertTrue(fired.await(10, TimeUnit.SECONDS), "the watchdog fired a later deadline");
    }

    @Test
    void aZeroTimeoutWaitsForever() throws Exception {
        Deadline never = Deadline.of(Duration.ZERO, () -> {
            throw new AssertionError("fired");
        });
        never.enter();
        assertAnotherDeadlineFires(Duration.ofMillis(100));
        assertFalse(never.exit());
        assertThrows(IllegalArgumentException.class, () -> Deadline.of(Duration.ofSeconds(-1), () -> {}));
    }

    @Test
    void anActionThatThrowsDoesNotStopTheWatchdog() throws Exception {
        Deadline bad = Deadline.of(Duration.ofMillis(10), () -> {
            throw new IllegalStateException("boom");
        });
        bad.enter();
        assertAnotherDeadlineFires(Duration.ofMillis(200));
        assertTrue(bad.exit());
    }

    @Test
    void runAndWatchPassResultsThrough() throws Exception {
        Deadline deadline = Deadline.of(Duration.ofSeconds(30), () -> {});
        assertEquals("x", deadline.run(() -> "x"));
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (OutputStream out = deadline.watch(sink)) {
            out.write(1);
            out.write(new byte[] {2, 3});
        }
        assertEquals(3, sink.size());
        assertFalse(deadline.expired());
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // the test asserts on the blocked write
        }
    }
}
