package ft.server;

import ft.server.storage.Storage;
import ft.server.storage.local.LocalStorage;
import ft.server.storage.local.RootJail;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A local directory served as a {@link Store}; users' roots share its digest index and syncs. */
final class LocalStore implements Store {
    private final LocalStorage served;
    /** One storage per real root directory that a user's share has used. */
    private final Map<Path, LocalStorage> roots = new ConcurrentHashMap<>();

    /** Held while this server serves the directory; see {@link #open}. */
    private final FileChannel lockFile;

    private LocalStore(LocalStorage served, FileChannel lockFile) {
        this.served = served;
        this.lockFile = lockFile;
        roots.put(served.root(), served);
    }

    /**
     * Opens {@code root} for one server only: two servers on one directory would write the same
     * partial upload of a name (partials are named after their destination) and publish each
     * other's bytes. A lock on {@code .ft/serve.lock} refuses the second; several servers need
     * a shared object store ({@code --store s3://…}) instead.
     */
    static LocalStore open(Path root) throws IOException {
        LocalStorage storage = LocalStorage.openWithIndex(root);
        FileChannel lock = null;
        try {
            lock = FileChannel.open(
                    storage.stateDir().resolve(LOCK_FILE),
                    StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS);
            FileLock held;
            try {
                held = lock.tryLock();
            } catch (OverlappingFileLockException sameJvm) {
                held = null;
            }
            if (held == null) {
                throw new IOException("another ft server already serves " + storage.root() + "; several servers on "
                        + "one directory would overwrite each other's uploads (serve an S3 store with --store to run "
                        + "several)");
            }
            return new LocalStore(storage, lock);
        } catch (IOException | RuntimeException e) {
            if (lock != null) {
                lock.close();
            }
            storage.close();
            throw e;
        }
    }

    private static final String LOCK_FILE = "serve.lock";

    @Override
    public Storage served() {
        return served;
    }

    /**
     * A relative root is made inside the served root through its jail's open directories, so no
     * symlink can lead it out; an absolute one is taken as it is. The root may have been removed
     * and made again since it was last used (by a user who sees its parent).
     */
    @Override
    public Storage userRoot(String root, Path usersFile) throws IOException {
        Path real;
        if (root == null) {
            real = served.root();
        } else {
            try {
                real = served.userRoot(root);
            } catch (RefusedException e) {
                throw new IOException("the root '" + root + "' cannot be used: " + e.getMessage());
            }
        }
        if (usersFile != null
                && usersFile.startsWith(real)
                && !usersFile.startsWith(real.resolve(RootJail.STATE_DIR))) {
            throw new IOException("the root '" + (root == null ? real : root) + "' contains the users file");
        }
        LocalStorage own = roots.get(real);
        if (own == null) {
            own = served.sibling(real);
            LocalStorage raced = roots.putIfAbsent(real, own);
            own = raced != null ? raced : own;
        } else {
            own.ensureReady();
        }
        return own;
    }

    @Override
    public boolean exposes(Path file) {
        return served.exposes(file);
    }

    @Override
    public String describe() {
        return served.root().toString();
    }

    @Override
    public Path localRoot() {
        return served.root();
    }

    @Override
    public void expireUploads(Duration maxAge) {
        for (LocalStorage root : roots.values()) {
            root.expireUploads(maxAge);
        }
    }

    /** Releases the digest index and the open directories. */
    @Override
    public void close() throws IOException {
        try {
            served.close();
        } finally {
            lockFile.close(); // releases the lock
        }
    }
}
