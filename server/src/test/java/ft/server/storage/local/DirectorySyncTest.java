package ft.server.storage.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectorySyncTest {
    private static final Duration DEADLINE = Duration.ofSeconds(10);

    @TempDir
    Path tmp;

    @Test
    void callersArrivingDuringASyncShareTheNextOneInsteadOfEachSyncing() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("d"));
        AtomicInteger syncs = new AtomicInteger();
        CountDownLatch firstMayEnd = new CountDownLatch(1);
        CountDownLatch firstStarted = new CountDownLatch(1);
        DirectorySync sync = new DirectorySync(d -> {
            if (syncs.incrementAndGet() == 1) {
                firstStarted.countDown();
                await(firstMayEnd);
            }
        });

        Thread first = Thread.ofPlatform().start(() -> sync.sync(dir));
        await(firstStarted);
        List<Thread> later = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            later.add(Thread.ofPlatform().start(() -> sync.sync(dir)));
        }
        awaitWaiting(sync, dir, 3, "three callers waiting behind the running sync");
        firstMayEnd.countDown();
        join(first);
        for (Thread t : later) {
            join(t);
        }
        // The running sync may have started before their renames, so they need one more: one, not three.
        assertEquals(2, syncs.get());
        assertEquals(0, sync.waiting(dir));
    }

    @Test
    void aCallerNeverReturnsOnASyncThatStartedBeforeIt() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("d"));
        CountDownLatch firstMayEnd = new CountDownLatch(1);
        CountDownLatch firstStarted = new CountDownLatch(1);
        AtomicInteger syncs = new AtomicInteger();
        CountDownLatch secondStarted = new CountDownLatch(1);
        CountDownLatch secondMayEnd = new CountDownLatch(1);
        DirectorySync sync = new DirectorySync(d -> {
            int n = syncs.incrementAndGet();
            if (n == 1) {
                firstStarted.countDown();
                await(firstMayEnd);
            } else {
                secondStarted.countDown();
                await(secondMayEnd);
            }
        });
        Thread first = Thread.ofPlatform().start(() -> sync.sync(dir));
        await(firstStarted);
        CountDownLatch lateReturned = new CountDownLatch(1);
        Thread late = Thread.ofPlatform().start(() -> {
            sync.sync(dir);
            lateReturned.countDown();
        });
        awaitWaiting(sync, dir, 1, "the late caller waiting");
        firstMayEnd.countDown();
        join(first);
        await(secondStarted);
        assertFalse(
                lateReturned.await(0, TimeUnit.MILLISECONDS),
                "returned when only a sync that began before it had finished");
        secondMayEnd.countDown();
        join(late);
        assertEquals(2, syncs.get());
    }

    @Test
    void differentDirectoriesDoNotWaitForEachOther() throws Exception {
        Path a = Files.createDirectory(tmp.resolve("a"));
        Path b = Files.createDirectory(tmp.resolve("b"));
        CountDownLatch aMayEnd = new CountDownLatch(1);
        CountDownLatch aStarted = new CountDownLatch(1);
        Map<Path, Integer> calls = new ConcurrentHashMap<>();
        DirectorySync sync = new DirectorySync(d -> {
            calls.merge(d, 1, Integer::sum);
            if (d.equals(a)) {
                aStarted.countDown();
                await(aMayEnd);
            }
        });
        Thread ta = Thread.ofPlatform().start(() -> sync.sync(a));
        await(aStarted);
        sync.sync(b); // returns although a's sync is still running
        aMayEnd.countDown();
        join(ta);
        assertEquals(Map.of(a, 1, b, 1), calls);
    }

    @Test
    void aDirectoryThatCannotBeSyncedIsNotAnError() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("d"));
        AtomicInteger calls = new AtomicInteger();
        DirectorySync sync = new DirectorySync(d -> {
            calls.incrementAndGet();
            throw new IOException("not supported");
        });
        sync.sync(dir);
        sync.sync(dir);
        assertEquals(2, calls.get(), "one after another, each caller needs its own sync");
        new DirectorySync().sync(dir); // the real fsync on a real directory
        assertTrue(Files.isDirectory(dir));
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("timed out");
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until {@code callers} callers wait behind the sync running for {@code dir}. */
    private static void awaitWaiting(DirectorySync sync, Path dir, int callers, String what) {
        Awaitility.await(what)
                .atMost(DEADLINE)
                .pollInterval(Duration.ofMillis(2))
                .until(() -> sync.waiting(dir) == callers);
    }

    private static void join(Thread t) throws InterruptedException {
        if (!t.join(DEADLINE)) {
            fail(t + " did not finish within " + DEADLINE);
        }
    }
}
