package ft.server.storage.local;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ft.protocol.Md5;
import ft.transfer.Body;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attack of issue 14, finding 6 (CPU): clients stat large files and disconnect while the
 * server hashes them. Each such stat once left a pass reading its whole file, all of them at
 * once. Now at most {@code maxPasses} hash at a time, and a pass nobody waits for stops and
 * closes its file.
 */
class DigestPassBoundsTest {
    /** Sparse: no disk used, and a pass over one takes far longer than this test. */
    private static final long BIG = 16L << 30;

    private static final int LEAVERS = 6;
    private static final int MAX_PASSES = 2;

    @TempDir
    Path tmp;

    @Test
    void passesBeyondTheBoundWaitInLineAndPassesNobodyWaitsForStopAndCloseTheirFile() throws Exception {
        DigestCache cache = new DigestCache(MAX_PASSES, Duration.ofMillis(300));
        Map<Path, FileChannel> opened = new ConcurrentHashMap<>();
        List<Thread> requesters = new ArrayList<>();
        AtomicInteger leftEarly = new AtomicInteger();
        for (int i = 0; i < LEAVERS; i++) {
            Path file = tmp.resolve("big" + i);
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
                f.setLength(BIG);
            }
            DigestCache.Version v = FileVersions.of(file);
            requesters.add(Thread.ofPlatform().start(() -> {
                AtomicInteger told = new AtomicInteger();
                try {
                    cache.digestOf(
                            v,
                            () -> record(opened, file),
                            new DigestCache.Waiting(Duration.ofMillis(20), (done, total) -> {
                                if (told.incrementAndGet() == 3) {
                                    throw new IOException("client went away"); // as a disconnected stat
                                }
                            }));
                } catch (IOException e) {
                    leftEarly.incrementAndGet();
                }
            }));
        }
        // One requester that stays, for a file with real bytes: waits in line, then gets its digest.
        byte[] content = new byte[24 << 20];
        new Random(3).nextBytes(content);
        Path real = Files.write(tmp.resolve("real"), content);
        AtomicReference<Md5> stayed = new AtomicReference<>();
        Thread stayer = Thread.ofPlatform().start(() -> {
            try {
                stayed.set(cache.digestOf(
                        FileVersions.of(real),
                        () -> record(opened, real),
                        new DigestCache.Waiting(Duration.ofMillis(20), (done, total) -> {})));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });

        // Passes hashing at once: files open and read part way (a pass in line has read nothing).
        int most = 0;
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while ((stayer.isAlive() || requesters.stream().anyMatch(Thread::isAlive)) && System.nanoTime() < until) {
            most = Math.max(most, reading(opened));
            Thread.onSpinWait();
        }
        stayer.join(10_000);
        for (Thread t : requesters) {
            t.join(10_000);
        }
        assertEquals(LEAVERS, leftEarly.get(), "every leaver stopped waiting");
        assertTrue(most <= MAX_PASSES, most + " passes read their files at once; at most " + MAX_PASSES + " may");
        assertEquals(Md5.of(Body.newMd5().digest(content)), stayed.get(), "the requester that stayed");

        await("every pass nobody waits for stopped and closed its file")
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> opened.values().stream().noneMatch(FileChannel::isOpen));
        long hashed = cache.bytesHashed();
        assertTrue(hashed < BIG, "the passes read " + hashed + " bytes, a whole big file or more");
        await("nothing more hashed")
                .during(Duration.ofMillis(500))
                .atMost(Duration.ofSeconds(3))
                .until(cache::bytesHashed, n -> n == hashed);
        assertTrue(cache.peakPassesHashing() <= MAX_PASSES, "peak " + cache.peakPassesHashing());
        assertEquals(LEAVERS, cache.passesAbandoned());
    }

    @Test
    void aClientThatComesBackWithinTheGraceFindsThePassStillRunning() throws Exception {
        DigestCache cache = new DigestCache(1, Duration.ofSeconds(5));
        byte[] content = new byte[64 << 20];
        new Random(4).nextBytes(content);
        Path file = Files.write(tmp.resolve("f"), content);
        DigestCache.Version v = FileVersions.of(file);
        try {
            cache.digestOf(v, new DigestCache.Waiting(Duration.ofMillis(1), (done, total) -> {
                throw new IOException("client went away");
            }));
        } catch (IOException expected) {
            // the first client left; its retry follows
        }
        assertEquals(Md5.of(Body.newMd5().digest(content)), cache.digestOf(v));
        assertEquals(content.length, cache.bytesHashed(), "the retry joined the pass: the file was read once");
        assertEquals(0, cache.passesAbandoned());
    }

    private static FileChannel record(Map<Path, FileChannel> opened, Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        opened.put(file, ch);
        return ch;
    }

    private static int reading(Map<Path, FileChannel> opened) {
        int n = 0;
        for (FileChannel ch : opened.values()) {
            try {
                if (ch.isOpen() && ch.position() > 0) {
                    n++;
                }
            } catch (IOException closedMeanwhile) {
                // not reading any more
            }
        }
        return n;
    }
}
