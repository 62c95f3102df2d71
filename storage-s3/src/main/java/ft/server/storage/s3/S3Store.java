package ft.server.storage.s3;

import ft.server.Store;
import ft.server.storage.Storage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An S3 bucket's prefix served as a {@link Store}: the served root is the prefix, a user's root
 * a prefix below it. Every server on the same prefix shares everything through the store (its
 * {@code .ft/} state: interrupted uploads, leases, digests); nothing is kept on local disk.
 */
public final class S3Store implements Store {
    private final S3Location location;
    private final S3Storage served;
    private final Map<String, S3Storage> users = new ConcurrentHashMap<>();

    private S3Store(S3Location location, S3Storage served) {
        this.location = location;
        this.served = served;
    }

    /** Opens the store when the server starts, and checks that it answers (bucket, credentials). */
    public static Store.Opener opener(S3Location location, S3Settings settings) {
        return () -> {
            S3Storage storage = S3Storage.open(location, settings);
            try {
                storage.probe();
            } catch (IOException | RuntimeException e) {
                storage.close();
                throw e;
            }
            return new S3Store(location, storage);
        };
    }

    @Override
    public Storage served() {
        return served;
    }

    /** A relative root is a prefix below the served one; absolute roots are local directories only. */
    @Override
    public Storage userRoot(String root, Path usersFile) throws IOException {
        if (root == null) {
            return served;
        }
        if (root.startsWith("/")) {
            throw new IOException("the root '" + root + "' is an absolute directory; on an object store a user's root "
                    + "is a prefix relative to the served one");
        }
        S3Storage own = users.get(root);
        if (own == null) {
            try {
                own = served.userRoot(root);
            } catch (IllegalArgumentException e) {
                throw new IOException("the root '" + root + "' cannot be used: " + e.getMessage(), e);
            }
            S3Storage raced = users.putIfAbsent(root, own);
            own = raced != null ? raced : own;
        }
        return own;
    }

    /** No local file is reachable through an object store. */
    @Override
    public boolean exposes(Path file) {
        return false;
    }

    @Override
    public String describe() {
        return location.toString();
    }

    @Override
    public Path localRoot() {
        return null;
    }

    /** One sweep covers every user's root: all uploads' state lives under the served prefix's {@code .ft/}. */
    @Override
    public void expireUploads(Duration maxAge) {
        served.expireUploads(maxAge);
    }

    @Override
    public void close() throws IOException {
        served.close();
    }
}
