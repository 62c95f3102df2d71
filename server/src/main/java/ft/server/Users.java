package ft.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import ft.server.storage.local.RootJail;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The users file of a server with {@code --users}: reading, checking and writing it. How
 * tokens are made and checked is {@link Tokens}'s job.
 *
 * <p>The file is JSON Lines: one user per line, blank lines ignored, for example
 * <pre>
 * {"name":"alice","kdf":"PBKDF2WithHmacSHA256","iterations":210000,"salt":"…","hash":"…","read_only":false,"root":"alice"}
 * </pre>
 * {@code salt} (16 random bytes) and {@code hash} (32 bytes) are standard base64. {@code root}
 * is absent for the served root itself, relative for a sub-directory of the served root, or
 * absolute for any directory. A user's secret is never stored, only its hash (see {@link
 * Tokens}). Instances are immutable; changes return a new instance, and {@link #save} replaces
 * the file atomically with owner-only permissions.
 */
public final class Users {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Set<String> FIELDS = Set.of("name", "kdf", "iterations", "salt", "hash", "read_only", "root");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * One user. {@code root} is null for the served root, else as written in the file.
     * {@link #toString} leaves out salt and hash.
     */
    public record User(String name, int iterations, byte[] salt, byte[] hash, boolean readOnly, String root) {
        public User {
            if (!isValidName(name)) {
                throw new IllegalArgumentException("user names are 1 to 64 of A-Z a-z 0-9 _ -");
            }
            if (iterations < Tokens.MIN_ITERATIONS || iterations > Tokens.MAX_ITERATIONS) {
                throw new IllegalArgumentException(
                        "iterations must be " + Tokens.MIN_ITERATIONS + ".." + Tokens.MAX_ITERATIONS);
            }
            if (salt == null || salt.length < Tokens.SALT_BYTES) {
                throw new IllegalArgumentException("the salt must be at least " + Tokens.SALT_BYTES + " bytes");
            }
            if (hash == null || hash.length != Tokens.HASH_BYTES) {
                throw new IllegalArgumentException("the hash must be " + Tokens.HASH_BYTES + " bytes");
            }
            salt = salt.clone();
            hash = hash.clone();
            checkRoot(root);
        }

        @Override
        public byte[] salt() {
            return salt.clone();
        }

        @Override
        public byte[] hash() {
            return hash.clone();
        }

        /** Whether {@code secret} hashes to this user's hash; constant time in the comparison. */
        public boolean verifies(String secret) {
            return Tokens.verifies(secret, salt, iterations, hash);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof User u
                    && name.equals(u.name)
                    && iterations == u.iterations
                    && Arrays.equals(salt, u.salt)
                    && Arrays.equals(hash, u.hash)
                    && readOnly == u.readOnly
                    && Objects.equals(root, u.root);
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, iterations, Arrays.hashCode(salt), Arrays.hashCode(hash), readOnly, root);
        }

        @Override
        public String toString() {
            return "User[" + name + (readOnly ? ", read-only" : "") + ", root="
                    + (root == null ? "(served root)" : root) + "]";
        }
    }

    /** A new user and the token that authenticates it; the token exists nowhere else. */
    public record Added(Users users, User user, String token) {
        @Override
        public String toString() {
            return "Added[" + user + ", token=<redacted>]";
        }
    }

    /** A users file that cannot be used; the message names the file and line. */
    public static final class BadUsersFileException extends IOException {
        BadUsersFileException(String message) {
            super(message);
        }
    }

    private final Map<String, User> byName;

    private Users(Map<String, User> byName) {
        this.byName = Collections.unmodifiableMap(byName);
    }

    public static Users empty() {
        return new Users(new LinkedHashMap<>());
    }

    public static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** Reads a users file; a missing file is an error (a server must not start open by a typo). */
    public static Users load(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        return parse(lines, file.toString());
    }

    /** Reads a users file, or an empty list if there is none yet (for {@code ft user add}). */
    public static Users loadOrEmpty(Path file) throws IOException {
        return Files.exists(file) ? load(file) : empty();
    }

    static Users parse(List<String> lines, String shown) throws BadUsersFileException {
        Map<String, User> users = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            String where = shown + ":" + (i + 1);
            User user = parseLine(line, where);
            if (users.putIfAbsent(user.name(), user) != null) {
                throw new BadUsersFileException(where + ": user '" + user.name() + "' is listed twice");
            }
        }
        return new Users(users);
    }

    private static User parseLine(String line, String where) throws BadUsersFileException {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new BadUsersFileException(where + ": not a JSON object");
        }
        if (!(node instanceof ObjectNode object)) {
            throw new BadUsersFileException(where + ": not a JSON object");
        }
        for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!FIELDS.contains(field)) {
                throw new BadUsersFileException(where + ": unknown field '" + AccessLog.printable(field) + "'");
            }
        }
        String kdf = text(object, "kdf", where);
        if (!Tokens.KDF.equals(kdf)) {
            throw new BadUsersFileException(
                    where + ": unsupported kdf '" + AccessLog.printable(kdf) + "' (only " + Tokens.KDF + ")");
        }
        JsonNode iterations = object.get("iterations");
        if (iterations == null || !iterations.canConvertToInt() || !iterations.isIntegralNumber()) {
            throw new BadUsersFileException(where + ": 'iterations' must be a whole number");
        }
        JsonNode readOnly = object.get("read_only");
        if (readOnly != null && !readOnly.isBoolean()) {
            throw new BadUsersFileException(where + ": 'read_only' must be true or false");
        }
        JsonNode root = object.get("root");
        if (root != null && !root.isTextual()) {
            throw new BadUsersFileException(where + ": 'root' must be a string");
        }
        try {
            return new User(
                    text(object, "name", where),
                    iterations.intValue(),
                    base64(object, "salt", where),
                    base64(object, "hash", where),
                    readOnly != null && readOnly.booleanValue(),
                    root == null ? null : root.textValue());
        } catch (IllegalArgumentException e) {
            throw new BadUsersFileException(where + ": " + e.getMessage());
        }
    }

    private static String text(ObjectNode object, String field, String where) throws BadUsersFileException {
        JsonNode value = object.get(field);
        if (value == null || !value.isTextual()) {
            throw new BadUsersFileException(where + ": '" + field + "' must be a string");
        }
        return value.textValue();
    }

    private static byte[] base64(ObjectNode object, String field, String where) throws BadUsersFileException {
        try {
            return Base64.getDecoder().decode(text(object, field, where));
        } catch (IllegalArgumentException e) {
            throw new BadUsersFileException(where + ": '" + field + "' is not base64");
        }
    }

    /**
     * Checks a root as {@code ft user add --root} takes it: absolute, or relative and then a
     * plain sub-directory of the served root (no {@code ..}, {@code .}, empty segments,
     * backslashes or {@code .ft}).
     */
    public static void checkRoot(String root) {
        if (root == null) {
            return;
        }
        if (root.isEmpty()) {
            throw new IllegalArgumentException("the root must not be empty");
        }
        if (root.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("the root contains a NUL character");
        }
        if (Path.of(root).isAbsolute()) {
            return;
        }
        try {
            RootJail.segments(root);
        } catch (RefusedException e) {
            throw new IllegalArgumentException(
                    "a relative root must be a sub-directory of the served root: " + e.getMessage());
        }
    }

    public List<User> list() {
        return List.copyOf(byName.values());
    }

    public User find(String name) {
        return byName.get(name);
    }

    public int size() {
        return byName.size();
    }

    /**
     * Adds a user with a fresh random secret.
     *
     * @param replace whether an existing user of that name is replaced (its old token stops working)
     * @throws IllegalStateException if the name exists and {@code replace} is false
     */
    public Added add(String name, boolean readOnly, String root, boolean replace) {
        if (!isValidName(name)) {
            throw new IllegalArgumentException(
                    "'" + AccessLog.printable(name) + "' is not a valid user name: use 1 to 64 of A-Z a-z 0-9 _ -");
        }
        if (!replace && byName.containsKey(name)) {
            throw new IllegalStateException("user '" + name + "' already exists");
        }
        Tokens.Minted minted = Tokens.mint(name);
        User user = new User(name, minted.iterations(), minted.salt(), minted.hash(), readOnly, root);
        Map<String, User> next = new LinkedHashMap<>(byName);
        next.put(name, user);
        return new Added(new Users(next), user, minted.token());
    }

    /** This list without {@code name}; the same list if there is no such user. */
    public Users remove(String name) {
        Map<String, User> next = new LinkedHashMap<>(byName);
        next.remove(name);
        return new Users(next);
    }

    /** The file's text: one JSON object per user per line. */
    String format() {
        StringBuilder b = new StringBuilder();
        for (User u : byName.values()) {
            ObjectNode node = JSON.createObjectNode();
            node.put("name", u.name());
            node.put("kdf", Tokens.KDF);
            node.put("iterations", u.iterations());
            node.put("salt", Base64.getEncoder().encodeToString(u.salt));
            node.put("hash", Base64.getEncoder().encodeToString(u.hash));
            node.put("read_only", u.readOnly());
            if (u.root() != null) {
                node.put("root", u.root());
            }
            b.append(node).append('\n');
        }
        return b.toString();
    }

    /**
     * Writes the file atomically: a temporary file beside it (owner read/write only where the
     * file system has POSIX permissions), flushed, then renamed over the old one, so a reader
     * (a running server) sees the old list or the new one, never half of either.
     */
    public void save(Path file) throws IOException {
        Path absolute = file.toAbsolutePath();
        Path dir = absolute.getParent();
        Path tmp = dir.resolve("." + absolute.getFileName() + "." + Long.toHexString(RANDOM.nextLong()) + ".tmp");
        try {
            try {
                Files.createFile(
                        tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException noPosix) {
                Files.createFile(tmp);
            }
            try (var ch = java.nio.channels.FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(format().getBytes(StandardCharsets.UTF_8)));
                ch.force(true);
            }
            try {
                Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot replace " + file + " atomically: " + e.getMessage(), e);
            }
        } catch (FileAlreadyExistsException e) {
            throw new IOException("a temporary file " + tmp + " is in the way", e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
