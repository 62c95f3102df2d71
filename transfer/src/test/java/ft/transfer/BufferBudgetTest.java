package ft.transfer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A transfer holds buffers of its budget only while bytes arrive: a peer that stalls in the
 * middle of a body (for as long as an idle timeout) leaves the budget whole, and the budget
 * caps what all transfers together hold.
 */
class BufferBudgetTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void aStalledPipelinedReceiveHoldsNoBufferAndStillHashesEveryByte() throws Exception {
        stalledReceiveHoldsNoBuffer(4 * 1024 * 1024, 700 * 1024);
    }

    @Test
    void aStalledSmallReceiveHoldsNoBuffer() throws Exception {
        stalledReceiveHoldsNoBuffer(600 * 1024, 300 * 1024);
    }

    private static void stalledReceiveHoldsNoBuffer(int length, int first) throws Exception {
        byte[] body = new byte[length];
        new Random(7).nextBytes(body);
        BufferBudget budget = new BufferBudget(8L * Body.BUFFER_BYTES, WAIT);
        QueuedNetwork network = new QueuedNetwork();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AtomicLong written = new AtomicLong();
        MessageDigest md5 = Body.newMd5();
        Thread receiver = Thread.ofPlatform().daemon().start(() -> {
            try {
                Body.receive(network, Channels.newChannel(out), length, md5, written::set, budget);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        network.send(Arrays.copyOf(body, first));
        await("the first bytes written")
                .atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(1))
                .until(written::get, n -> n == first);
        await("every buffer back in the budget while the peer sends nothing")
                .atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(1))
                .until(budget::inUse, n -> n == 0);
        assertTrue(budget.peakInUse() > 0, "buffers were taken while bytes arrived");
        network.send(Arrays.copyOfRange(body, first, length));
        receiver.join(20_000);
        assertEquals(length, written.get());
        assertArrayEquals(body, out.toByteArray());
        assertArrayEquals(MessageDigest.getInstance("MD5").digest(body), md5.digest());
        assertEquals(0, budget.inUse(), "nothing held after the body");
        assertTrue(budget.peakInUse() <= (long) HashingThread.BUFFERS * Body.BUFFER_BYTES);
    }

    @Test
    void aSpentBudgetMakesTakersWaitAndFailsThemAfterTheWait() throws Exception {
        BufferBudget budget = new BufferBudget(2L * Body.BUFFER_BYTES, Duration.ofMillis(200));
        byte[] a = budget.take(Body.BUFFER_BYTES);
        byte[] b = budget.take(Body.BUFFER_BYTES);
        assertNull(budget.tryTake(Body.BUFFER_BYTES), "a spent budget hands out nothing");
        assertThrows(BufferBudget.ShortOfMemoryException.class, () -> budget.take(Body.BUFFER_BYTES));
        assertThrows(BufferBudget.ShortOfMemoryException.class, () -> budget.acquire(1000));
        budget.give(a);
        assertNotNull(budget.tryTake(Body.BUFFER_BYTES), "a buffer given back is handed out again");
        budget.give(b);
        // A spare buffer kept for reuse makes room for a reservation of another kind.
        budget.acquire(Body.BUFFER_BYTES);
        assertEquals(2L * Body.BUFFER_BYTES, budget.inUse());
        budget.release(Body.BUFFER_BYTES);
        assertEquals(Body.BUFFER_BYTES, budget.inUse());
    }

    @Test
    void aWaitingTakerGetsTheBufferAnotherGivesBack() throws Exception {
        BufferBudget budget = new BufferBudget(Body.BUFFER_BYTES, WAIT);
        byte[] held = budget.take(Body.BUFFER_BYTES);
        byte[][] got = new byte[1][];
        Thread waiter = Thread.ofPlatform().start(() -> {
            try {
                got[0] = budget.take(Body.BUFFER_BYTES);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        await().atMost(Duration.ofSeconds(5))
                .until(() ->
                        waiter.getState() == Thread.State.WAITING || waiter.getState() == Thread.State.TIMED_WAITING);
        budget.give(held);
        waiter.join(5_000);
        assertNotNull(got[0], "the waiter got the buffer given back");
    }
}
