package ft.server.storage.local;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import ft.protocol.Md5;
import ft.transfer.Body;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * MD5s of served files, computed at most once per version of a file.
 *
 * <p>A version is identified by real path, size, modification time, change time (ctime) and
 * file key (inode), so a file replaced by an atomic rename or rewritten in place is a new
 * entry, even when its mtime was set back afterwards ({@link FileVersions}). Concurrent
 * requests for the same uncached file share one hashing pass instead of each reading it.
 *
 * <p>A pass runs on a thread of its own, not the requester's: hashing a large file can take
 * longer than a client waits, and the client that gave up and retries must find the pass
 * still running (or its digest cached), not restart it. Meanwhile a requester can keep its
 * client informed ({@link Waiting}).
 *
 * <p>What passes cost is bounded: at most {@code maxPasses} hash at once (the others wait in
 * line, their requesters kept informed as usual), and a pass that nobody waits for any more
 * (its clients disconnected) and that nobody joins within {@code grace} stops at its next
 * buffer and closes its file; a later request starts a new pass. Without that, each
 * disconnected stat of a large file would leave a pass reading the whole file.
 */
public final class DigestCache {
    /** How long a pass nobody waits for goes on, so that a client's quick retry still finds it. */
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(3);

    private final AtomicLong bytesHashed = new AtomicLong();
    private final int maxPasses;
    private final Semaphore slots;
    private final long graceNanos;
    private final AtomicInteger hashing = new AtomicInteger();
    private final AtomicInteger peakHashing = new AtomicInteger();
    private final AtomicLong abandoned = new AtomicLong();
    /**
     * What identifies one version of a file.
     *
     * @param changed the inode's change time (ctime), which no one can set back; null where the
     *                file system does not tell it
     */
    public record Version(Path path, long size, FileTime modified, FileTime changed, Object fileKey) {}

    /** Who waits for a pass, told how far it has got at least {@code every}. */
    public record Waiting(Duration every, Progress progress) {}

    @FunctionalInterface
    public interface Progress {
        /** @throws IOException to stop waiting (the pass goes on for whoever asks next) */
        void stillHashing(long done, long total) throws IOException;
    }

    /** Opens exactly the version to hash; the pass owns and closes what it returns. */
    @FunctionalInterface
    public interface Opener {
        FileChannel open() throws IOException;
    }

    private static final class Pass {
        final CompletableFuture<Md5> result = new CompletableFuture<>();
        volatile long hashed;
        /** Requesters waiting for this pass; the one that starts it counts from the start. */
        final AtomicInteger waiters = new AtomicInteger(1);
        /** When the last waiter left (System.nanoTime), while {@link #waiters} is 0. */
        volatile long leftAt;

        /** Joins unless the pass is being given up (no waiters for longer than the grace). */
        boolean join() {
            while (true) {
                int n = waiters.get();
                if (n < 0) {
                    return false; // given up: closed to newcomers
                }
                if (waiters.compareAndSet(n, n + 1)) {
                    return true;
                }
            }
        }

        void leave() {
            // Before the count drops, so that a pass never sees no waiters with an old time.
            leftAt = System.nanoTime();
            waiters.decrementAndGet();
        }

        /** Gives the pass up when nobody has waited for it for {@code graceNanos}; then nobody can join. */
        boolean giveUpIfAbandoned(long graceNanos) {
            return waiters.get() == 0 && System.nanoTime() - leftAt >= graceNanos && waiters.compareAndSet(0, -1);
        }
    }

    /** A pass stopped because nobody waited for it; a requester that meets it starts another. */
    static final class AbandonedException extends IOException {
        AbandonedException() {
            super("the hashing pass was stopped: nobody waited for it");
        }
    }

    /** At most as many passes as processors, each given up 3 s after its last requester left. */
    public DigestCache() {
        this(Runtime.getRuntime().availableProcessors(), DEFAULT_GRACE);
    }

    /**
     * @param maxPasses passes that may hash at once; more wait in line
     * @param grace     how long a pass nobody waits for goes on before it stops
     */
    public DigestCache(int maxPasses, Duration grace) {
        if (maxPasses < 1) {
            throw new IllegalArgumentException("at least one hashing pass must be allowed: " + maxPasses);
        }
        this.maxPasses = maxPasses;
        this.slots = new Semaphore(maxPasses, true);
        this.graceNanos = grace.toNanos();
    }

    private final Cache<Version, Md5> cache =
            CacheBuilder.newBuilder().maximumSize(100_000).build();
    private final ConcurrentHashMap<Version, Pass> passes = new ConcurrentHashMap<>();

    public Md5 digestOf(Version version) throws IOException {
        return digestOf(version, null);
    }

    /** The digest of {@code version}, opened by its path; see {@link #digestOf(Version, Opener, Waiting)}. */
    public Md5 digestOf(Version version, Waiting waiting) throws IOException {
        return digestOf(version, () -> FileChannel.open(version.path(), StandardOpenOption.READ), waiting);
    }

    /**
     * The digest of {@code version}; while it is being computed, {@code waiting} (if not null) is
     * kept informed. A pass that must start reads what {@code opener} opens, here in the caller's
     * thread (so the caller's own checks of what it opened apply); a pass already running for the
     * same version is joined instead.
     */
    public Md5 digestOf(Version version, Opener opener, Waiting waiting) throws IOException {
        while (true) {
            Md5 known = cache.getIfPresent(version);
            if (known != null) {
                return known;
            }
            Pass pass = passes.get(version);
            if (pass != null && !pass.join()) {
                passes.remove(version, pass); // given up: its thread removes it too, soon
                continue;
            }
            if (pass == null) {
                FileChannel opened = opener.open();
                Pass mine = new Pass();
                pass = passes.putIfAbsent(version, mine);
                if (pass == null) {
                    pass = mine;
                    Thread.ofVirtual()
                            .name("md5 " + version.path().getFileName())
                            .start(() -> run(version, opened, mine));
                } else {
                    opened.close();
                    if (!pass.join()) {
                        continue;
                    }
                }
            }
            try {
                return await(version, pass, waiting);
            } catch (AbandonedException e) {
                continue; // it was being given up as this requester came: start afresh
            } finally {
                pass.leave();
            }
        }
    }

    private static Md5 await(Version version, Pass pass, Waiting waiting) throws IOException {
        try {
            if (waiting == null) {
                return pass.result.get();
            }
            while (true) {
                try {
                    return pass.result.get(waiting.every().toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException stillRunning) {
                    waiting.progress().stillHashing(pass.hashed, version.size());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a file's MD5");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private void run(Version version, FileChannel opened, Pass pass) {
        Md5 md5 = null;
        Throwable failure = null;
        try (opened) {
            // A pass that finished between a requester's cache miss and this one's start
            // already left the digest here.
            md5 = cache.getIfPresent(version);
            if (md5 == null) {
                waitForSlot(pass);
                hashing.incrementAndGet();
                peakHashing.accumulateAndGet(hashing.get(), Math::max);
                try {
                    md5 = hash(version, opened, pass);
                } finally {
                    hashing.decrementAndGet();
                    slots.release();
                }
                cache.put(version, md5);
            }
        } catch (InterruptedException e) {
            failure = new InterruptedIOException("interrupted while waiting to hash");
        } catch (IOException | RuntimeException | Error e) {
            failure = e;
        } finally {
            // Gone before anyone learns the result: a requester that then forgets the digest and
            // asks again must start a new pass, not be handed this one's answer.
            passes.remove(version, pass);
        }
        if (failure == null) {
            pass.result.complete(md5);
        } else {
            pass.result.completeExceptionally(failure);
        }
    }

    /** Records a digest learnt another way, e.g. from an upload that was just verified. */
    public void remember(Version version, Md5 md5) {
        cache.put(version, md5);
    }

    public void forget(Version version) {
        cache.invalidate(version);
    }

    public boolean knows(Version version) {
        return cache.getIfPresent(version) != null;
    }

    /** Bytes read to hash them since this cache was made: what a persistent index saves shows here. */
    public long bytesHashed() {
        return bytesHashed.get();
    }

    /** Passes hashing right now. */
    public int passesHashing() {
        return hashing.get();
    }

    /** The most passes that ever hashed at once. */
    public int peakPassesHashing() {
        return peakHashing.get();
    }

    /** Passes stopped because nobody waited for them. */
    public long passesAbandoned() {
        return abandoned.get();
    }

    public int maxPasses() {
        return maxPasses;
    }

    /** Waits in line for one of the {@code maxPasses} slots; gives up when nobody waits any more. */
    private void waitForSlot(Pass pass) throws InterruptedException, AbandonedException {
        while (!slots.tryAcquire(100, TimeUnit.MILLISECONDS)) {
            checkWanted(pass);
        }
        try {
            checkWanted(pass);
        } catch (AbandonedException e) {
            slots.release();
            throw e;
        }
    }

    private void checkWanted(Pass pass) throws AbandonedException {
        if (pass.giveUpIfAbandoned(graceNanos)) {
            abandoned.incrementAndGet();
            throw new AbandonedException();
        }
    }

    /**
     * Hashes the version's bytes, a buffer at a time, stopping at the first buffer after the
     * pass was given up (the caller's try-with-resources then closes the file).
     */
    private Md5 hash(Version version, FileChannel ch, Pass pass) throws IOException {
        MessageDigest md5 = Body.newMd5();
        long length = version.size();
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(Body.BUFFER_BYTES, Math.max(1, length)));
        long done = 0;
        while (done < length) {
            checkWanted(pass);
            buf.clear().limit((int) Math.min(buf.capacity(), length - done));
            int n = ch.read(buf);
            if (n < 0) {
                throw new java.io.EOFException("only " + done + " of " + length + " bytes to hash");
            }
            md5.update(buf.array(), 0, n);
            done += n;
            bytesHashed.addAndGet(n);
            pass.hashed = done;
        }
        return Md5.of(md5.digest());
    }
}
