package ft.server;

import ft.server.storage.Storage;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What {@code ft serve} shares: the served root's {@link Storage} and, with a users file, each
 * user's root inside it. A local directory ({@link #local}) or an object store (the
 * {@code storage-s3} module's); the server reaches the tree only through this.
 */
public interface Store extends Closeable {
    /** Opens a store when the server starts (so a failed start closes nothing it did not open). */
    @FunctionalInterface
    interface Opener {
        Store open() throws IOException;
    }

    /** A local directory, created if missing, with digests kept in its {@code .ft} directory. */
    static Opener local(Path root) {
        return () -> LocalStore.open(root);
    }

    /** The served root: what anonymous connections, and users without a root of their own, see. */
    Storage served();

    /**
     * The root of a user whose users-file entry names {@code root} (relative: a directory inside
     * the served root, made if missing; absolute: only where the store is a local directory).
     *
     * @param usersFile the real path of the users file, which no user's root may expose
     * @throws IOException with a message naming what is wrong with the root
     */
    Storage userRoot(String root, Path usersFile) throws IOException;

    /**
     * Whether a client of the served root could reach {@code file} (a local path): a users file
     * there could be read or replaced by clients.
     */
    boolean exposes(Path file);

    /** The served root as the start-up line shows it: a directory, or {@code s3://bucket/prefix}. */
    String describe();

    /** The served root's directory, or null where the store is not a local directory. */
    Path localRoot();

    /** Told how long each request to the store took. */
    @FunctionalInterface
    interface RequestTimer {
        void observed(String backend, String op, long nanos);
    }

    /**
     * Asks the store to time each of its own requests (an object store: each API call); returns
     * false where it cannot, and the server then times each {@link Storage} call instead.
     */
    default boolean timeRequests(RequestTimer timer) {
        return false;
    }

    /** Drops uploads nobody touched for {@code maxAge}, in every root opened so far. */
    void expireUploads(Duration maxAge);
}
