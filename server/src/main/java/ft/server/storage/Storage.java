package ft.server.storage;

import ft.protocol.FileAttributes;
import ft.protocol.Md5;
import ft.server.RefusedException;
import java.io.IOException;
import java.time.Duration;

/**
 * The served tree as ft needs it, shaped so that an object store can sit behind it as well as
 * a local directory.
 *
 * <p>Paths are client paths ({@code "dir/a.txt"}, {@code ""} for the top), '/'-separated and
 * already in the form the protocol allows; a backend refuses what it cannot hold with a
 * {@link RefusedException} whose code goes to the client unchanged (NOT_FOUND, EXISTS,
 * NOT_EMPTY, ACCESS_DENIED, IS_A_DIRECTORY, NOT_A_DIRECTORY, BAD_REQUEST). Any other
 * {@link IOException} is the backend's own failure; a full store is a
 * {@link ft.transfer.NoSpaceException}.
 *
 * <p>What it does not assume, because S3 has none of it: renaming a directory
 * ({@link Capabilities#atomicDirectoryRename}), fsync (durability is the backend's business,
 * done before {@link UploadSession#publish} returns), reading an upload's parts before it
 * completes ({@link Capabilities#partsReadableBeforeComplete}, hence the saved digest state),
 * small parts ({@link Capabilities#minPartSize}), inodes (a {@link Version} is an opaque token).
 */
public interface Storage {
    /** What this backend can do beyond the interface's promises. */
    Capabilities capabilities();

    /** What {@code path} is now; links inside the tree are followed. Missing: refused NOT_FOUND. */
    Entry stat(String path) throws RefusedException, IOException;

    /**
     * One page of a directory: at most {@code limit} entries sorted by name (Java String order),
     * all after {@code pageToken} (the previous page's {@link ListPage#nextToken()}, or null for
     * the first). Entries are not followed: a link is a {@link ft.protocol.EntryType#LINK}.
     */
    ListPage list(String directory, String pageToken, int limit) throws RefusedException, IOException;

    /**
     * Walks the tree below {@code directory} depth-first, for find. The walk first goes down the
     * literal directory prefix {@code startBelow} ("" for none) by the same rules, visiting
     * nothing there; if it leads to no directory, nothing is visited. {@link Walker#begin} is
     * called once the start is known, before the first visit; a failure before it is the
     * request's, after it the walk's.
     */
    void walk(String directory, String startBelow, Walker walker) throws RefusedException, IOException;

    /**
     * The MD5 of exactly {@code version} of the file at {@code path}, from the backend's digest
     * index when it knows it, else by reading the file once (telling {@code progress} meanwhile,
     * if not null).
     *
     * @throws VersionChangedException if the file is no longer {@code version}
     */
    Md5 digest(String path, Version version, Progress progress) throws RefusedException, IOException;

    /**
     * Opens {@code version} of the file at {@code path} to read from {@code offset} on.
     *
     * @throws VersionChangedException if the file is no longer {@code version}
     */
    ReadHandle openRead(String path, Version version, long offset) throws RefusedException, IOException;

    /**
     * Starts or resumes an upload to {@code path}. Nothing is visible at {@code path} until
     * {@link UploadSession#publish}; several sessions on different keys may be open at once.
     *
     * @param attributes mtime and mode the published file gets, or null; given here, not at
     *     publish, because S3 fixes an object's metadata when its upload starts
     * @throws RefusedException BUSY where the backend knows of another upload of the same name
     *     in progress elsewhere (another server on the same bucket)
     */
    UploadSession openUpload(String path, UploadSession.Identity identity, FileAttributes attributes)
            throws RefusedException, IOException;

    /** Removes a file, a link, an empty directory, or with {@code recursive} a whole tree. */
    void remove(String path, boolean recursive) throws RefusedException, IOException;

    /** Moves a name; into {@code to} if that is a directory; replaces an existing file. */
    void move(String from, String to) throws RefusedException, IOException;

    /** Makes a directory; with {@code parents} also missing parents, and an existing one is fine. */
    void makeDirectory(String path, boolean parents) throws RefusedException, IOException;

    /** Bytes the backend can still take for uploads. */
    long usableSpace() throws IOException;

    /**
     * Checks that the backend answers now (a balancer's health check asks through this): one
     * cheap request to the store, never a walk.
     *
     * @throws IOException if it does not
     */
    default void probe() throws IOException {
        usableSpace();
    }

    /** A short name for metrics and logs: "local", "s3". */
    default String backendName() {
        return "local";
    }

    /** Drops uploads nobody touched for {@code maxAge}; returns how many. */
    int expireUploads(Duration maxAge);

    /** Who waits for a digest, told how far hashing has got at least every {@code every}. */
    record Progress(Duration every, Reporter reporter) {}

    @FunctionalInterface
    interface Reporter {
        /** @throws IOException to stop waiting (the hashing goes on for whoever asks next) */
        void stillHashing(long done, long total) throws IOException;
    }

    /** What a walk is told; see {@link #walk}. */
    interface Walker {
        /** The start is resolved; visits follow. */
        void begin() throws IOException;

        /**
         * One entry, its path relative to the walk's directory.
         *
         * @return for a directory, whether to walk into it; ignored for anything else
         */
        boolean visit(String relative, Entry entry) throws IOException;
    }
}
