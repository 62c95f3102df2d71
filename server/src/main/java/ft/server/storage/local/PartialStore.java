package ft.server.storage.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.hash.Hashing;
import ft.protocol.Md5;
import ft.transfer.OwnerOnly;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;

/**
 * Interrupted uploads, kept in the hidden state directory until they are resumed.
 *
 * <p>Each destination has a {@code .part} file with the bytes received so far and a
 * {@code .meta} file saying which upload (path, size, md5) they belong to. A put resumes
 * only when all three match; anything else starts over, because appending to the bytes of a
 * different file would only fail the final checksum after a full transfer.
 *
 * <p>An upload of at least {@link #META_FIRST_BYTES} records its meta before the first byte,
 * so that even a server killed mid-body leaves it resumable. A smaller one records it only if
 * its body is cut short ({@link #keep}): most small bodies arrive whole, and the meta file's
 * create, write, rename and delete would cost more than the body itself. A server crash
 * mid-body then costs at most that many bytes sent again (a part without meta is discarded).
 *
 * <p>Everything is reached through the open, verified {@code .ft/partials} ({@link
 * StateDirectory}): files are created 0600 without following links, opened without following
 * links, and a {@code .part}, {@code .meta} or {@code .state} that is not a regular file owned by
 * the server's user is discarded, never used (someone else planted it).
 */
final class PartialStore {
    /** What the meta file records. */
    record Meta(String path, long size, String md5) {}

    /** One destination's partial upload: {@code key.part}, {@code key.meta} and {@code key.state}. */
    record Partial(String key) {
        String data() {
            return key + ".part";
        }

        String meta() {
            return key + ".meta";
        }

        String state() {
            return key + ".state";
        }
    }

    /** Uploads at least this big write their meta up front; smaller ones only when interrupted. */
    static final long META_FIRST_BYTES = 1L << 20;

    /** Most bytes a meta file may have; a bigger one is not ours. */
    private static final int MAX_META_BYTES = 64 * 1024;

    private static final FileAttribute<Set<PosixFilePermission>> OWNER_READ_WRITE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private static final ObjectMapper JSON = new ObjectMapper();
    private final DirectoryHandle dir;
    private final int serverUid;
    /**
     * Looked up once: finding a path's file store reads /proc/mounts and walks the path, some
     * twenty system calls that would otherwise be paid by every put.
     */
    private volatile FileStore store;

    /** The partials in {@code dir}, an open and verified state subdirectory this store does not own. */
    PartialStore(DirectoryHandle dir) throws IOException {
        this.dir = dir;
        this.serverUid = OwnerOnly.processUid();
    }

    /** Where the partials are, for messages. */
    Path dir() {
        return dir.shownAs();
    }

    /** The open partials directory. */
    DirectoryHandle handle() {
        return dir;
    }

    /** Bytes free for uploads on the file system that holds the partials. */
    long usableSpace() throws IOException {
        FileStore known = store;
        if (known != null) {
            try {
                return known.getUsableSpace();
            } catch (IOException gone) {
                // The directory was removed and made again (perhaps elsewhere): look it up anew.
            }
        }
        // Only a statfs for the free space: where the path leads now cannot change what is written.
        known = Files.getFileStore(dir.shownAs());
        store = known;
        return known.getUsableSpace();
    }

    /**
     * The partial for a destination, named by a hash of its canonical location (the root's real
     * path and the canonical client path) so any client path maps to a safe name.
     */
    Partial partialFor(Path destination) {
        return new Partial(Hashing.sha256()
                .hashString(destination.toString(), StandardCharsets.UTF_8)
                .toString());
    }

    /** Shown in messages (a full disk) for the partial's bytes. */
    Path shownAs(Partial partial) {
        return dir.shownAs().resolve(partial.data());
    }

    /**
     * Prepares to receive an upload and returns the offset it may resume from: the partial's
     * length if it belongs to this very upload, else 0 after discarding it.
     */
    long begin(Partial partial, String clientPath, long size, Md5 md5) throws IOException {
        Meta wanted = new Meta(clientPath, size, md5.hex());
        BasicFileAttributes data = ours(partial.data());
        if (data != null && ours(partial.meta()) != null) {
            try {
                Meta held = JSON.readValue(read(partial.meta()), Meta.class);
                long length = data.size();
                if (held.equals(wanted) && length <= size) {
                    // Resuming counts as use: the sweep must not take it from under us.
                    FileTime now = FileTime.fromMillis(System.currentTimeMillis());
                    touch(partial.meta(), now);
                    touch(partial.data(), now);
                    return length;
                }
            } catch (IOException unreadable) {
                // A meta file cut short by a crash: start over, below.
            }
        }
        discard(partial);
        if (size >= META_FIRST_BYTES) {
            writeMeta(partial, wanted);
        }
        create(partial);
        return 0;
    }

    /** Clears the way for an upload that sends everything from byte 0, whatever was held, and makes its empty partial. */
    void fresh(Partial partial) throws IOException {
        discard(partial);
        create(partial);
    }

    /**
     * Makes the empty partial. Its mode is the umask's, like any file the server writes: it
     * becomes the published file by a rename, and {@code .ft/partials} (0700) keeps it private
     * meanwhile.
     */
    private void create(Partial partial) throws IOException {
        dir.createFile(partial.data()).close();
    }

    /** The partial's bytes, open to append (or read); refused unless it is a regular file of ours. */
    FileChannel open(Partial partial, boolean write) throws IOException {
        if (ours(partial.data()) == null) {
            throw new NoSuchFileException(shownAs(partial).toString(), null, "no partial of this server there");
        }
        return write
                ? dir.openFile(partial.data(), StandardOpenOption.READ, StandardOpenOption.WRITE)
                : dir.openFile(partial.data(), StandardOpenOption.READ);
    }

    /** How many bytes are held. */
    long held(Partial partial) throws IOException {
        return dir.stat(partial.data()).size();
    }

    /**
     * Makes an interrupted upload's bytes resumable: records its meta if {@link #begin} did
     * not. Call it while still holding the upload's path lock.
     */
    void keep(Partial partial, String clientPath, long size, Md5 md5, byte[] digestState) throws IOException {
        if (size < META_FIRST_BYTES && ours(partial.data()) != null) {
            writeMeta(partial, new Meta(clientPath, size, md5.hex()));
        }
        if (digestState == null) {
            deleteIfThere(partial.state());
        } else {
            // Written aside and renamed, so a crash leaves the old state or the new, never half.
            replace(partial.state(), digestState);
        }
    }

    /**
     * The running digest's state saved with the partial's bytes, or null. It is only good for
     * exactly the bytes held: a partial longer than what the state covers is told by its size,
     * which the state's owner (ft.transfer) records inside the blob.
     */
    byte[] digestState(Partial partial) throws IOException {
        if (ours(partial.state()) == null) {
            return null;
        }
        try {
            return read(partial.state());
        } catch (NoSuchFileException none) {
            return null;
        }
    }

    /** After a publish: the bytes are gone (renamed), so is what described them. */
    void forgetMeta(Partial partial) throws IOException {
        deleteIfThere(partial.meta());
        deleteIfThere(partial.state());
    }

    private void writeMeta(Partial partial, Meta meta) throws IOException {
        replace(partial.meta(), JSON.writeValueAsBytes(meta));
    }

    /** Writes {@code bytes} to a new temporary file and renames it over {@code name}, never following a link. */
    private void replace(String name, byte[] bytes) throws IOException {
        String tmp = name + ".tmp";
        deleteIfThere(tmp);
        try (FileChannel out = dir.createFile(tmp, OWNER_READ_WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                out.write(b);
            }
        }
        dir.move(tmp, dir, name);
    }

    /** The whole of the small file {@code name} (a meta or a digest state). */
    private byte[] read(String name) throws IOException {
        try (FileChannel in = dir.openFile(name, StandardOpenOption.READ)) {
            long size = in.size();
            if (size > MAX_META_BYTES) {
                throw new IOException(name + " is too big to be a partial's record");
            }
            ByteBuffer b = ByteBuffer.allocate((int) size);
            while (b.hasRemaining() && in.read(b) >= 0) {
                // Reads until full or the end.
            }
            return java.util.Arrays.copyOf(b.array(), b.position());
        }
    }

    /**
     * {@code lstat} of {@code name} if it is a regular file owned by the server's user (what
     * this store made), else null; anything else there is removed (a link is unlinked, never
     * followed) so it cannot be used.
     */
    private BasicFileAttributes ours(String name) throws IOException {
        Map<String, Object> a;
        try {
            a = dir.stat(name, "unix:uid,isRegularFile");
        } catch (NoSuchFileException none) {
            return null;
        }
        if (!(Boolean) a.get("isRegularFile") || (Integer) a.get("uid") != serverUid) {
            org.slf4j.LoggerFactory.getLogger(PartialStore.class)
                    .warn(
                            "discarding {}: not a regular file of the server's user",
                            dir.shownAs().resolve(name));
            remove(name);
            return null;
        }
        return dir.stat(name);
    }

    private void touch(String name, FileTime when) throws IOException {
        dir.view(name, BasicFileAttributeView.class).setTimes(when, null, null);
    }

    private void deleteIfThere(String name) throws IOException {
        try {
            dir.deleteFile(name);
        } catch (NoSuchFileException none) {
            // Nothing to delete.
        }
    }

    /** Removes whatever {@code name} is: a file or link, or a directory tree planted there. */
    private void remove(String name) throws IOException {
        try {
            dir.deleteFile(name);
        } catch (NoSuchFileException none) {
            // Gone already.
        } catch (IOException aDirectory) {
            LocalStorage.removeTree(dir, name, 0, null);
        }
    }

    /**
     * Deletes interrupted uploads nobody touched for {@code maxAge}: a client that never comes
     * back must not keep disk space forever. A resumed upload refreshes its partial's mtime.
     *
     * @return how many partials were removed
     */
    int sweep(java.time.Duration maxAge) {
        long cutoff = System.currentTimeMillis() - maxAge.toMillis();
        int removed = 0;
        try (DirectoryHandle.Names names = dir.names()) {
            for (String name : names) {
                try {
                    if (dir.stat(name).lastModifiedTime().toMillis() < cutoff
                            && (name.endsWith(".part")
                                    || name.endsWith(".meta")
                                    || name.endsWith(".state")
                                    || name.endsWith(".tmp"))) {
                        remove(name);
                        removed += name.endsWith(".part") ? 1 : 0;
                    }
                } catch (IOException vanished) {
                    // Resumed or removed meanwhile: nothing to sweep.
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            org.slf4j.LoggerFactory.getLogger(PartialStore.class)
                    .warn("sweeping partial uploads failed: {}", e.toString());
        }
        return removed;
    }

    void discard(Partial partial) throws IOException {
        remove(partial.data());
        remove(partial.meta());
        remove(partial.state());
    }
}
