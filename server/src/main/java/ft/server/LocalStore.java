package ft.server;

import ft.server.storage.Storage;
import ft.server.storage.local.LocalStorage;
import ft.server.storage.local.RootJail;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A local directory served as a {@link Store}; users' roots share its digest index and syncs. */
final class LocalStore implements Store {
    private final LocalStorage served;
    /** One storage per real root directory that a user's share has used. */
    private final Map<Path, LocalStorage> roots = new ConcurrentHashMap<>();

    private LocalStore(LocalStorage served) {
        this.served = served;
        roots.put(served.root(), served);
    }

    static LocalStore open(Path root) throws IOException {
        return new LocalStore(LocalStorage.openWithIndex(root));
    }

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
        served.close();
    }
}
