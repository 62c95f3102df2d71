package ft.server.storage.local;

import ft.protocol.EntryType;
import ft.protocol.ErrorCode;
import ft.protocol.FileAttributes;
import ft.protocol.Md5;
import ft.server.RefusedException;
import ft.server.storage.Capabilities;
import ft.server.storage.DigestStore;
import ft.server.storage.Entry;
import ft.server.storage.InMemoryDigestStore;
import ft.server.storage.ListPage;
import ft.server.storage.ReadHandle;
import ft.server.storage.Storage;
import ft.server.storage.UploadSession;
import ft.server.storage.Version;
import ft.server.storage.VersionChangedException;
import ft.transfer.Body;
import ft.transfer.NoSpaceException;
import ft.transfer.WriteBehind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The served tree as a local directory: the embedded default {@link Storage}, and the only
 * class of the server that touches the served tree.
 *
 * <p>Client paths go through {@link RootJail} (symlinks inside the root followed, nothing
 * outside or in {@code .ft} reachable). Uploads go to the hidden partial area
 * ({@code .ft/partials}, {@link PartialStore}) and are published by an atomic rename followed by
 * an fsync of the directory ({@link DirectorySync}). A file's version is its size, mtime, ctime
 * and inode ({@link FileVersions}); MD5s are computed once per version ({@link DigestCache}) and
 * recorded in a {@link DigestStore}.
 */
public final class LocalStorage implements Storage {
    /** Uploads at least this big record what they are before their first byte (see the partial store). */
    public static final long META_FIRST_BYTES = PartialStore.META_FIRST_BYTES;

    private static final Capabilities CAPABILITIES = new Capabilities(true, true, 1, true);

    private final RootJail jail;
    private final PartialStore partials;
    private final DigestCache digests;
    private final DigestStore index;
    private final AtomicLong heldBytesHashed;
    private final DirectorySync directorySync;

    private LocalStorage(
            Path root, DigestCache digests, DigestStore index, DirectorySync directorySync, AtomicLong heldBytesHashed)
            throws IOException {
        this.heldBytesHashed = heldBytesHashed;
        Files.createDirectories(root);
        this.jail = new RootJail(root);
        this.partials = new PartialStore(jail.stateDir());
        this.digests = digests;
        this.index = index;
        this.directorySync = directorySync;
    }

    /** Serves {@code root} (created if missing), with digests kept in memory. */
    public static LocalStorage open(Path root) throws IOException {
        return open(root, new InMemoryDigestStore());
    }

    /** Serves {@code root} (created if missing), recording digests in {@code index}. */
    public static LocalStorage open(Path root, DigestStore index) throws IOException {
        return new LocalStorage(root, new DigestCache(), index, new DirectorySync(), new AtomicLong());
    }

    /**
     * Serves {@code root} (created if missing), with digests kept across restarts in the root's
     * state directory ({@link IndexedDigestStore}); {@link #close} releases that index.
     */
    public static LocalStorage openWithIndex(Path root) throws IOException {
        Files.createDirectories(root);
        return open(root, IndexedDigestStore.open(new RootJail(root).stateDir()));
    }

    /** Releases the digest index, if this storage owns a persistent one; idempotent. */
    public void close() throws IOException {
        if (index instanceof IndexedDigestStore persistent) {
            persistent.close();
        }
    }

    /** Another root served alongside this one, sharing its digest cache, index and syncs. */
    public LocalStorage sibling(Path otherRoot) throws IOException {
        return new LocalStorage(otherRoot, digests, index, directorySync, heldBytesHashed);
    }

    /** The real path of the served root. */
    public Path root() {
        return jail.root();
    }

    /** Where the server keeps its own state (never reachable by clients). */
    public Path stateDir() {
        return jail.stateDir();
    }

    /** Whether a client of this root could reach the real file {@code file} (all but the state directory). */
    public boolean exposes(Path file) {
        return file.startsWith(jail.root()) && !file.startsWith(jail.stateDir());
    }

    /**
     * The real directory a user's root names: an absolute one as it is, a relative one inside
     * this root (reached through the jail, so no symlink leads it out); created if missing.
     */
    public Path userRoot(String root) throws RefusedException, IOException {
        if (Path.of(root).isAbsolute()) {
            return Files.createDirectories(Path.of(root)).toRealPath();
        }
        return jail.makeDirectory(root, true).toRealPath();
    }

    /** Makes the partial area again, if the root was removed and made again since. */
    public void ensureReady() throws IOException {
        Files.createDirectories(partials.dir());
    }

    /** Whether the MD5 of the file's current version is known without hashing (for tests and operators). */
    /**
     * Bytes this storage (and its siblings) read back only to hash them: whole files for their
     * MD5, and held partials of resumed uploads without a usable saved state. For tests and logs.
     */
    public long bytesHashed() {
        return digests.bytesHashed() + heldBytesHashed.get();
    }

    public boolean knowsDigest(String path) throws RefusedException, IOException {
        return digests.knows(FileVersions.of(jail.resolveExisting(path)));
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public Entry stat(String path) throws RefusedException, IOException {
        Path real = jail.resolveExisting(path);
        BasicFileAttributes attrs = Files.readAttributes(real, BasicFileAttributes.class);
        String name = RootJail.segments(path).getLast();
        long mtime = attrs.lastModifiedTime().toMillis();
        if (attrs.isDirectory()) {
            return new Entry(name, EntryType.DIR, 0, mtime, null, null);
        }
        if (!attrs.isRegularFile()) {
            return new Entry(name, EntryType.OTHER, 0, mtime, null, null);
        }
        FileVersions.Observed observed = FileVersions.observe(real);
        DigestCache.Version v = observed.version();
        return new Entry(name, EntryType.FILE, v.size(), v.modified().toMillis(), observed.mode(), versionOf(v));
    }

    @Override
    public ListPage list(String directory, String pageToken, int limit) throws RefusedException, IOException {
        Path dir = jail.resolveDirectory(directory);
        List<String> names = new ArrayList<>();
        boolean more = pick(dir, dir.equals(jail.root()), pageToken, limit, names);
        List<Entry> entries = new ArrayList<>(names.size());
        for (String name : names) {
            BasicFileAttributes attrs;
            try {
                attrs = Files.readAttributes(dir.resolve(name), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException removedMeanwhile) {
                continue;
            }
            long size = attrs.isRegularFile() ? attrs.size() : 0;
            entries.add(new Entry(
                    name, typeOf(attrs), size, attrs.lastModifiedTime().toMillis(), null, null));
        }
        return new ListPage(entries, more && !names.isEmpty() ? names.getLast() : null);
    }

    /**
     * The {@code limit} smallest names after {@code after} into {@code names}, picked in one pass
     * with a heap of at most {@code limit + 1}, so a directory of millions of entries costs memory
     * for one page only; returns whether more remain.
     */
    static boolean pick(Path dir, boolean isRoot, String after, int limit, List<String> names) throws IOException {
        PriorityQueue<String> largestFirst = new PriorityQueue<>(limit + 1, Comparator.reverseOrder());
        boolean more = false;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (isRoot && name.equals(RootJail.STATE_DIR)) {
                    continue;
                }
                if (after != null && name.compareTo(after) <= 0) {
                    continue;
                }
                largestFirst.add(name);
                if (largestFirst.size() > limit) {
                    largestFirst.poll();
                    more = true;
                }
            }
        } catch (DirectoryIteratorException e) {
            throw e.getCause();
        }
        names.addAll(largestFirst);
        Collections.sort(names);
        return more;
    }

    /** The type a listing reports: a symlink is a link, whatever it points to. */
    private static EntryType typeOf(BasicFileAttributes attrs) {
        if (attrs.isSymbolicLink()) {
            return EntryType.LINK;
        }
        if (attrs.isDirectory()) {
            return EntryType.DIR;
        }
        return attrs.isRegularFile() ? EntryType.FILE : EntryType.OTHER;
    }

    @Override
    public void walk(String directory, String startBelow, Walker walker) throws RefusedException, IOException {
        Path baseDir = jail.resolveDirectory(directory);
        List<Path> chain = new ArrayList<>();
        for (Path p = baseDir; p != null && p.startsWith(jail.root()); p = p.getParent()) {
            chain.addFirst(p);
        }
        Path startDir = startBelow.isEmpty() ? baseDir : prefixDirectory(baseDir, startBelow, chain);
        walker.begin();
        if (startDir != null) {
            walk(startDir, startBelow, chain, walker);
        }
    }

    /**
     * The directory {@code prefix} names below {@code baseDir}, reached the way the walk would
     * reach it (the same links followed, the same ones not; the directories passed are added to
     * {@code chain}), or null if there is none. This keeps the shortcut from changing what a
     * pattern finds.
     */
    private Path prefixDirectory(Path baseDir, String prefix, List<Path> chain) {
        Path current = baseDir;
        for (String segment : prefix.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return null; // a walked path never has such a segment
            }
            TreeStep step = TreeStep.of(jail, current, segment, chain);
            if (step == null || step.kind() != TreeStep.Kind.DIR) {
                return null;
            }
            current = step.real();
            chain.add(current);
        }
        return current;
    }

    /**
     * Visits what is below {@code dir} (a real directory, already on {@code chain}), depth-first,
     * holding one open directory stream per level. A directory that cannot be opened is skipped
     * (the walk is a snapshot, not a promise); one that fails while being read stops the walk.
     */
    private void walk(Path dir, String relative, List<Path> chain, Walker walker) throws IOException {
        DirectoryStream<Path> opened;
        try {
            opened = Files.newDirectoryStream(dir);
        } catch (IOException unreadable) {
            return;
        }
        try (DirectoryStream<Path> entries = opened) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                String rel = relative.isEmpty() ? name : relative + "/" + name;
                TreeStep step = TreeStep.of(jail, dir, name, chain);
                if (step == null) {
                    continue;
                }
                EntryType type = switch (step.kind()) {
                    case FILE -> EntryType.FILE;
                    case DIR -> EntryType.DIR;
                    case LINK -> EntryType.LINK;
                    case OTHER -> EntryType.OTHER;
                };
                long size = type == EntryType.FILE ? step.attrs().size() : 0;
                Entry e = new Entry(
                        name, type, size, step.attrs().lastModifiedTime().toMillis(), null, null);
                if (walker.visit(rel, e) && type == EntryType.DIR) {
                    chain.add(step.real());
                    walk(step.real(), rel, chain, walker);
                    chain.removeLast();
                }
            }
        } catch (DirectoryIteratorException e) {
            throw e.getCause();
        }
    }

    @Override
    public Md5 digest(String path, Version version, Progress progress) throws RefusedException, IOException {
        Path real = jail.resolveExisting(path);
        DigestCache.Version now = FileVersions.of(real);
        if (!versionOf(now).equals(version)) {
            throw new VersionChangedException("'" + path + "' changed");
        }
        String key = real.toString();
        Md5 recorded = index.lookup(key, version);
        if (recorded != null) {
            digests.remember(now, recorded);
            return recorded;
        }
        DigestCache.Waiting waiting = progress == null
                ? null
                : new DigestCache.Waiting(
                        progress.every(), (done, total) -> progress.reporter().stillHashing(done, total));
        Md5 md5;
        try {
            md5 = digests.digestOf(now, waiting);
        } catch (AccessDeniedException e) {
            throw new RefusedException(ErrorCode.ACCESS_DENIED, "'" + path + "' is not readable");
        }
        index.record(key, version, md5);
        return md5;
    }

    @Override
    public ReadHandle openRead(String path, Version version, long offset) throws RefusedException, IOException {
        Path real = jail.resolveExisting(path);
        FileChannel file;
        try {
            file = FileChannel.open(real, StandardOpenOption.READ);
        } catch (AccessDeniedException e) {
            throw new RefusedException(ErrorCode.ACCESS_DENIED, "'" + path + "' is not readable");
        }
        DigestCache.Version after = FileVersions.of(real);
        if (versionOf(after).equals(version) && file.size() == version.size()) {
            return new LocalRead(file, version);
        }
        file.close();
        // The digest may have been taken of bytes that were changing: compute it again next time.
        digests.forget(local(real, version));
        index.forget(real.toString());
        throw new VersionChangedException("'" + path + "' changed while being opened");
    }

    /** An open file; zero-copy to a channel through {@link FileChannel#transferTo}. */
    private record LocalRead(FileChannel file, Version version) implements ReadHandle {
        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return file.read(dst, position);
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            long n = file.transferTo(position, count, target);
            if (n == 0 && position >= file.size()) {
                // Truncated under us: the client sees a short body and keeps its partial.
                throw new IOException("file shrank while being sent");
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            file.close();
        }
    }

    @Override
    public UploadSession openUpload(String path, UploadSession.Identity identity) throws RefusedException, IOException {
        return new LocalUpload(path, jail.resolveForWrite(path), identity);
    }

    /** An upload into {@code .ft/partials}, published by an atomic rename. */
    private final class LocalUpload implements UploadSession {
        private final String path;
        private final Path destination;
        private final Identity identity;
        private final PartialStore.Partial partial;
        private FileChannel file;
        private WriteBehind sink;

        LocalUpload(String path, Path destination, Identity identity) {
            this.path = path;
            this.destination = destination;
            this.identity = identity;
            this.partial = partials.partialFor(destination);
        }

        @Override
        public String key() {
            return destination.toString();
        }

        @Override
        public long begin(boolean resume) throws IOException {
            if (resume) {
                return partials.begin(partial, path, identity.size(), identity.md5());
            }
            partials.fresh(partial);
            Files.createFile(partial.data());
            return 0;
        }

        @Override
        public long held() throws IOException {
            return Files.size(partial.data());
        }

        @Override
        public byte[] digestState() throws IOException {
            return partials.digestState(partial);
        }

        @Override
        public void hashHeld(MessageDigest md5) throws IOException {
            long held = held();
            try (FileChannel in = FileChannel.open(partial.data(), StandardOpenOption.READ)) {
                Body.hash(in, held, md5);
            }
            heldBytesHashed.addAndGet(held);
        }

        @Override
        public WritableByteChannel channel() throws IOException {
            if (sink == null) {
                file = FileChannel.open(partial.data(), StandardOpenOption.READ, StandardOpenOption.WRITE);
                file.position(file.size());
                sink = WriteBehind.of(file);
            }
            return new NoSpaceClassifying(sink, partial.data());
        }

        @Override
        public void checkpoint(byte[] digestState) throws IOException {
            closeChannel();
            partials.keep(partial, path, identity.size(), identity.md5(), digestState);
        }

        @Override
        public Version publish(Md5 md5, FileAttributes attributes, Condition condition)
                throws RefusedException, IOException {
            if (sink != null) {
                try {
                    sink.drain();
                    file.force(false);
                } catch (IOException e) {
                    throw NoSpaceException.classify(e, partial.data());
                }
            }
            closeChannel();
            // The parent may have been swapped for a symlink while the body arrived.
            Path again = jail.resolveForWrite(path);
            if (!again.equals(destination)) {
                partials.discard(partial);
                throw new RefusedException(
                        ErrorCode.ACCESS_DENIED,
                        "'" + path + "' changed location during the upload; nothing was stored");
            }
            if (attributes != null) {
                try {
                    PreservedAttributes.apply(partial.data(), attributes);
                } catch (IOException e) {
                    partials.discard(partial);
                    throw new RefusedException(
                            ErrorCode.INTERNAL,
                            "the server could not set the modification time " + "and mode of '" + path
                                    + "'; nothing was stored");
                }
            }
            try {
                place(condition);
            } catch (AccessDeniedException e) {
                throw new RefusedException(ErrorCode.ACCESS_DENIED, "'" + path + "' is not writable");
            }
            partials.forgetMeta(partial);
            // Makes the rename itself durable, so a power cut cannot bring the old name back;
            // uploads finishing into the same directory together share one fsync.
            directorySync.sync(destination.getParent());
            // Stat after the chmod, touch and rename, each of which moved the ctime.
            DigestCache.Version now = FileVersions.of(destination);
            digests.remember(now, md5);
            Version version = versionOf(now);
            index.record(destination.toString(), version, md5);
            return version;
        }

        /** Moves the partial under its name, as {@code condition} allows, atomically. */
        private void place(Condition condition) throws RefusedException, IOException {
            switch (condition) {
                case Condition.Always a ->
                    Files.move(
                            partial.data(),
                            destination,
                            StandardCopyOption.ATOMIC_MOVE,
                            StandardCopyOption.REPLACE_EXISTING);
                case Condition.CreateOnly c -> {
                    // link(2) fails if the name exists, in one step, unlike a check then a rename.
                    try {
                        Files.createLink(destination, partial.data());
                    } catch (FileAlreadyExistsException e) {
                        partials.discard(partial);
                        throw new RefusedException(ErrorCode.EXISTS, "'" + path + "' already exists");
                    }
                    Files.delete(partial.data());
                }
                case Condition.IfVersion v -> {
                    DigestCache.Version held;
                    try {
                        held = FileVersions.of(destination);
                    } catch (NoSuchFileException gone) {
                        held = null;
                    }
                    if (held == null || !versionOf(held).equals(v.version())) {
                        partials.discard(partial);
                        throw new RefusedException(
                                ErrorCode.BUSY, "'" + path + "' changed meanwhile; nothing was stored");
                    }
                    Files.move(
                            partial.data(),
                            destination,
                            StandardCopyOption.ATOMIC_MOVE,
                            StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }

        @Override
        public void abort() throws IOException {
            closeChannel();
            partials.discard(partial);
        }

        @Override
        public void close() throws IOException {
            closeChannel();
        }

        private void closeChannel() throws IOException {
            if (sink != null) {
                sink.close();
                sink = null;
            }
            if (file != null) {
                file.close();
                file = null;
            }
        }
    }

    /** Writes through, telling a full disk by asking the file system, once. */
    private record NoSpaceClassifying(WritableByteChannel out, Path where) implements WritableByteChannel {
        @Override
        public int write(ByteBuffer src) throws IOException {
            try {
                return out.write(src);
            } catch (IOException e) {
                throw NoSpaceException.classify(e, where);
            }
        }

        @Override
        public boolean isOpen() {
            return out.isOpen();
        }

        @Override
        public void close() {
            // The session closes what it wrapped.
        }
    }

    @Override
    public void remove(String path, boolean recursive) throws RefusedException, IOException {
        Path entry = jail.resolveEntry(path);
        boolean directory = Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS);
        try {
            if (directory && recursive) {
                removeTree(entry);
            } else {
                Files.delete(entry);
            }
        } catch (DirectoryNotEmptyException e) {
            throw new RefusedException(
                    ErrorCode.NOT_EMPTY, "'" + path + "' is a directory that is not empty; remove it recursively");
        } catch (AccessDeniedException e) {
            throw new RefusedException(ErrorCode.ACCESS_DENIED, "'" + path + "' may not be removed");
        }
    }

    private static void removeTree(Path top) throws IOException {
        Files.walkFileTree(top, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
                if (failure != null) {
                    throw failure;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    @Override
    public void move(String from, String to) throws RefusedException, IOException {
        Path source = jail.resolveEntry(from);
        Path target;
        Path into = existingDirectory(to);
        if (into != null) {
            target = into.resolve(source.getFileName());
            // "sub/.ft" moved into the root (named through a symlink to it) would land on the state dir.
            jail.checkInside(target, to);
        } else {
            target = jail.resolveName(to);
        }
        if (target.startsWith(source)) {
            throw new RefusedException(ErrorCode.BAD_REQUEST, "cannot move '" + from + "' into itself");
        }
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new RefusedException(ErrorCode.EXISTS, "the destination of '" + from + "' is an existing directory");
        }
        if (Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS) && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new RefusedException(
                    ErrorCode.NOT_A_DIRECTORY,
                    "cannot put the directory '" + from + "' in place of the file '" + to + "'");
        }
        try {
            // rename(2): atomic, and replaces an existing file like mv does.
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AccessDeniedException e) {
            throw new RefusedException(ErrorCode.ACCESS_DENIED, "'" + from + "' may not be moved there");
        }
    }

    /** The real directory {@code clientPath} names, or null if it names no directory. */
    private Path existingDirectory(String clientPath) throws RefusedException, IOException {
        try {
            Path p = jail.resolveExisting(clientPath);
            return Files.isDirectory(p) ? p : null;
        } catch (RefusedException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                return null;
            }
            throw e;
        }
    }

    @Override
    public void makeDirectory(String path, boolean parents) throws RefusedException, IOException {
        jail.makeDirectory(path, parents);
    }

    @Override
    public long usableSpace() throws IOException {
        return partials.usableSpace();
    }

    @Override
    public int expireUploads(Duration maxAge) {
        return partials.sweep(maxAge);
    }

    /** The opaque version of a local file: size and mtime, with mtime, ctime and inode in the tag. */
    static Version versionOf(DigestCache.Version v) {
        String changed = v.changed() == null ? "-" : Long.toString(v.changed().to(TimeUnit.NANOSECONDS));
        return new Version(
                v.size(),
                v.modified().toMillis(),
                v.modified().to(TimeUnit.NANOSECONDS) + "|" + changed + "|" + v.fileKey());
    }

    /** The digest cache's key for {@code version} of {@code real} (the inverse of {@link #versionOf}). */
    private static DigestCache.Version local(Path real, Version version) {
        String[] parts = version.tag().split("\\|", 3);
        FileTime modified = FileTime.from(Long.parseLong(parts[0]), TimeUnit.NANOSECONDS);
        FileTime changed = parts[1].equals("-") ? null : FileTime.from(Long.parseLong(parts[1]), TimeUnit.NANOSECONDS);
        return new DigestCache.Version(real, version.size(), modified, changed, parts[2]);
    }
}
