package ft.server.storage.local;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import ft.protocol.Md5;
import ft.transfer.Body;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 */
public final class DigestCache {
    private final AtomicLong bytesHashed = new AtomicLong();
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
        Md5 known = cache.getIfPresent(version);
        if (known != null) {
            return known;
        }
        Pass pass = passes.get(version);
        if (pass == null) {
            FileChannel opened = opener.open();
            Pass mine = new Pass();
            pass = passes.putIfAbsent(version, mine);
            if (pass == null) {
                pass = mine;
                Thread.ofVirtual().name("md5 " + version.path().getFileName()).start(() -> run(version, opened, mine));
            } else {
                opened.close();
            }
        }
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
                md5 = hash(version, opened, pass);
                cache.put(version, md5);
            }
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

    private Md5 hash(Version version, FileChannel ch, Pass pass) throws IOException {
        MessageDigest md5 = Body.newMd5();
        Body.hash(ch, version.size(), md5, done -> pass.hashed = done);
        bytesHashed.addAndGet(version.size());
        return Md5.of(md5.digest());
    }
}
