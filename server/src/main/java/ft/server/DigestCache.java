package ft.server;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import ft.protocol.Body;
import ft.protocol.Md5;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.concurrent.ExecutionException;

/**
 * MD5s of served files, computed at most once per version of a file.
 *
 * <p>A version is identified by real path, size, modification time and file key (inode), so
 * a file replaced by an atomic rename or rewritten in place is a new entry. Concurrent
 * requests for the same uncached file share one hashing pass instead of each reading it.
 */
public final class DigestCache {
    /** What identifies one version of a file. */
    public record Version(Path path, long size, FileTime modified, Object fileKey) {}

    private final Cache<Version, Md5> cache = CacheBuilder.newBuilder().maximumSize(100_000).build();

    public Md5 digestOf(Version version) throws IOException {
        try {
            return cache.get(version, () -> hash(version));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException(e.getCause());
        } catch (com.google.common.util.concurrent.UncheckedExecutionException e) {
            if (e.getCause() instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            throw e;
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

    private static Md5 hash(Version version) throws IOException {
        MessageDigest md5 = Body.newMd5();
        try (FileChannel ch = FileChannel.open(version.path(), StandardOpenOption.READ)) {
            Body.hash(ch, version.size(), md5);
        }
        return Md5.of(md5.digest());
    }
}
