package ft.client;

import ft.protocol.HostPort;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Tokens bound to servers, like {@code .netrc}: one {@code host:port TOKEN} line per server in
 * {@code $XDG_CONFIG_HOME/ft/tokens}, {@code #} comments and blank lines allowed. A token found
 * here is sent to that server only (hosts compared as {@link KnownServers} does: case-insensitive,
 * as written, so {@code localhost:7070} and {@code 127.0.0.1:7070} are different entries).
 *
 * <p>The file holds credentials, so, as ssh does for a private key, it is refused when its
 * group or others have any permission, or when it is a symbolic link; {@link #save} writes a
 * new file 0600 (its directory 0700) and replaces it atomically.
 */
public final class ServerTokens {
    public static final String FILE_NAME = "tokens";

    private final Path file;

    public ServerTokens(Path file) {
        this.file = file;
    }

    /** {@code $XDG_CONFIG_HOME/ft/tokens}, else {@code ~/.config/ft/tokens}. */
    public static Path defaultLocation(Map<String, String> env) {
        return XdgDirs.config(env).resolve(FILE_NAME);
    }

    public Path file() {
        return file;
    }

    /**
     * The token for {@code server}, if the file has one.
     *
     * @throws IOException if the file cannot be read, is a link, or is not private to its owner
     */
    public Optional<String> lookup(HostPort server) throws IOException {
        List<String> lines = readPrivate();
        String key = KnownServers.key(server);
        for (String line : lines) {
            String[] fields = fields(line);
            if (fields != null && fields[0].equals(key)) {
                return Optional.of(fields[1]);
            }
        }
        return Optional.empty();
    }

    /** Binds {@code token} to {@code server}, replacing an earlier entry for it. */
    public void save(HostPort server, String token) throws IOException {
        if (token.isEmpty() || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw new IllegalArgumentException("a token is printable ASCII without spaces");
        }
        Path dir = file.toAbsolutePath().getParent();
        boolean posix = Files.getFileAttributeView(dir.getRoot(), PosixFileAttributeView.class) != null;
        if (Files.notExists(dir, LinkOption.NOFOLLOW_LINKS)) {
            if (posix) {
                Files.createDirectories(
                        dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectories(dir);
            }
        }
        String key = KnownServers.key(server);
        List<String> kept = new ArrayList<>();
        for (String line : readPrivate()) {
            String[] fields = fields(line);
            if (fields == null || !fields[0].equals(key)) {
                kept.add(line);
            }
        }
        kept.add(key + " " + token);
        Path temporary =
                dir.resolve("." + FILE_NAME + "." + ProcessHandle.current().pid() + ".new");
        Files.deleteIfExists(temporary);
        try {
            if (posix) {
                Files.createFile(
                        temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(temporary);
            }
            Files.write(
                    temporary,
                    (String.join("\n", kept) + "\n").getBytes(StandardCharsets.UTF_8),
                    LinkOption.NOFOLLOW_LINKS,
                    StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private List<String> readPrivate() throws IOException {
        if (Files.isSymbolicLink(file)) {
            throw new IOException(file + " is a symbolic link; a tokens file must be a plain file");
        }
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
            Set<PosixFilePermission> loose = Set.of(
                    PosixFilePermission.GROUP_READ,
                    PosixFilePermission.GROUP_WRITE,
                    PosixFilePermission.GROUP_EXECUTE,
                    PosixFilePermission.OTHERS_READ,
                    PosixFilePermission.OTHERS_WRITE,
                    PosixFilePermission.OTHERS_EXECUTE);
            if (perms.stream().anyMatch(loose::contains)) {
                throw new IOException(file + " can be used by other users (" + PosixFilePermissions.toString(perms)
                        + "); make it private with: chmod 600 " + file);
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system: nothing to check.
        }
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        }
    }

    /** {key, token} of a well-formed line, or null for comments, blanks and junk. */
    private static String[] fields(String line) {
        String s = line.strip();
        if (s.isEmpty() || s.startsWith("#")) {
            return null;
        }
        String[] parts = s.split("\\s+");
        if (parts.length != 2) {
            return null;
        }
        String address = parts[0].regionMatches(true, 0, "tls://", 0, 6) ? parts[0].substring(6) : parts[0];
        try {
            return new String[] {KnownServers.key(HostPort.parse(address)), parts[1]};
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
