package ft.transfer;

import ft.protocol.Md5;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32C;

/**
 * MD5s that survive a restart: file key (a path relative to the served root) and version
 * (whatever string the storage derives from size, mtime, ctime and inode) to MD5, kept in a
 * sidecar log {@value #FILE_NAME} in a state directory (the server's {@code .ft/}).
 *
 * <p>Why a sidecar and not a user xattr on each file: writing an xattr moves the file's ctime,
 * which is part of the version, so the stored entry would be stale the moment it was written;
 * an xattr also needs write permission on files that are only served, is missing on tmpfs
 * before Linux 6.6, on many NFS and overlay mounts and on object stores, and is dropped by
 * ordinary copies. One log in ft's own directory works the same everywhere, and one
 * compaction keeps it bounded.
 *
 * <p>The log: a header line, then one line per {@link #record} or {@link #forget}, each with a
 * CRC-32C of its content. On {@link #open} the last line of each key wins, lines that fail
 * their check (a torn tail after a crash, a damaged block) are dropped, and the file is
 * rewritten without them or the lines they superseded (written beside it, forced, then
 * renamed over it). While open it is compacted again whenever it holds more than twice the
 * lines it needs. A lost line only costs a re-hash; a damaged one is never read as an MD5.
 * Appends are not forced to disk for the same reason.
 *
 * <p>Safe for concurrent use within one process: lookups read a concurrent map, writes are
 * serialised. One process owns the file (an OS file lock); a second one opening the same
 * directory gets the entries as they were and keeps its own records in memory only
 * ({@link #persistent()} is false).
 *
 * <p>Correctness is the caller's part: record the version observed before hashing, and only
 * if it is still the version after; a version string must change whenever the content may
 * have.
 */
public final class DigestIndex implements Closeable {
    /** The log's name in the state directory. */
    public static final String FILE_NAME = "digests";

    private static final String HEADER = "ft-digests 1";
    private static final String GONE = "-";
    /** Below this many lines the log is never compacted while open. */
    private static final int MIN_LINES_TO_COMPACT = 1024;

    private record Entry(String version, Md5 md5) {}

    private final Path file;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final Object writeLock = new Object();
    /** Null when another process owns the file (or after close): records stay in memory. */
    private FileChannel log;

    private FileLock lock;
    private long lines;
    /** An append failed part-way: the next one starts on a fresh line. */
    private boolean mayBeTorn;

    private IOException lastFailure;

    private DigestIndex(Path file) {
        this.file = file;
    }

    /**
     * Opens (or creates, mode 0600) the index in {@code stateDirectory}, which must exist,
     * dropping damaged and superseded lines.
     *
     * @throws UnsafeStateException if the log is a symlink, not a regular file, owned by another
     *     user or writable by group or others: it is refused, never followed or written through
     */
    public static DigestIndex open(Path stateDirectory) throws IOException {
        DigestIndex index = new DigestIndex(stateDirectory.resolve(FILE_NAME));
        index.load();
        return index;
    }

    private void load() throws IOException {
        FileChannel channel =
                openLog(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        boolean owner;
        try {
            lock = channel.tryLock();
            owner = lock != null;
        } catch (OverlappingFileLockException sameProcess) {
            owner = false;
        } catch (IOException noLocks) {
            // A file system without locks: that one process uses it is then the operator's promise.
            owner = true;
        }
        try {
            readAll(channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (!owner) {
            channel.close();
            return;
        }
        log = channel;
        compact();
    }

    private void readAll(FileChannel channel) throws IOException {
        long size = channel.size();
        if (size > Integer.MAX_VALUE - 16) {
            throw new IOException(file + ": " + size + " bytes, too large for a digest index");
        }
        ByteBuffer buf = ByteBuffer.allocate((int) size);
        while (buf.hasRemaining() && channel.read(buf, buf.position()) >= 0) {
            // read all of it
        }
        String text = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
        int start = 0;
        boolean first = true;
        for (int nl; (nl = text.indexOf('\n', start)) >= 0; start = nl + 1) {
            String line = text.substring(start, nl);
            if (first) {
                first = false;
                if (!line.equals(HEADER)) {
                    // Not a log of ours (or its first block is gone): it is only a cache, start over.
                    return;
                }
                continue;
            }
            apply(line);
        }
        // A tail without its newline is a torn write: ignored, and dropped by the compaction.
    }

    private void apply(String line) {
        String[] f = line.split(" ", 4);
        if (f.length != 4 || f[0].length() != 8) {
            return;
        }
        String content = line.substring(9);
        int expected;
        try {
            expected = Integer.parseUnsignedInt(f[0], 16);
        } catch (NumberFormatException e) {
            return;
        }
        if (crc(content) != expected) {
            return;
        }
        try {
            String key = unescape(f[3]);
            if (f[1].equals(GONE)) {
                entries.remove(key);
            } else if (Md5.isValid(f[1])) {
                entries.put(key, new Entry(unescape(f[2]), new Md5(f[1])));
            }
        } catch (NumberFormatException badEscape) {
            // Its checksum matched, yet it is not a line this class writes: ignored like the others.
        }
    }

    /** The MD5 recorded for {@code key} at exactly {@code version}, if any. */
    public Optional<Md5> lookup(String key, String version) {
        Entry e = entries.get(key);
        return e != null && e.version().equals(version) ? Optional.of(e.md5()) : Optional.empty();
    }

    /**
     * Remembers that {@code key} at {@code version} has {@code md5}, replacing what was known
     * of the key. Never fails the caller: if the log cannot be written the entry is kept in
     * memory and the failure is kept for {@link #lastFailure()}.
     */
    public void record(String key, String version, Md5 md5) {
        Objects.requireNonNull(md5, "md5");
        Entry entry = new Entry(Objects.requireNonNull(version, "version"), md5);
        synchronized (writeLock) {
            if (entry.equals(entries.put(Objects.requireNonNull(key, "key"), entry))) {
                return;
            }
            append(md5.hex() + " " + escape(version) + " " + escape(key));
        }
    }

    /** Forgets {@code key} (removed, or moved away), so that the index does not keep it. */
    public void forget(String key) {
        synchronized (writeLock) {
            if (entries.remove(key) != null) {
                append(GONE + " - " + escape(key));
            }
        }
    }

    /** How many keys the index knows. */
    public int size() {
        return entries.size();
    }

    /** Whether records reach the file (false when another process owns it, or after close). */
    public boolean persistent() {
        synchronized (writeLock) {
            return log != null;
        }
    }

    /** The last failure to write the log, if any; the index went on in memory. */
    public Optional<IOException> lastFailure() {
        synchronized (writeLock) {
            return Optional.ofNullable(lastFailure);
        }
    }

    private void append(String content) {
        if (log == null) {
            return;
        }
        String line = (mayBeTorn ? "\n" : "") + String.format("%08x", crc(content)) + " " + content + "\n";
        try {
            writeFully(log, ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)));
            mayBeTorn = false;
            lines++;
            if (lines > MIN_LINES_TO_COMPACT && lines > 2L * entries.size()) {
                compact();
            }
        } catch (IOException e) {
            mayBeTorn = true;
            lastFailure = e;
        }
    }

    /** Rewrites the log with one line per key: beside it, forced, then renamed over it. */
    private void compact() throws IOException {
        if (log == null) {
            return;
        }
        Path tmp = file.resolveSibling(FILE_NAME + ".compacting");
        StringBuilder text = new StringBuilder(HEADER).append('\n');
        long count = 0;
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            String content =
                    e.getValue().md5().hex() + " " + escape(e.getValue().version()) + " " + escape(e.getKey());
            text.append(String.format("%08x", crc(content)))
                    .append(' ')
                    .append(content)
                    .append('\n');
            count++;
        }
        // A leftover (or planted) temporary is removed, never written through: deleting a link
        // removes the link, and CREATE_NEW with NOFOLLOW_LINKS makes a new file or fails.
        Files.deleteIfExists(tmp);
        try (FileChannel out = FileChannel.open(
                tmp,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                ownerOnly(tmp))) {
            writeFully(out, ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)));
            out.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        forceDirectory(file.getParent());
        // The lock and channel were on the replaced file: take both on the new one.
        FileChannel fresh = openLog(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock freshLock = null;
        if (lock != null) {
            try {
                freshLock = fresh.tryLock();
            } catch (IOException | OverlappingFileLockException e) {
                freshLock = null;
            }
        }
        FileChannel old = log;
        log = fresh;
        lock = freshLock;
        old.close();
        fresh.position(fresh.size());
        lines = count;
        mayBeTorn = false;
    }

    /**
     * Opens the log without following a link, created 0600 where the file system has modes, and
     * refuses it unless it is a regular file of this process's user that others cannot write:
     * whoever could plant a link there would have the server write a file of their choosing,
     * and whoever could write it would choose the MD5s the server answers with.
     */
    private static FileChannel openLog(Path file, StandardOpenOption... options) throws IOException {
        Set<OpenOption> opts = new HashSet<>(List.of(options));
        opts.add(LinkOption.NOFOLLOW_LINKS);
        Map<String, Object> before = unixAttributes(file);
        if (before != null) {
            checkOwnedAndPrivate(file, before);
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(file, opts, ownerOnly(file));
        } catch (IOException e) {
            // NOFOLLOW_LINKS on a link placed meanwhile fails with ELOOP, which the JDK reports as
            // a plain IOException: say what it is.
            if (Files.isSymbolicLink(file)) {
                throw symlink(file);
            }
            throw e;
        }
        try {
            Map<String, Object> after = unixAttributes(file);
            if (after != null) {
                if (before != null && !before.get("ino").equals(after.get("ino"))) {
                    throw new UnsafeStateException(file + " was replaced while the server opened it; someone else can"
                            + " write the server's state directory. Fix: chmod -R go-rwx " + file.getParent());
                }
                checkOwnedAndPrivate(file, after);
            }
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static UnsafeStateException symlink(Path file) {
        return new UnsafeStateException(file + " is a symlink; the server keeps its digest index there and will not "
                + "follow a link to it. Remove it (rm " + file + ") and start again.");
    }

    /** uid, mode and inode of {@code file} itself (not a link's target); null without Unix attributes. */
    private static Map<String, Object> unixAttributes(Path file) throws IOException {
        try {
            return Files.readAttributes(file, "unix:uid,mode,ino", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException missing) {
            return null;
        } catch (UnsupportedOperationException | IllegalArgumentException noUnixView) {
            return null;
        }
    }

    private static void checkOwnedAndPrivate(Path file, Map<String, Object> attrs) throws IOException {
        int mode = (Integer) attrs.get("mode");
        if ((mode & 0170000) == 0120000) {
            throw symlink(file);
        }
        if ((mode & 0170000) != 0100000) {
            throw new UnsafeStateException(file
                    + " is not a regular file; the server keeps its digest index there. Remove it and start again.");
        }
        int uid = (Integer) attrs.get("uid");
        int self = processUid();
        if (self >= 0 && uid != self) {
            throw new UnsafeStateException(file + " belongs to uid " + uid + ", not to the server's user (uid " + self
                    + "); someone else could choose the digests the server answers with. Fix: chown " + self + " "
                    + file);
        }
        if ((mode & 022) != 0) {
            throw new UnsafeStateException(file + " has mode " + String.format("%04o", mode & 07777)
                    + "; others could change the digests the server answers with. Fix: chmod go-rwx " + file);
        }
    }

    /** {@link OwnerOnly#processUid()}, or -1 where there is no /proc to tell. */
    private static int processUid() throws IOException {
        try {
            return OwnerOnly.processUid();
        } catch (NoSuchFileException | UnsupportedOperationException noProc) {
            return -1;
        }
    }

    private static FileAttribute<?>[] ownerOnly(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        return dir != null && Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null
                ? new FileAttribute<?>[] {
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
                }
                : new FileAttribute<?>[0];
    }

    private static void forceDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException notEverywhere) {
            // Some platforms cannot open a directory; the rename is then as durable as they make it.
        }
    }

    private static void writeFully(FileChannel out, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            out.write(buf);
        }
    }

    /** Stops writing; entries stay readable in memory. */
    @Override
    public void close() throws IOException {
        synchronized (writeLock) {
            if (log != null) {
                try {
                    log.close();
                } finally {
                    log = null;
                    lock = null;
                }
            }
        }
    }

    private static int crc(String content) {
        CRC32C crc = new CRC32C();
        crc.update(content.getBytes(StandardCharsets.UTF_8));
        return (int) crc.getValue();
    }

    /** Keys and versions may hold any character; the log's separators are escaped. */
    static String escape(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String rep = switch (c) {
                case '%' -> "%25";
                case ' ' -> "%20";
                case '\n' -> "%0A";
                case '\r' -> "%0D";
                default -> null;
            };
            if (rep != null && b == null) {
                b = new StringBuilder(s.length() + 8).append(s, 0, i);
            }
            if (b != null) {
                if (rep != null) {
                    b.append(rep);
                } else {
                    b.append(c);
                }
            }
        }
        return b == null ? s : b.toString();
    }

    static String unescape(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length()) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
