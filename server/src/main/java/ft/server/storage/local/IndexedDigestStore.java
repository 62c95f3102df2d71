package ft.server.storage.local;

import ft.protocol.Md5;
import ft.server.storage.DigestStore;
import ft.server.storage.Version;
import ft.transfer.DigestIndex;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local backend's persistent {@link DigestStore}: a {@link DigestIndex} in the root's state
 * directory, so a restarted server answers {@code stat} and {@code get} of a file it hashed
 * before without reading it again. A version is the whole {@link Version} (size, mtime, and
 * the ctime and inode in its tag): any change to the file misses.
 */
public final class IndexedDigestStore implements DigestStore, Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(IndexedDigestStore.class);

    private final DigestIndex index;

    private IndexedDigestStore(DigestIndex index) {
        this.index = index;
    }

    /** The index of the root whose state directory is {@code stateDir} (created if missing). */
    public static IndexedDigestStore open(Path stateDir) throws IOException {
        Files.createDirectories(stateDir);
        DigestIndex index = DigestIndex.open(stateDir);
        if (!index.persistent()) {
            LOG.warn(
                    "another process holds the digest index in {}; digests learnt now are kept in memory only",
                    stateDir);
        }
        return new IndexedDigestStore(index);
    }

    /** The index in the verified, open state directory {@code state}. */
    static IndexedDigestStore open(StateDirectory state) throws IOException {
        return open(state.shownAs());
    }

    @Override
    public Md5 lookup(String key, Version version) {
        return index.lookup(key, text(version)).orElse(null);
    }

    @Override
    public void record(String key, Version version, Md5 md5) {
        index.record(key, text(version), md5);
        index.lastFailure().ifPresent(e -> LOG.debug("digest index: {}", e.toString()));
    }

    @Override
    public void forget(String key) {
        index.forget(key);
    }

    private static String text(Version v) {
        return v.size() + ":" + v.mtime() + ":" + v.tag();
    }

    @Override
    public void close() throws IOException {
        index.close();
    }
}
