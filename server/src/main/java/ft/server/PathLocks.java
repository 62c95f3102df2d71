package ft.server;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Which destination paths have an upload in progress. A second upload of a held path is told
 * BUSY, not queued, with one exception: a resumed upload of the same file (same size and MD5)
 * takes over a holder whose sender has gone silent. That holder is most likely the same
 * client's earlier attempt on a link that died without a reset, which would otherwise block
 * the resume until the idle timeout.
 */
final class PathLocks {
    /** How long a holder must have received nothing before an identical upload may replace it. */
    static final Duration STALLED = Duration.ofSeconds(5);
    /** How long a takeover waits for the abandoned holder to let go. */
    private static final Duration RELEASE_WAIT = Duration.ofSeconds(10);

    /** A held path; closing releases it. */
    interface Held extends AutoCloseable {
        @Override
        void close();
    }

    /** An upload holding a path, as far as a takeover needs to know it. */
    interface Holder {
        /** What is being uploaded; equal identities mean the same bytes. */
        Object identity();

        /** Nanoseconds since the upload last received a byte (or started waiting for one). */
        long idleNanos();

        /** Ends the upload's connection; what it received stays in its partial. */
        void abandon();
    }

    private record Entry(Holder holder, CountDownLatch released) {}

    private final ConcurrentHashMap<String, Entry> held = new ConcurrentHashMap<>();

    /** @return a handle to release, or null if another upload holds the path */
    Held tryLock(String path, Holder holder) throws InterruptedException {
        Entry mine = new Entry(holder, new CountDownLatch(1));
        Entry other = held.putIfAbsent(path, mine);
        if (other == null) {
            return release(path, mine);
        }
        if (!other.holder().identity().equals(holder.identity())
                || other.holder().idleNanos() < STALLED.toNanos()) {
            return null;
        }
        other.holder().abandon();
        if (!other.released().await(RELEASE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
            return null;
        }
        return held.putIfAbsent(path, mine) == null ? release(path, mine) : null;
    }

    private Held release(String path, Entry entry) {
        return () -> {
            held.remove(path, entry);
            entry.released().countDown();
        };
    }
}
