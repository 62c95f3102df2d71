package ft.server.storage.local;

import ft.protocol.ErrorCode;
import ft.protocol.Protocol;
import ft.server.RefusedException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Maps client paths to open directories inside the served root, and refuses everything else.
 *
 * <p>Names are checked lexically first (no {@code ..}, no absolute or drive paths, no
 * backslashes or control characters, at most {@value #MAX_DEPTH} segments), then walked one
 * segment at a time through open directory handles ({@link DirectoryHandle}): each segment is
 * {@code lstat}ed relative to the directory opened before it, a directory is opened without
 * following links and must be the one the {@code lstat} saw (same dev/inode), a symlink is read
 * and its target walked again from the root ({@code ..} pops a level, never past the root; an
 * absolute target must lie under the root's real path; at most {@value #MAX_LINK_HOPS} links).
 * The result ({@link Resolved}) is the open parent directory and the final name: every later
 * system call is relative to that descriptor, so a directory swapped for a symlink after the
 * walk leads nowhere (the class of rsync CVE-2024-12087 and MINA SSHD CVE-2023-35887).
 *
 * <p>No state directory is reachable: not {@code .ft} in this root, and not the state directory
 * of any other root served alongside (a user's root may contain the served root), which are
 * known by identity ({@link Reserved}).
 *
 * <p>A refusal never depends on what exists outside the root, and "outside the root", "through
 * a link that cannot be followed" and "into the reserved area" read the same, so a client cannot
 * probe the machine. What remains (documented in {@link LocalStorage}): a directory renamed out
 * of the root while a request holds it open is still used by that request; hard links a local
 * user plants inside the root are ordinary files.
 */
public final class RootJail implements Closeable {
    /** Top-level directory where the server keeps its own state; never reachable by clients. */
    public static final String STATE_DIR = ".ft";

    /** Most segments a client path, a link's target or a resolved location may have. */
    static final int MAX_DEPTH = 64;

    /** Most symlinks one resolution follows (Linux's own limit), so a loop ends. */
    static final int MAX_LINK_HOPS = 40;

    private static final int MAX_SEGMENT_BYTES = 255;

    /** Linux's PATH_MAX, the terminating NUL included. */
    private static final int PATH_MAX = 4096;

    private final Path root;
    private final Path stateDir;
    private final DirectoryHandle rootHandle;
    private final Reserved reserved;
    private final int rootBytes;

    /** Opens the jail of {@code root} on its own (its state directory, if there, is the only reserved one). */
    public RootJail(Path root) throws IOException {
        this(DirectoryHandle.open(root.toRealPath()), new Reserved());
        reserved.addRoot(rootHandle.identity());
        try {
            BasicFileAttributes state = rootHandle.stat(STATE_DIR);
            if (state.isDirectory()) {
                reserved.addState(state.fileKey());
            }
        } catch (NoSuchFileException notYet) {
            // Reserved by name below the root anyway.
        }
    }

    /** A jail over the open root {@code rootHandle}, whose identity {@code reserved} must already hold. */
    RootJail(DirectoryHandle rootHandle, Reserved reserved) {
        this.rootHandle = rootHandle;
        this.root = rootHandle.shownAs();
        this.stateDir = root.resolve(STATE_DIR);
        this.reserved = reserved;
        this.rootBytes = root.toString().getBytes(StandardCharsets.UTF_8).length;
    }

    /** Where the state directory of {@code root} is (for the operator's messages and files). */
    public static Path stateDirOf(Path root) throws IOException {
        return root.toRealPath().resolve(STATE_DIR);
    }

    public Path root() {
        return root;
    }

    public Path stateDir() {
        return stateDir;
    }

    /** The open served root; owned by this jail. */
    DirectoryHandle rootHandle() {
        return rootHandle;
    }

    Reserved reserved() {
        return reserved;
    }

    @Override
    public void close() throws IOException {
        rootHandle.close();
    }

    /**
     * The state directories of every root served together, and those roots themselves, by
     * identity (dev/inode): a user's root that contains the served root reaches the latter's
     * {@code .ft} under another name, which only its identity tells.
     */
    static final class Reserved {
        private final Set<Object> states = ConcurrentHashMap.newKeySet();
        private final Set<Object> roots = ConcurrentHashMap.newKeySet();

        void addState(Object identity) {
            states.add(identity);
        }

        void addRoot(Object identity) {
            roots.add(identity);
        }

        /** Whether the directory {@code identity} is a state directory. */
        boolean isState(Object identity) {
            return states.contains(identity);
        }

        /** Whether {@code name} in the directory {@code dir} is (or would be) a state directory. */
        boolean isStateName(DirectoryHandle dir, String name) throws IOException {
            return name.equals(STATE_DIR) && roots.contains(dir.identity());
        }
    }

    /** The segments of a well-formed client path, or a refusal saying what is wrong with it. */
    public static List<String> segments(String clientPath) throws RefusedException {
        if (clientPath == null || clientPath.isEmpty()) {
            throw bad("empty path");
        }
        for (int i = 0; i < clientPath.length(); i++) {
            char c = clientPath.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw bad("path contains a control character");
            }
        }
        if (!Protocol.isWellFormedUnicode(clientPath)) {
            // A lone surrogate names no file; it would otherwise fail deep in java.nio.file.
            throw bad("path is not valid Unicode");
        }
        if (clientPath.indexOf('\\') >= 0) {
            throw denied("backslashes are not allowed in paths; use '/'");
        }
        if (clientPath.startsWith("/")) {
            throw denied("absolute paths are not allowed; paths are relative to the served root");
        }
        if (clientPath.length() >= 2 && clientPath.charAt(1) == ':' && Character.isLetter(clientPath.charAt(0))) {
            throw denied("drive paths are not allowed; paths are relative to the served root");
        }
        if (clientPath.chars().filter(c -> c == '/').count() >= MAX_DEPTH) {
            throw bad("path has more than " + MAX_DEPTH + " segments");
        }
        List<String> segments = new ArrayList<>();
        for (String segment : clientPath.split("/", -1)) {
            if (segment.equals("..")) {
                throw denied("'..' is not allowed in paths");
            }
            if (segment.isEmpty()) {
                throw bad("path has an empty segment ('//' or a trailing '/')");
            }
            if (segment.equals(".")) {
                throw bad("'.' is not allowed as a path segment");
            }
            if (segment.getBytes(StandardCharsets.UTF_8).length > MAX_SEGMENT_BYTES) {
                throw bad("a path segment is longer than " + MAX_SEGMENT_BYTES + " bytes");
            }
            segments.add(segment);
        }
        if (segments.getFirst().equals(STATE_DIR)) {
            throw denied("'" + STATE_DIR + "' is reserved for the server");
        }
        return segments;
    }

    /**
     * What a client path names: an open directory and a name in it (or the directory itself),
     * with what {@code lstat} said of the name. The owner closes it (and with it the directory).
     */
    static final class Resolved implements Closeable {
        private final DirectoryHandle dir;
        private final String name;
        private final BasicFileAttributes attrs;
        private final List<String> canonical;

        Resolved(DirectoryHandle dir, String name, BasicFileAttributes attrs, List<String> canonical) {
            this.dir = dir;
            this.name = name;
            this.attrs = attrs;
            this.canonical = List.copyOf(canonical);
        }

        /** The open directory that holds the name (or that is the result, when {@link #name} is null). */
        DirectoryHandle dir() {
            return dir;
        }

        /** The final name in {@link #dir}, or null when the path names {@link #dir} itself. */
        String name() {
            return name;
        }

        /** {@code lstat} of the name (the directory's own for a null name); null when nothing is there. */
        BasicFileAttributes attrs() {
            return attrs;
        }

        boolean exists() {
            return attrs != null;
        }

        boolean isDirectory() {
            return attrs != null && attrs.isDirectory();
        }

        /** The real location below the root, segment by segment (no links on it). */
        List<String> canonical() {
            return canonical;
        }

        /** The canonical location as a path under {@code root} (a key and a message, never opened). */
        Path real(Path root) {
            Path p = root;
            for (String s : canonical) {
                p = p.resolve(s);
            }
            return p;
        }

        /** Opens the directory named, checking it is still the one that was examined. */
        DirectoryHandle openDirectory() throws IOException {
            if (name == null) {
                return dir.openDirectory(".");
            }
            DirectoryHandle opened = dir.openDirectory(name);
            if (!opened.identity().equals(attrs.fileKey())) {
                opened.close();
                throw new FileSystemException(dir.shownAs().resolve(name).toString(), null, "changed meanwhile");
            }
            return opened;
        }

        @Override
        public void close() throws IOException {
            dir.close();
        }
    }

    /** A segment waiting to be walked, and whether it came from a link's target. */
    private record Pending(String name, boolean fromLink) {}

    /**
     * Walks {@code clientPath} from the root through open directories.
     *
     * @param followLast whether a symlink as the final name is followed (get, stat, list, put)
     *     or acted on itself (rm, mv)
     * @param createParents whether missing parents are made, one level at a time ({@code mkdir -p}, put)
     */
    Resolved resolve(String clientPath, boolean followLast, boolean createParents)
            throws RefusedException, IOException {
        return resolve(clientPath, followLast, createParents, false);
    }

    /**
     * What an existing file or directory {@code clientPath} names (links followed); a parent that
     * is not a directory makes it "not found", as a read of it would say.
     */
    Resolved resolveExistingEntry(String clientPath) throws RefusedException, IOException {
        return resolve(clientPath, true, false, true);
    }

    private Resolved resolve(String clientPath, boolean followLast, boolean createParents, boolean reading)
            throws RefusedException, IOException {
        List<String> segments = segments(clientPath);
        ArrayDeque<Pending> pending = new ArrayDeque<>();
        for (String s : segments) {
            pending.add(new Pending(s, false));
        }
        List<String> canonical = new ArrayList<>();
        DirectoryHandle current = rootHandle.openDirectory(".");
        int hops = 0;
        try {
            while (true) {
                Pending next = pending.pollFirst();
                if (next == null) {
                    // A link's target named a directory itself ("." or "..", or the root).
                    checkNotState(current.identity(), clientPath);
                    return new Resolved(current, null, current.self(), canonical);
                }
                String segment = next.name();
                if (segment.equals(".")) {
                    continue;
                }
                if (segment.equals("..")) {
                    if (canonical.isEmpty()) {
                        throw outside(clientPath);
                    }
                    canonical.removeLast();
                    DirectoryHandle up = reopen(canonical, clientPath);
                    current.close();
                    current = up;
                    continue;
                }
                if (reserved.isStateName(current, segment)) {
                    throw outside(clientPath);
                }
                boolean last = pending.isEmpty();
                BasicFileAttributes attrs = lstat(current, segment, clientPath);
                if (attrs == null && next.fromLink()) {
                    // A dangling link: neither "not found" nor anything else about where it points.
                    throw outside(clientPath);
                }
                if (attrs == null && !last && createParents) {
                    List<String> made = new ArrayList<>(canonical);
                    made.add(segment);
                    checkLength(made, clientPath);
                    attrs = makeParent(current, segment, clientPath);
                }
                if (attrs == null) {
                    if (last) {
                        canonical.add(segment);
                        checkLength(canonical, clientPath);
                        return new Resolved(current, segment, null, canonical);
                    }
                    throw new RefusedException(ErrorCode.NOT_FOUND, "'" + clientPath + "' does not exist");
                }
                if (attrs.isSymbolicLink() && (followLast || !last)) {
                    if (++hops > MAX_LINK_HOPS) {
                        throw outside(clientPath);
                    }
                    LinkTarget target = linkTarget(current, segment, clientPath);
                    if (target.absolute()) {
                        DirectoryHandle top = rootHandle.openDirectory(".");
                        current.close();
                        current = top;
                        canonical.clear();
                    }
                    for (int i = target.segments().size() - 1; i >= 0; i--) {
                        pending.addFirst(new Pending(target.segments().get(i), true));
                    }
                    if (pending.size() > 2 * MAX_DEPTH) {
                        throw tooDeep(clientPath);
                    }
                    continue;
                }
                if (attrs.isDirectory()) {
                    checkNotState(attrs.fileKey(), clientPath);
                }
                if (last) {
                    canonical.add(segment);
                    checkLength(canonical, clientPath);
                    return new Resolved(current, segment, attrs, canonical);
                }
                if (!attrs.isDirectory()) {
                    if (reading) {
                        throw new RefusedException(ErrorCode.NOT_FOUND, "'" + clientPath + "' does not exist");
                    }
                    throw new RefusedException(
                            ErrorCode.NOT_A_DIRECTORY, "a parent of '" + clientPath + "' is not a directory");
                }
                DirectoryHandle below = openChecked(current, segment, attrs, clientPath);
                canonical.add(segment);
                current.close();
                current = below;
                checkLength(canonical, clientPath);
                if (canonical.size() > MAX_DEPTH) {
                    throw tooDeep(clientPath);
                }
            }
        } catch (RefusedException | IOException | RuntimeException e) {
            current.close();
            throw e;
        }
    }

    /** A link's target: from the root (an absolute target under the root's real path) or from the link's directory. */
    private record LinkTarget(boolean absolute, List<String> segments) {}

    private LinkTarget linkTarget(DirectoryHandle dir, String name, String clientPath)
            throws RefusedException, IOException {
        Path target;
        try {
            target = dir.readLink(name);
        } catch (IOException swappedMeanwhile) {
            throw outside(clientPath);
        }
        boolean absolute = target.isAbsolute();
        if (absolute) {
            if (!target.startsWith(root)) {
                throw outside(clientPath);
            }
            target = root.relativize(target);
        }
        List<String> segments = new ArrayList<>();
        for (Path p : target) {
            String s = p.toString();
            if (!s.isEmpty()) {
                segments.add(s);
            }
        }
        if (segments.size() > MAX_DEPTH) {
            throw tooDeep(clientPath);
        }
        return new LinkTarget(absolute, segments);
    }

    /** {@code lstat} of {@code name} in {@code dir}, or null when nothing is there. */
    private static BasicFileAttributes lstat(DirectoryHandle dir, String name, String clientPath)
            throws RefusedException, IOException {
        try {
            return dir.stat(name);
        } catch (NoSuchFileException e) {
            return null;
        } catch (InvalidPathException e) {
            // E.g. a non-ASCII name on a server whose locale is C/POSIX (sun.jnu.encoding ASCII).
            throw bad("'" + clientPath + "' cannot be represented in the server's file names");
        } catch (FileSystemException e) {
            throw tooLongOr(e, clientPath);
        }
    }

    /** Makes the missing parent {@code name} in {@code dir} (or finds it made meanwhile); its {@code lstat}. */
    private static BasicFileAttributes makeParent(DirectoryHandle dir, String name, String clientPath)
            throws RefusedException, IOException {
        try {
            dir.makeDirectory(name);
        } catch (FileAlreadyExistsException raced) {
            // Someone created it meanwhile; examined below like any other.
        } catch (FileSystemException e) {
            throw tooLongOr(e, clientPath);
        }
        return lstat(dir, name, clientPath);
    }

    /** The directory {@code name} in {@code dir}, opened without following a link, and the one {@code attrs} describe. */
    private DirectoryHandle openChecked(DirectoryHandle dir, String name, BasicFileAttributes attrs, String clientPath)
            throws RefusedException, IOException {
        DirectoryHandle opened;
        try {
            opened = dir.openDirectory(name);
        } catch (NoSuchFileException gone) {
            throw new RefusedException(ErrorCode.NOT_FOUND, "'" + clientPath + "' does not exist");
        } catch (IOException swappedForALink) {
            throw outside(clientPath);
        }
        if (!opened.identity().equals(attrs.fileKey())) {
            opened.close();
            throw outside(clientPath);
        }
        return opened;
    }

    /** The directory at {@code canonical} (real directories only, no links), opened again from the root. */
    private DirectoryHandle reopen(List<String> canonical, String clientPath) throws RefusedException, IOException {
        DirectoryHandle current = rootHandle.openDirectory(".");
        try {
            for (String segment : canonical) {
                BasicFileAttributes attrs = lstat(current, segment, clientPath);
                if (attrs == null || !attrs.isDirectory()) {
                    throw outside(clientPath);
                }
                DirectoryHandle below = openChecked(current, segment, attrs, clientPath);
                current.close();
                current = below;
            }
            return current;
        } catch (RefusedException | IOException | RuntimeException e) {
            current.close();
            throw e;
        }
    }

    /** The identities of the directories from the root down to {@code canonical}, the root's included. */
    List<Object> identitiesAlong(List<String> canonical) throws IOException {
        List<Object> ids = new ArrayList<>();
        DirectoryHandle current = rootHandle.openDirectory(".");
        try {
            ids.add(current.identity());
            for (String segment : canonical) {
                DirectoryHandle below = current.openDirectory(segment);
                current.close();
                current = below;
                ids.add(current.identity());
            }
            return ids;
        } finally {
            current.close();
        }
    }

    /**
     * Refuses a location whose real path would exceed Linux's PATH_MAX: relative system calls
     * could make it, but nobody could then name it by path (the operator's tools, a backup), and
     * the server never made such trees before it worked through handles.
     */
    private void checkLength(List<String> canonical, String clientPath) throws RefusedException {
        int bytes = rootBytes;
        for (String s : canonical) {
            bytes += 1 + s.getBytes(StandardCharsets.UTF_8).length;
        }
        if (bytes >= PATH_MAX) {
            throw bad("'" + clientPath + "' is too long for the server's file system");
        }
    }

    private void checkNotState(Object identity, String clientPath) throws RefusedException {
        if (reserved.isState(identity)) {
            throw outside(clientPath);
        }
    }

    /**
     * The one refusal for every path that leaves the root, goes through a link that cannot be
     * followed (dangling, a loop, swapped meanwhile) or into a state directory: telling them
     * apart would tell a client what exists outside the root.
     */
    static RefusedException outside(String clientPath) {
        return denied("'" + clientPath + "' leads outside the served root or through a link that cannot be followed");
    }

    private static RefusedException tooDeep(String clientPath) {
        return bad("'" + clientPath + "' leads more than " + MAX_DEPTH + " directories deep");
    }

    // ------------------------------------------------------------ paths, for tests and messages

    /**
     * The canonical path of what {@code clientPath} names, which must exist (links followed):
     * for tests, benchmarks and messages; the storage never opens such a path, it keeps the
     * handles of {@link #resolve}.
     */
    public Path resolveExisting(String clientPath) throws RefusedException, IOException {
        try (Resolved r = resolveExistingEntry(clientPath)) {
            if (!r.exists()) {
                throw new RefusedException(ErrorCode.NOT_FOUND, "'" + clientPath + "' does not exist");
            }
            return r.real(root);
        }
    }

    /** Where a put of {@code clientPath} would write (parents made), refused if a directory is there. */
    Path resolveForWrite(String clientPath) throws RefusedException, IOException {
        try (Resolved r = resolve(clientPath, true, true)) {
            if (r.isDirectory() || r.name() == null) {
                throw new RefusedException(ErrorCode.IS_A_DIRECTORY, "'" + clientPath + "' is a directory");
            }
            return r.real(root);
        }
    }

    /** The canonical path of the directory {@code clientPath} names (the root for ""). */
    Path resolveDirectory(String clientPath) throws RefusedException, IOException {
        if (clientPath.isEmpty()) {
            return root;
        }
        try (Resolved r = resolveExistingEntry(clientPath)) {
            if (!r.exists()) {
                throw new RefusedException(ErrorCode.NOT_FOUND, "'" + clientPath + "' does not exist");
            }
            if (!r.isDirectory()) {
                throw new RefusedException(ErrorCode.NOT_A_DIRECTORY, "'" + clientPath + "' is not a directory");
            }
            return r.real(root);
        }
    }

    /** The name itself (a final link is not followed), which must exist. */
    Path resolveEntry(String clientPath) throws RefusedException, IOException {
        try (Resolved r = resolve(clientPath, false, false)) {
            if (!r.exists()) {
                throw new RefusedException(ErrorCode.NOT_FOUND, "'" + clientPath + "' does not exist");
            }
            return r.real(root);
        }
    }

    /** Like {@link #resolveEntry} but the name need not exist (its parent must). */
    Path resolveName(String clientPath) throws RefusedException, IOException {
        try (Resolved r = resolve(clientPath, false, false)) {
            return r.real(root);
        }
    }

    /**
     * Creates a directory inside the root; with {@code parents} also the missing parents, one
     * level at a time through open handles, and an existing directory is then not an error.
     *
     * @return its canonical path
     */
    Path makeDirectory(String clientPath, boolean parents) throws RefusedException, IOException {
        try (Resolved r = resolve(clientPath, true, parents)) {
            if (r.exists()) {
                if (parents && r.isDirectory()) {
                    return r.real(root);
                }
                throw new RefusedException(ErrorCode.EXISTS, "'" + clientPath + "' already exists");
            }
            try {
                r.dir().makeDirectory(r.name());
            } catch (FileAlreadyExistsException raced) {
                if (!(parents && r.dir().stat(r.name()).isDirectory())) {
                    throw new RefusedException(ErrorCode.EXISTS, "'" + clientPath + "' already exists");
                }
            } catch (FileSystemException e) {
                throw tooLongOr(e, clientPath);
            }
            return r.real(root);
        }
    }

    /** The path of a real location inside the root as a client names it ('/'-separated). */
    public String clientPathOf(Path real) {
        Path relative = root.relativize(real);
        StringBuilder b = new StringBuilder();
        for (Path segment : relative) {
            if (!b.isEmpty()) {
                b.append('/');
            }
            b.append(segment);
        }
        return b.toString();
    }

    /**
     * A legal protocol path can still exceed what the server's file system allows (PATH_MAX,
     * NAME_MAX below the root): that is the client's request failing, not the server.
     */
    private static IOException tooLongOr(FileSystemException e, String clientPath) throws RefusedException {
        String reason = String.valueOf(e.getReason());
        if (reason.contains("File name too long")) {
            throw bad("'" + clientPath + "' is too long for the server's file system");
        }
        return e;
    }

    private static RefusedException bad(String message) {
        return new RefusedException(ErrorCode.BAD_REQUEST, message);
    }

    private static RefusedException denied(String message) {
        return new RefusedException(ErrorCode.ACCESS_DENIED, message);
    }
}
