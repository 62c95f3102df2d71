package ft.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WriteBehindTest {
    private static final int EVERY = 1000;

    @Test
    void startsOneFlushPerIntervalAndNeverTwoAtOnce() throws Exception {
        AtomicInteger flushes = new AtomicInteger();
        Semaphore started = new Semaphore(0);
        CountDownLatch release = new CountDownLatch(1);
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (WriteBehind out = new WriteBehind(
                Channels.newChannel(sink),
                () -> {
                    flushes.incrementAndGet();
                    started.release();
                    await(release);
                },
                EVERY)) {
            out.write(ByteBuffer.wrap(new byte[EVERY - 1]));
            assertEquals(0, flushes.get(), "no flush before the interval is full");
            out.write(ByteBuffer.wrap(new byte[1]));
            assertTrue(started.tryAcquire(10, TimeUnit.SECONDS), "a flush starts once the interval is full");
            // Two more intervals while the first flush is still running: it is not joined by another.
            out.write(ByteBuffer.wrap(new byte[2 * EVERY]));
            assertEquals(1, flushes.get());
            release.countDown();
            out.drain();
            assertEquals(1, flushes.get());
            out.write(ByteBuffer.wrap(new byte[EVERY]));
            out.drain();
            assertEquals(2, flushes.get(), "the next full interval after the flush ended starts another");
            assertEquals(4 * EVERY, sink.size());
        }
    }

    @Test
    void aFailedFlushIsReportedByTheNextWriteAndByDrain() throws Exception {
        WriteBehind out = new WriteBehind(
                Channels.newChannel(new ByteArrayOutputStream()),
                () -> {
                    throw new IOException("No space left on device");
                },
                EVERY);
        out.write(ByteBuffer.wrap(new byte[EVERY]));
        IOException drained = assertThrows(IOException.class, out::drain);
        assertTrue(drained.getMessage().contains("No space left on device"), drained.getMessage());
        IOException written = assertThrows(IOException.class, () -> out.write(ByteBuffer.wrap(new byte[1])));
        assertTrue(written.getMessage().contains("No space left on device"), written.getMessage());
    }

    @Test
    void aFileWrittenThroughItHoldsEveryByteInOrderAndStaysOpen(@TempDir Path dir) throws Exception {
        byte[] data = new byte[10 * EVERY + 123];
        new Random(7).nextBytes(data);
        Path file = dir.resolve("f");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            AtomicInteger flushes = new AtomicInteger();
            try (WriteBehind out = new WriteBehind(
                    channel,
                    () -> {
                        flushes.incrementAndGet();
                        channel.force(false);
                    },
                    EVERY)) {
                for (int at = 0; at < data.length; at += 777) {
                    out.write(ByteBuffer.wrap(data, at, Math.min(777, data.length - at)));
                }
                out.drain();
            }
            assertTrue(channel.isOpen(), "closing the write-behind leaves the file to its owner");
            assertTrue(flushes.get() >= 1, "flushed at least once along the way");
        }
        assertArrayEquals(data, Files.readAllBytes(file));
    }

    private static void await(CountDownLatch latch) throws IOException {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IOException("test latch never released");
            }
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
    }
}
