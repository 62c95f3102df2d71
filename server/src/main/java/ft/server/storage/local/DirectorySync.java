package ft.server.storage.local;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Makes renames into a directory durable, sharing one fsync among the uploads that finish into
 * the same directory at the same time (a group commit).
 *
 * <p>{@link #sync} returns only once an fsync of the directory that <em>started after the
 * call</em> has completed, so every rename made before the call is on disk, exactly as if the
 * caller had synced the directory itself. While one fsync of a directory runs, the callers that
 * arrive meanwhile wait for it and then share the next one: n uploads finishing together into
 * one directory cost two fsyncs, not n.
 */
final class DirectorySync {
    /** Opens and syncs a directory; the tests count its calls. */
    @FunctionalInterface
    interface Syncer {
        void sync(Path dir) throws IOException;
    }

    /** One directory's syncs: how many have started and finished, and who waits for them. */
    private static final class State {
        final Condition done;
        long started;
        long finished;
        boolean running;
        int users;

        State(ReentrantLock lock) {
            this.done = lock.newCondition();
        }
    }

    private final Syncer syncer;
    private final ReentrantLock lock = new ReentrantLock();
    /** Only directories someone is syncing right now; guarded by {@link #lock}. */
    private final Map<Object, State> states = new HashMap<>();

    DirectorySync() {
        this(DirectorySync::fsync);
    }

    DirectorySync(Syncer syncer) {
        this.syncer = syncer;
    }

    /**
     * Returns once everything renamed into {@code dir} before this call is durable. A file
     * system that cannot sync a directory is not an error: the rename is still atomic.
     */
    void sync(Path dir) {
        sync(dir, () -> syncer.sync(dir));
    }

    /**
     * Like {@link #sync(Path)} for an open directory, known by its identity (dev/inode) and
     * synced through its descriptor: a directory swapped for a link meanwhile is not what is
     * synced.
     */
    void sync(DirectoryHandle dir) throws IOException {
        sync(dir.identity(), dir::sync);
    }

    /** What one sync does. */
    @FunctionalInterface
    private interface Work {
        void run() throws IOException;
    }

    private void sync(Object key, Work work) {
        Object dir = key;
        lock.lock();
        try {
            State s = states.computeIfAbsent(dir, d -> new State(lock));
            s.users++;
            try {
                // A sync already running may have started before our rename: only the next counts.
                long needed = s.started + 1;
                while (s.finished < needed) {
                    if (s.running) {
                        s.done.awaitUninterruptibly();
                        continue;
                    }
                    s.running = true;
                    long mine = ++s.started;
                    lock.unlock();
                    try {
                        work.run();
                    } catch (IOException notSupported) {
                        // Some file systems cannot fsync a directory; the rename is still atomic.
                    } finally {
                        lock.lock();
                        s.finished = mine;
                        s.running = false;
                        s.done.signalAll();
                    }
                }
            } finally {
                if (--s.users == 0) {
                    states.remove(dir);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** How many callers are waiting for a sync of {@code dir} to finish (for tests). */
    int waiting(Path dir) {
        lock.lock();
        try {
            State s = states.get(dir);
            return s == null ? 0 : lock.getWaitQueueLength(s.done);
        } finally {
            lock.unlock();
        }
    }

    private static void fsync(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
