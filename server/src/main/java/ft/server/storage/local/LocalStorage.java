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
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The served tree as a local directory: the embedded default {@link Storage}, and the only
 * class of the server that touches the served tree.
 *
 * <p>Client paths go through {@link RootJail} (symlinks inside the root followed, nothing
 * outside or in any state directory reachable), which hands back an open directory and a name:
 * every operation is then relative to that descriptor and never follows a final symlink, so a
 * directory swapped for a link between two system calls leads nowhere. Files are opened only
 * after {@code lstat} says they are regular files, and what was opened is checked to be the
 * version that was examined (dev/inode, size, mtime, ctime). {@code rm -r} opens each
 * subdirectory without following links and unlinks a link it finds instead; {@code find} holds
 * one directory per level, at most {@value RootJail#MAX_DEPTH} levels, and tells link loops by
 * directory identity.
 *
 * <p>The state directory ({@code .ft}) is opened and verified like sshd's StrictModes
 * ({@link StateDirectory}): opening fails when it is a link, not owned by the server's user or
 * open to others. Uploads go to its {@code partials} ({@link PartialStore}) and are published
 * by {@code renameat} into the directory the upload's path named when it began, which must
 * still be what the path names (same identity), followed by an fsync of that directory
 * ({@link DirectorySync}). A file's version is its size, mtime, ctime and inode
 * ({@link FileVersions}); MD5s are computed once per version ({@link DigestCache}) and recorded
 * in a {@link DigestStore}.
 *
 * <p>What remains: a directory a request holds open and that someone renames out of the root
 * meanwhile is still used by that request (only someone who can write both places can do it);
 * hard links a local user plants inside the root are ordinary files of the root; a regular file
 * swapped for a FIFO between the {@code lstat} and the open makes that request wait (local users
 * who can write the root only); a served root whose path itself is replaced while the server
 * runs is only noticed by {@link #ensureReady}.
 */
public final class LocalStorage implements Storage {
    /** Uploads at least this big record what they are before their first byte (see the partial store). */
    public static final long META_FIRST_BYTES = PartialStore.META_FIRST_BYTES;

    private static final Capabilities CAPABILITIES = new Capabilities(true, true, 1, true);

    /** Opens the digest store once the state directory is verified. */
    @FunctionalInterface
    private interface IndexOpener {
        DigestStore open(StateDirectory state) throws IOException;
    }

    /** The open root, its verified state directory and partials, all held for the storage's life. */
    private record Opened(RootJail jail, StateDirectory state, DirectoryHandle partialsDir, PartialStore partials) {
        void close() throws IOException {
            partialsDir.close();
            state.close();
            jail.close();
        }
    }

    private final Path configuredRoot;
    private final RootJail.Reserved reserved;
    private volatile Opened opened;
    private final DigestCache digests;
    private final DigestStore index;
    private final boolean ownsIndex;
    private final AtomicLong heldBytesHashed;
    private final DirectorySync directorySync;

    private LocalStorage(
            Path root,
            DigestCache digests,
            IndexOpener index,
            boolean ownsIndex,
            DirectorySync directorySync,
            AtomicLong heldBytesHashed,
            RootJail.Reserved reserved)
            throws IOException {
        this.configuredRoot = root;
        this.reserved = reserved;
        this.heldBytesHashed = heldBytesHashed;
        this.opened = openRoot(root, reserved);
        this.digests = digests;
        try {
            this.index = index.open(opened.state());
        } catch (IOException | RuntimeException e) {
            opened.close();
            throw e;
        }
        this.ownsIndex = ownsIndex;
        this.directorySync = directorySync;
    }

    /**
     * Opens {@code root} (created if missing) and its state directory, verified: a {@code .ft}
     * or {@code .ft/partials} that is a link, not the server user's or open to others fails here
     * with {@link StateDirectory.UnsafeStateException}'s message.
     */
    private static Opened openRoot(Path root, RootJail.Reserved reserved) throws IOException {
        Files.createDirectories(root);
        DirectoryHandle rootHandle = DirectoryHandle.open(root.toRealPath());
        try {
            StateDirectory state = StateDirectory.open(rootHandle);
            try {
                DirectoryHandle partialsDir = state.subdirectory("partials");
                reserved.addRoot(rootHandle.identity());
                reserved.addState(state.handle().identity());
                return new Opened(
                        new RootJail(rootHandle, reserved), state, partialsDir, new PartialStore(partialsDir));
            } catch (IOException | RuntimeException e) {
                state.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            rootHandle.close();
            throw e;
        }
    }

    /** Serves {@code root} (created if missing), with digests kept in memory. */
    public static LocalStorage open(Path root) throws IOException {
        return open(root, new InMemoryDigestStore());
    }

    /** Serves {@code root} (created if missing), recording digests in {@code index}. */
    public static LocalStorage open(Path root, DigestStore index) throws IOException {
        return new LocalStorage(
                root,
                new DigestCache(),
                state -> index,
                false,
                new DirectorySync(),
                new AtomicLong(),
                new RootJail.Reserved());
    }

    /**
     * Serves {@code root} (created if missing), with digests kept across restarts in the root's
     * verified state directory ({@link IndexedDigestStore}); {@link #close} releases that index.
     */
    public static LocalStorage openWithIndex(Path root) throws IOException {
        return new LocalStorage(
                root,
                new DigestCache(),
                IndexedDigestStore::open,
                true,
                new DirectorySync(),
                new AtomicLong(),
                new RootJail.Reserved());
    }

    /** Releases the digest index, if this storage owns a persistent one, and the open directories; idempotent. */
    public void close() throws IOException {
        if (ownsIndex && index instanceof IndexedDigestStore persistent) {
            persistent.close();
        }
        opened.close();
    }

    /**
     * Another root served alongside this one, sharing its digest cache, index and syncs, and the
     * set of state directories no client of either may reach.
     */
    public LocalStorage sibling(Path otherRoot) throws IOException {
        return new LocalStorage(otherRoot, digests, state -> index, false, directorySync, heldBytesHashed, reserved);
    }

    private RootJail jail() {
        return opened.jail();
    }

    private PartialStore partials() {
        return opened.partials();
    }

    /** The real path of the served root. */
    public Path root() {
        return jail().root();
    }

    /** Where the server keeps its own state (never reachable by clients), verified when the storage opened. */
    public Path stateDir() {
        return opened.state().shownAs();
    }

    /** Whether a client of this root could reach the real file {@code file} (all but the state directory). */
    public boolean exposes(Path file) {
        return file.startsWith(root()) && !file.startsWith(stateDir());
    }

    /**
     * The real directory a user's root names: an absolute one as it is, a relative one inside
     * this root (made through the jail's open directories, so no symlink leads it out); created
     * if missing.
     */
    public Path userRoot(String root) throws RefusedException, IOException {
        if (Path.of(root).isAbsolute()) {
            return Files.createDirectories(Path.of(root)).toRealPath();
        }
        return jail().makeDirectory(root, true);
    }

    /**
     * Opens the root again if it was removed and made again since (by a user who sees its
     * parent); the directories held before are left to requests still using them.
     */
    public void ensureReady() throws IOException {
        Object now;
        try {
            now = Files.readAttributes(configuredRoot, BasicFileAttributes.class)
                    .fileKey();
        } catch (NoSuchFileException gone) {
            now = null;
        }
        Opened held = opened;
        boolean same;
        try {
            same = now != null && now.equals(held.jail().rootHandle().identity());
        } catch (IOException closed) {
            same = false;
        }
        if (!same) {
            synchronized (this) {
                if (opened == held) {
                    opened = openRoot(configuredRoot, reserved);
                }
            }
        }
    }

    /**
     * Bytes this storage (and its siblings) read back only to hash them: whole files for their
     * MD5, and held partials of resumed uploads without a usable saved state. For tests and logs.
     */
    public long bytesHashed() {
        return digests.bytesHashed() + heldBytesHashed.get();
    }

    /** Whether the MD5 of the file's current version is known without hashing (for tests and operators). */
    public boolean knowsDigest(String path) throws RefusedException, IOException {
        try (RootJail.Resolved r = existing(path)) {
            return digests.knows(
                    FileVersions.observe(r.dir(), r.name(), r.real(root())).version());
        }
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    /** What {@code path} names, links followed, which must exist. */
    private RootJail.Resolved existing(String path) throws RefusedException, IOException {
        RootJail.Resolved r = jail().resolveExistingEntry(path);
        if (!r.exists()) {
            r.close();
            throw new RefusedException(ErrorCode.NOT_FOUND, "'" + path + "' does not exist");
        }
        return r;
    }

    @Override
    public Entry stat(String path) throws RefusedException, IOException {
        try (RootJail.Resolved r = existing(path)) {
            BasicFileAttributes attrs = r.attrs();
            String name = RootJail.segments(path).getLast();
            long mtime = attrs.lastModifiedTime().toMillis();
            if (attrs.isDirectory()) {
                return new Entry(name, EntryType.DIR, 0, mtime, null, null);
            }
            if (!attrs.isRegularFile()) {
                return new Entry(name, EntryType.OTHER, 0, mtime, null, null);
            }
            FileVersions.Observed observed = FileVersions.observe(r.dir(), r.name(), r.real(root()));
            DigestCache.Version v = observed.version();
            return new Entry(name, EntryType.FILE, v.size(), v.modified().toMillis(), observed.mode(), versionOf(v));
        }
    }

    /** An open directory a client path names, and where it really is below the root. */
    private record OpenDirectory(DirectoryHandle handle, List<String> canonical) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            handle.close();
        }
    }

    /** Opens the directory {@code clientPath} names ("" for the root), links inside the root followed. */
    private OpenDirectory openDirectory(String clientPath) throws RefusedException, IOException {
        if (clientPath.isEmpty()) {
            return new OpenDirectory(jail().rootHandle().openDirectory("."), List.of());
        }
        try (RootJail.Resolved r = existing(clientPath)) {
            if (!r.isDirectory()) {
                throw new RefusedException(ErrorCode.NOT_A_DIRECTORY, "'" + clientPath + "' is not a directory");
            }
            try {
                return new OpenDirectory(r.openDirectory(), r.canonical());
            } catch (NoSuchFileException gone) {
                throw new RefusedException(ErrorCode.NOT_FOUND, "'" + clientPath + "' does not exist");
            } catch (IOException swapped) {
                throw RootJail.outside(clientPath);
            }
        }
    }

    @Override
    public ListPage list(String directory, String pageToken, int limit) throws RefusedException, IOException {
        try (OpenDirectory open = openDirectory(directory)) {
            DirectoryHandle dir = open.handle();
            List<String> names = new ArrayList<>();
            boolean more = pick(dir, reserved.isStateName(dir, RootJail.STATE_DIR), pageToken, limit, names);
            List<Entry> entries = new ArrayList<>(names.size());
            for (String name : names) {
                BasicFileAttributes attrs;
                try {
                    attrs = dir.stat(name);
                } catch (NoSuchFileException removedMeanwhile) {
                    continue;
                }
                if (attrs.isDirectory() && reserved.isState(attrs.fileKey())) {
                    continue;
                }
                long size = attrs.isRegularFile() ? attrs.size() : 0;
                entries.add(new Entry(
                        name, typeOf(attrs), size, attrs.lastModifiedTime().toMillis(), null, null));
            }
            return new ListPage(entries, more && !names.isEmpty() ? names.getLast() : null);
        }
    }

    /**
     * The {@code limit} smallest names after {@code after} into {@code names}, picked in one pass
     * with a heap of at most {@code limit + 1}, so a directory of millions of entries costs memory
     * for one page only; returns whether more remain.
     */
    static boolean pick(DirectoryHandle dir, boolean hidesState, String after, int limit, List<String> names)
            throws IOException {
        PriorityQueue<String> largestFirst = new PriorityQueue<>(limit + 1, Comparator.reverseOrder());
        boolean more = false;
        try (DirectoryHandle.Names entries = dir.names()) {
            for (String name : entries) {
                if (hidesState && name.equals(RootJail.STATE_DIR)) {
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
        } catch (UncheckedIOException e) {
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
        try (OpenDirectory base = openDirectory(directory)) {
            // The directories from the root down to where the walk is: a link to one is a loop.
            Set<Object> chain = new HashSet<>(jail().identitiesAlong(base.canonical()));
            chain.add(base.handle().identity());
            if (startBelow.isEmpty()) {
                walker.begin();
                walk(base.handle(), base.canonical(), "", chain, 0, walker);
                return;
            }
            OpenDirectory start = prefixDirectory(base, startBelow, chain);
            walker.begin();
            if (start != null) {
                try (start) {
                    walk(start.handle(), start.canonical(), startBelow, chain, 0, walker);
                }
            }
        }
    }

    /**
     * The directory {@code prefix} names below {@code base}, reached the way the walk would
     * reach it (the same links followed, the same ones not; the directories passed are added to
     * {@code chain}), or null if there is none. This keeps the shortcut from changing what a
     * pattern finds.
     */
    private OpenDirectory prefixDirectory(OpenDirectory base, String prefix, Set<Object> chain) throws IOException {
        DirectoryHandle current = base.handle();
        List<String> canonical = base.canonical();
        boolean owned = false;
        try {
            for (String segment : prefix.split("/", -1)) {
                if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                    return null; // a walked path never has such a segment
                }
                TreeStep step = TreeStep.of(jail(), current, canonical, segment, chain);
                if (step == null || step.kind() != TreeStep.Kind.DIR) {
                    return null;
                }
                DirectoryHandle next;
                try {
                    next = step.open(jail(), current, segment);
                } catch (IOException | RefusedException unopenable) {
                    return null;
                }
                chain.add(next.identity());
                if (owned) {
                    current.close();
                }
                current = next;
                owned = true;
                canonical = step.canonical();
            }
            OpenDirectory found = new OpenDirectory(current, canonical);
            owned = false;
            return found;
        } finally {
            if (owned) {
                current.close();
            }
        }
    }

    /**
     * Visits what is below the open directory {@code dir} (already on {@code chain}),
     * depth-first, holding one open directory and its listing per level, at most
     * {@value RootJail#MAX_DEPTH} levels. A directory that cannot be opened is skipped (the walk
     * is a snapshot, not a promise); one that fails while being read stops the walk.
     */
    private void walk(
            DirectoryHandle dir, List<String> canonical, String relative, Set<Object> chain, int depth, Walker walker)
            throws IOException {
        // Each directory is read once, through its own handle: one SecureDirectoryStream per level.
        try (DirectoryHandle.Names names = dir.namesOnce()) {
            for (String name : names) {
                String rel = relative.isEmpty() ? name : relative + "/" + name;
                TreeStep step = TreeStep.of(jail(), dir, canonical, name, chain);
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
                if (walker.visit(rel, e) && type == EntryType.DIR && depth < RootJail.MAX_DEPTH) {
                    DirectoryHandle child;
                    try {
                        child = step.open(jail(), dir, name);
                    } catch (IOException | RefusedException unopenable) {
                        continue;
                    }
                    try (child) {
                        Object id = child.identity();
                        if (chain.add(id)) {
                            walk(child, step.canonical(), rel, chain, depth + 1, walker);
                            chain.remove(id);
                        }
                    }
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * Opens the regular file {@code r} names, without following a link, and checks it is still
     * {@code expected} after the open (same inode, size, mtime, ctime): what is read is the
     * version that was examined, or the request fails.
     */
    private static FileChannel openVersion(RootJail.Resolved r, DigestCache.Version expected, String path)
            throws IOException {
        if (!r.dir().stat(r.name()).isRegularFile()) {
            // Never opened: a FIFO would block the open, a device is not a file to serve.
            throw new VersionChangedException("'" + path + "' changed");
        }
        FileChannel file = r.dir().openFile(r.name(), StandardOpenOption.READ);
        try {
            DigestCache.Version after =
                    FileVersions.observe(r.dir(), r.name(), expected.path()).version();
            if (after.equals(expected) && file.size() == expected.size()) {
                return file;
            }
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
        file.close();
        throw new VersionChangedException("'" + path + "' changed while being opened");
    }

    @Override
    public Md5 digest(String path, Version version, Progress progress) throws RefusedException, IOException {
        try (RootJail.Resolved r = existing(path)) {
            if (!r.attrs().isRegularFile()) {
                throw new VersionChangedException("'" + path + "' changed");
            }
            Path real = r.real(root());
            DigestCache.Version now =
                    FileVersions.observe(r.dir(), r.name(), real).version();
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
                            progress.every(),
                            (done, total) -> progress.reporter().stillHashing(done, total));
            Md5 md5;
            try {
                md5 = digests.digestOf(now, () -> openVersion(r, now, path), waiting);
            } catch (AccessDeniedException e) {
                throw new RefusedException(ErrorCode.ACCESS_DENIED, "'" + path + "' is not readable");
            }
            index.record(key, version, md5);
            return md5;
        }
    }

    @Override
    public ReadHandle openRead(String path, Version version, long offset) throws RefusedException, IOException {
        try (RootJail.Resolved r = existing(path)) {
            if (!r.attrs().isRegularFile()) {
                throw new VersionChangedException("'" + path + "' changed");
            }
            Path real = r.real(root());
            DigestCache.Version expected = local(real, version);
            FileChannel file;
            try {
                file = openVersion(r, expected, path);
            } catch (AccessDeniedException e) {
                throw new RefusedException(ErrorCode.ACCESS_DENIED, "'" + path + "' is not readable");
            } catch (VersionChangedException e) {
                // The digest may have been taken of bytes that were changing: compute it again next time.
                digests.forget(expected);
                index.forget(real.toString());
                throw e;
            }
            return new LocalRead(file, version);
        }
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
    public UploadSession openUpload(String path, UploadSession.Identity identity, FileAttributes attributes)
            throws RefusedException, IOException {
        RootJail.Resolved destination = jail().resolve(path, true, true);
        try {
            if (destination.name() == null || destination.isDirectory()) {
                throw new RefusedException(ErrorCode.IS_A_DIRECTORY, "'" + path + "' is a directory");
            }
            return new LocalUpload(path, destination, identity, attributes, opened);
        } catch (RefusedException | RuntimeException e) {
            destination.close();
            throw e;
        }
    }

    /**
     * An upload into {@code .ft/partials}, published by an atomic rename into the directory its
     * path named when it began (held open until then).
     */
    private final class LocalUpload implements UploadSession {
        private final String path;
        private final RootJail.Resolved held;
        private final Path destination;
        private final Identity identity;
        private final FileAttributes attributes;
        private final Opened state;
        private final PartialStore.Partial partial;
        private FileChannel file;
        private WriteBehind sink;

        LocalUpload(String path, RootJail.Resolved held, Identity identity, FileAttributes attributes, Opened state) {
            this.path = path;
            this.attributes = attributes;
            this.held = held;
            this.destination = held.real(state.jail().root());
            this.identity = identity;
            this.state = state;
            this.partial = state.partials().partialFor(destination);
        }

        private PartialStore partials() {
            return state.partials();
        }

        @Override
        public String key() {
            return destination.toString();
        }

        @Override
        public long begin(boolean resume) throws IOException {
            if (resume) {
                return partials().begin(partial, path, identity.size(), identity.md5());
            }
            partials().fresh(partial);
            return 0;
        }

        @Override
        public long held() throws IOException {
            return partials().held(partial);
        }

        @Override
        public byte[] digestState() throws IOException {
            return partials().digestState(partial);
        }

        @Override
        public void hashHeld(MessageDigest md5) throws IOException {
            long held = held();
            try (FileChannel in = partials().open(partial, false)) {
                Body.hash(in, held, md5);
            }
            heldBytesHashed.addAndGet(held);
        }

        @Override
        public WritableByteChannel channel() throws IOException {
            if (sink == null) {
                file = partials().open(partial, true);
                file.position(file.size());
                sink = WriteBehind.of(file);
            }
            return new NoSpaceClassifying(sink, partials().shownAs(partial));
        }

        @Override
        public void checkpoint(byte[] digestState) throws IOException {
            closeChannel();
            partials().keep(partial, path, identity.size(), identity.md5(), digestState);
        }

        @Override
        public Version publish(Md5 md5, Condition condition) throws RefusedException, IOException {
            if (sink != null) {
                try {
                    sink.drain();
                    file.force(false);
                } catch (IOException e) {
                    throw NoSpaceException.classify(e, partials().shownAs(partial));
                }
            }
            closeChannel();
            // The parent may have been swapped (for a link, or another directory) while the body
            // arrived: the directory held since the start must still be the one the path names.
            if (!stillThere()) {
                partials().discard(partial);
                throw new RefusedException(
                        ErrorCode.ACCESS_DENIED,
                        "'" + path + "' changed location during the upload; nothing was stored");
            }
            DirectoryHandle partialsDir = state.partialsDir();
            if (attributes != null) {
                try {
                    PreservedAttributes.apply(partialsDir, partial.data(), attributes);
                } catch (IOException e) {
                    partials().discard(partial);
                    throw new RefusedException(
                            ErrorCode.INTERNAL,
                            "the server could not set the modification time " + "and mode of '" + path
                                    + "'; nothing was stored");
                }
            }
            try {
                place(partialsDir, condition);
            } catch (AccessDeniedException e) {
                throw new RefusedException(ErrorCode.ACCESS_DENIED, "'" + path + "' is not writable");
            }
            partials().forgetMeta(partial);
            // Makes the rename itself durable, so a power cut cannot bring the old name back;
            // uploads finishing into the same directory together share one fsync.
            directorySync.sync(held.dir());
            // Stat after the chmod, touch and rename, each of which moved the ctime.
            DigestCache.Version now =
                    FileVersions.observe(held.dir(), held.name(), destination).version();
            digests.remember(now, md5);
            Version version = versionOf(now);
            index.record(destination.toString(), version, md5);
            return version;
        }

        /** Whether the path still leads to the held directory and the same name. */
        private boolean stillThere() throws IOException {
            try (RootJail.Resolved again = state.jail().resolve(path, true, true)) {
                return again.canonical().equals(held.canonical())
                        && again.dir().identity().equals(held.dir().identity());
            } catch (RefusedException refused) {
                return false;
            }
        }

        /** Moves the partial under its name, as {@code condition} allows, atomically. */
        private void place(DirectoryHandle partialsDir, Condition condition) throws RefusedException, IOException {
            switch (condition) {
                case Condition.Always a -> partialsDir.move(partial.data(), held.dir(), held.name());
                case Condition.CreateOnly c -> {
                    // link(2) fails if the name exists, in one step, unlike a check then a rename.
                    try {
                        partialsDir.link(partial.data(), held.dir(), held.name());
                    } catch (FileAlreadyExistsException e) {
                        partials().discard(partial);
                        throw new RefusedException(ErrorCode.EXISTS, "'" + path + "' already exists");
                    }
                    partialsDir.deleteFile(partial.data());
                }
                case Condition.IfVersion v -> {
                    DigestCache.Version now;
                    try {
                        now = FileVersions.observe(held.dir(), held.name(), destination)
                                .version();
                    } catch (NoSuchFileException gone) {
                        now = null;
                    }
                    if (now == null || !versionOf(now).equals(v.version())) {
                        partials().discard(partial);
                        throw new RefusedException(
                                ErrorCode.BUSY, "'" + path + "' changed meanwhile; nothing was stored");
                    }
                    partialsDir.move(partial.data(), held.dir(), held.name());
                }
            }
        }

        @Override
        public void abort() throws IOException {
            closeChannel();
            partials().discard(partial);
        }

        @Override
        public void close() throws IOException {
            try {
                closeChannel();
            } finally {
                held.close();
            }
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
        try (RootJail.Resolved r = jail().resolve(path, false, false)) {
            if (!r.exists()) {
                throw new RefusedException(ErrorCode.NOT_FOUND, "'" + path + "' does not exist");
            }
            if (r.name() == null) {
                throw new RefusedException(ErrorCode.ACCESS_DENIED, "'" + path + "' may not be removed");
            }
            if (r.isDirectory() && recursive) {
                removeTree(r.dir(), r.name(), 0, reserved);
            } else if (r.isDirectory()) {
                r.dir().deleteDirectory(r.name());
            } else {
                r.dir().deleteFile(r.name());
            }
        } catch (DirectoryNotEmptyException e) {
            throw new RefusedException(
                    ErrorCode.NOT_EMPTY, "'" + path + "' is a directory that is not empty; remove it recursively");
        } catch (AccessDeniedException e) {
            throw new RefusedException(ErrorCode.ACCESS_DENIED, "'" + path + "' may not be removed");
        } catch (TreeTooDeepException e) {
            throw new RefusedException(
                    ErrorCode.BAD_REQUEST,
                    "'" + path + "' holds directories more than " + RootJail.MAX_DEPTH
                            + " levels deep; remove the deepest ones first");
        } catch (ReservedAreaException e) {
            throw RootJail.outside(path);
        }
    }

    /** A tree to remove is deeper than the bound. */
    private static final class TreeTooDeepException extends IOException {
        private static final long serialVersionUID = 1L;
    }

    /** A tree to remove holds a state directory. */
    private static final class ReservedAreaException extends IOException {
        private static final long serialVersionUID = 1L;
    }

    /**
     * Removes the directory {@code name} in {@code parent} and everything below it, each
     * subdirectory opened without following links (a link found there, even one swapped in
     * meanwhile, is unlinked, never followed), at most {@value RootJail#MAX_DEPTH} levels deep,
     * refusing to touch a state directory in {@code reserved} (if given). Like Guava's {@code
     * MoreFiles.deleteRecursively} on a {@code SecureDirectoryStream}.
     */
    static void removeTree(DirectoryHandle parent, String name, int depth, RootJail.Reserved reserved)
            throws IOException {
        if (depth > RootJail.MAX_DEPTH) {
            throw new TreeTooDeepException();
        }
        DirectoryHandle dir;
        try {
            dir = parent.openDirectory(name);
        } catch (NoSuchFileException gone) {
            return;
        } catch (IOException notADirectory) {
            BasicFileAttributes now;
            try {
                now = parent.stat(name);
            } catch (NoSuchFileException gone) {
                return;
            }
            if (now.isDirectory()) {
                throw notADirectory;
            }
            // A link (or file) put in the directory's place: the name goes, its target stays.
            parent.deleteFile(name);
            return;
        }
        try (dir) {
            if (reserved != null && reserved.isState(dir.identity())) {
                throw new ReservedAreaException();
            }
            List<String> names = new ArrayList<>();
            try (DirectoryHandle.Names all = dir.names()) {
                for (String n : all) {
                    names.add(n);
                }
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            for (String n : names) {
                BasicFileAttributes attrs;
                try {
                    attrs = dir.stat(n);
                } catch (NoSuchFileException gone) {
                    continue;
                }
                if (attrs.isDirectory()) {
                    removeTree(dir, n, depth + 1, reserved);
                } else {
                    try {
                        dir.deleteFile(n);
                    } catch (NoSuchFileException gone) {
                        // Removed meanwhile.
                    }
                }
            }
        }
        parent.deleteDirectory(name);
    }

    @Override
    public void move(String from, String to) throws RefusedException, IOException {
        try (RootJail.Resolved source = jail().resolve(from, false, false)) {
            if (!source.exists()) {
                throw new RefusedException(ErrorCode.NOT_FOUND, "'" + from + "' does not exist");
            }
            if (source.name() == null) {
                throw new RefusedException(ErrorCode.ACCESS_DENIED, "'" + from + "' may not be moved");
            }
            try (Target target = target(source.name(), to)) {
                if (source.isDirectory() && startsWith(target.canonical(), source.canonical())) {
                    throw new RefusedException(ErrorCode.BAD_REQUEST, "cannot move '" + from + "' into itself");
                }
                BasicFileAttributes there;
                try {
                    there = target.dir().stat(target.name());
                } catch (NoSuchFileException none) {
                    there = null;
                }
                if (there != null && there.isDirectory()) {
                    throw new RefusedException(
                            ErrorCode.EXISTS, "the destination of '" + from + "' is an existing directory");
                }
                if (source.isDirectory() && there != null) {
                    throw new RefusedException(
                            ErrorCode.NOT_A_DIRECTORY,
                            "cannot put the directory '" + from + "' in place of the file '" + to + "'");
                }
                try {
                    // renameat(2) between the two open directories: atomic, and replaces a file like mv.
                    source.dir().move(source.name(), target.dir(), target.name());
                } catch (AccessDeniedException e) {
                    throw new RefusedException(ErrorCode.ACCESS_DENIED, "'" + from + "' may not be moved there");
                } catch (FileSystemException e) {
                    if (String.valueOf(e.getReason()).contains("Invalid argument")) {
                        // EINVAL: the kernel's own "into itself", should a rename meanwhile have made it so.
                        throw new RefusedException(ErrorCode.BAD_REQUEST, "cannot move '" + from + "' into itself");
                    }
                    throw e;
                }
            }
        }
    }

    /** Where a move goes: an open directory, a name in it, and its canonical location. */
    private record Target(DirectoryHandle dir, String name, List<String> canonical) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            dir.close();
        }
    }

    /** Into the existing directory {@code to} names under {@code sourceName}, else {@code to} itself. */
    private Target target(String sourceName, String to) throws RefusedException, IOException {
        RootJail.Resolved into;
        try {
            into = jail().resolve(to, true, false);
        } catch (RefusedException e) {
            if (e.code() != ErrorCode.NOT_FOUND) {
                throw e;
            }
            into = null;
        }
        if (into != null && into.isDirectory()) {
            try (RootJail.Resolved found = into) {
                DirectoryHandle dir;
                try {
                    dir = found.openDirectory();
                } catch (IOException swapped) {
                    throw RootJail.outside(to);
                }
                if (reserved.isStateName(dir, sourceName)) {
                    // "sub/.ft" moved into a root (named through a symlink to it) would land on its state.
                    dir.close();
                    throw RootJail.outside(to);
                }
                List<String> canonical = new ArrayList<>(found.canonical());
                canonical.add(sourceName);
                return new Target(dir, sourceName, canonical);
            }
        }
        if (into != null) {
            into.close();
        }
        RootJail.Resolved name = jail().resolve(to, false, false);
        if (name.name() == null) {
            name.close();
            throw new RefusedException(ErrorCode.EXISTS, "the destination of '" + to + "' is an existing directory");
        }
        return new Target(name.dir(), name.name(), name.canonical());
    }

    private static boolean startsWith(List<String> path, List<String> prefix) {
        return path.size() >= prefix.size() && path.subList(0, prefix.size()).equals(prefix);
    }

    @Override
    public void makeDirectory(String path, boolean parents) throws RefusedException, IOException {
        jail().makeDirectory(path, parents);
    }

    @Override
    public long usableSpace() throws IOException {
        return partials().usableSpace();
    }

    @Override
    public int expireUploads(Duration maxAge) {
        return partials().sweep(maxAge);
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
